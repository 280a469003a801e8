import type { FolderMapping } from '../../shared/folders/map-folders';
import type { MigrationOptions } from '../../shared/migration';
import { filterKey } from './checkpoint';
import type { ListedStatus } from './discover';
import type { StateStore } from './state-store';

/**
 * Messages a worker is given before another one pays off. A worker costs a login on each
 * side (about seven round trips: greeting, ID, AUTHENTICATE, NAMESPACE, ENABLE, LIST,
 * LOGOUT) and a connection the provider counts against its limit; below a few hundred
 * messages one worker copies them in less time than the extra logins take over a link.
 */
export const MESSAGES_PER_WORKER = 150;

/**
 * An upper bound of the messages this pass may copy: per folder its message count, or,
 * when the listing gave the folder's STATUS and a complete earlier pass of the same
 * identity and filters exists, only the UIDs above its checkpoint. Infinity when a
 * folder's count is unknown (the pass then uses every worker it may).
 */
export function pendingEstimate(
  store: StateStore,
  account: string,
  folders: readonly FolderMapping[],
  counts: ReadonlyMap<string, number>,
  listed: ReadonlyMap<string, ListedStatus>,
  opts: MigrationOptions,
): number {
  const key = filterKey(opts);
  let pending = 0;
  for (const m of folders) {
    const count = counts.get(m.source);
    if (count === undefined) return Infinity;
    const st = listed.get(m.source);
    const cp = st ? store.getCheckpoint(account, m.source) : undefined;
    const resumable = st && cp && cp.uidValidity === st.uidValidity && cp.targetFolder === m.target && cp.filterKey === key && cp.targetUidNext !== null;
    pending += resumable ? Math.min(count, Math.max(0, st.uidNext - 1 - cp.lastUid)) : count;
  }
  return pending;
}

/** Workers for `pending` messages: one per MESSAGES_PER_WORKER, at least one, at most `cap`. */
export function workersFor(pending: number, cap: number): number {
  if (!Number.isFinite(pending)) return cap;
  return Math.max(1, Math.min(cap, Math.ceil(pending / MESSAGES_PER_WORKER)));
}
