import type { MigrationOptions } from '../../shared/migration';
import type { FolderCheckpoint, StateStore } from './state-store';

/** The filters that decide which source messages are in scope; a change re-examines the folder. */
export function filterKey(opts: MigrationOptions): string {
  return JSON.stringify({ since: opts.since?.toISOString() ?? null, deleted: opts.deleted });
}

export interface ResumedCheckpoint {
  cp: FolderCheckpoint;
  /** The target folder must be scanned from UID 1: no complete pass into it is known. */
  scanWholeTarget: boolean;
  /** The source identity (UIDVALIDITY) the stored checkpoint was written under, when it differs from today's. */
  changedFrom: number | undefined;
}

/**
 * Where a source folder's pass starts. The stored checkpoint is kept when it is about
 * the same source identity, the same target folder and the same filters; otherwise the
 * folder starts over from the first message (rows of the current identity still keep
 * copied mail from being fetched again) and the target is scanned whole. A source
 * without UID order (POP3) passes its constant identity and never moves `lastUid`.
 */
export function resumeCheckpoint(
  store: StateStore,
  account: string,
  mapping: { source: string; target: string },
  uidValidity: number,
  opts: MigrationOptions,
): ResumedCheckpoint {
  const key = filterKey(opts);
  const previous = store.getCheckpoint(account, mapping.source);
  let cp: FolderCheckpoint = previous ?? {
    account,
    sourceFolder: mapping.source,
    targetFolder: mapping.target,
    uidValidity,
    lastUid: 0,
    filterKey: key,
    targetUidValidity: null,
    targetUidNext: null,
    copied: 0,
    skipped: 0,
    alreadyPresent: 0,
  };
  // A folder that held nothing when it was last seen has no messages to mistake for others
  // under a new UIDVALIDITY: Courier gives a folder it keeps no UID list for (an INBOX never
  // opened read-write, so still empty) a new one, the current time, on every EXAMINE and STATUS.
  // Taken for a change, every pass warned about it.
  // Not a POP3 maildrop's checkpoint, nor one that a POP3 pass takes over: its lastUid is always
  // 0 and its rows go when the maildrop stops listing their UIDLs, while its copies stay on the
  // target, before the target UIDNEXT it recorded (POP3_UID_VALIDITY, pop3-source.ts).
  const renewedEmpty =
    previous !== undefined &&
    previous.uidValidity !== uidValidity &&
    previous.uidValidity !== POP3_IDENTITY &&
    uidValidity !== POP3_IDENTITY &&
    previous.lastUid === 0 &&
    recordedNothing(store, account, mapping.source, previous.uidValidity);
  if (renewedEmpty) cp = { ...cp, uidValidity };
  const changedFrom = previous && previous.uidValidity !== uidValidity && !renewedEmpty ? previous.uidValidity : undefined;
  const scanWholeTarget = cp.targetUidNext === null || cp.targetFolder !== mapping.target || changedFrom !== undefined;
  if (scanWholeTarget || cp.filterKey !== key) {
    cp = { ...cp, targetFolder: mapping.target, uidValidity, lastUid: 0, filterKey: key, copied: 0, skipped: 0, alreadyPresent: 0 };
  }
  // A new identity: the copies of the old one's mail lie before the target UIDNEXT of the last
  // complete pass, and its rows are dropped (plan-folder.ts). Kept, a pass cut before it wrote
  // its rows (during the whole-target survey) left a checkpoint of the new identity at UID 0 that
  // let the next pass survey only after that UIDNEXT, find none of the copies, and copy the
  // folder again; with none, every pass surveys the whole target folder until one completes.
  if (changedFrom !== undefined) cp = { ...cp, targetUidValidity: null, targetUidNext: null };
  // The old folder's state says nothing of the new one: kept, a pass into the new folder
  // interrupted midway would leave a checkpoint that lets the next run skip its whole-folder survey.
  if (previous && previous.targetFolder !== mapping.target) cp = { ...cp, targetUidValidity: null, targetUidNext: null };
  return { cp, scanWholeTarget, changedFrom };
}

/** POP3_UID_VALIDITY (pop3-source.ts, which imports this module): the constant identity of a maildrop. */
const POP3_IDENTITY = 0;

function recordedNothing(store: StateStore, account: string, sourceFolder: string, uidValidity: number): boolean {
  const counts = store.outcomeCounts(account, sourceFolder, uidValidity);
  return counts.copied + counts.present + counts.skipped === 0;
}
