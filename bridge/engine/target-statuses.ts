import type { ImapFlow } from 'imapflow';
import { discoverLayout, type ListedStatus } from './discover';

/**
 * Every target folder's STATUS in one round trip, where the target offers LIST-STATUS
 * (RFC 5819), asked once the pass has created its folders and before it appends to any.
 * Planning a folder starts its target survey from such a STATUS; asked per folder, it
 * waited on the worker's target connection behind the APPEND of its last chunk (over a
 * 100 Mbit/s link with 40 ms of round trip, the source then sat idle for half a second
 * at the end of a big folder, every worker waiting for one).
 *
 * A folder that several source folders map to is left out: its first source folder's
 * chunks may reach it before the others are planned, and their surveys must see them.
 * Resolves to an empty map when the target has no LIST-STATUS or the LIST fails (each
 * folder's plan then asks its STATUS, as before).
 */
export function targetStatuses(target: ImapFlow, mappings: ReadonlyArray<{ target: string }>): Promise<ReadonlyMap<string, ListedStatus>> {
  if (!target.capabilities.has('LIST-STATUS')) return Promise.resolve(new Map());
  const mappedTo = new Map<string, number>();
  for (const m of mappings) mappedTo.set(m.target, (mappedTo.get(m.target) ?? 0) + 1);
  return discoverLayout(target, { withStatus: true }).then(
    (layout) => new Map(layout.folders.flatMap((f) => (f.status && mappedTo.get(f.path) === 1 ? [[f.path, f.status] as const] : []))),
    () => new Map(),
  );
}
