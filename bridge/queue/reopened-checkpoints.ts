import { skipIsFinal } from '../engine/append-refusal';
import { uidRangeSets } from '../engine/imap/uid-sets';
import type { FolderCheckpoint, MessageRecord, StateStore } from '../engine/state-store';
import { MAX_REOPENED_SET_CHARS, MAX_REOPENED_SKIPS, type ReopenedCheckpoint } from './protocol';

/**
 * A folder whose last pass left a message out for a reason the next pass tries again (a
 * refusal that did not name the message: skipIsFinal) has its checkpoint past that message.
 * The worker that recorded the skip reopens it (plan-folder.ts: the checkpoint drops below
 * it, and its rows of the messages after it keep them from being copied again). A worker
 * that adopted the bare checkpoint would never copy the message; one that adopted none
 * plans the folder from the start and finds the earlier copies by scanning the target, so
 * what the employee deleted or filed elsewhere in that folder meanwhile comes back. So such
 * a checkpoint travels with the rows of that stretch (from the lowest such skip up to the
 * checkpoint): the messages there on the target as a UID set, the skips with their reasons.
 * The adopting worker then reopens the skip as the recording one would.
 *
 * The skips left out for good travel too, wherever they lie: the worker that adopts the
 * checkpoint reports the folder's skips from its own rows, and the coordinator's record of a
 * skip it does not report is dropped, so the coordinator's verify would call that message missing.
 *
 * Undefined for a folder without skips, and for one with more than a handover carries.
 */
export function reopenedRecord(store: StateStore, cp: FolderCheckpoint): Omit<ReopenedCheckpoint, keyof FolderCheckpoint> | undefined {
  const rows = [...store.settledBetween(cp.account, cp.sourceFolder, cp.uidValidity, 1, cp.lastUid)].sort(([a], [b]) => a - b);
  const skipRows = rows.filter(([, r]) => r.outcome === 'skipped');
  if (skipRows.length === 0) return undefined;
  const retried = skipRows.filter(([, r]) => !skipIsFinal(r.reason)).map(([uid]) => uid);
  const lowest = retried.length > 0 ? Math.min(...retried) : Infinity;
  const settled = uidRangeSets(rows.filter(([uid, r]) => uid >= lowest && r.outcome !== 'skipped').map(([uid]) => uid)).join(',');
  const skips = skipRows.map(([uid, r]) => ({ uid, reason: (r.reason ?? '').slice(0, 1000) }));
  if (settled.length > MAX_REOPENED_SET_CHARS || skips.length > MAX_REOPENED_SKIPS) return undefined;
  return { settled, skips };
}

/** Whether a reopened checkpoint's skips are all final: then it is a plain checkpoint as well, for a worker of an earlier build. */
export function onlyFinalSkips(rec: ReopenedCheckpoint): boolean {
  return rec.skips.every((s) => skipIsFinal(s.reason));
}

/**
 * The rows of a reopened checkpoint taken into this store, beside the checkpoint itself. A
 * row this store has stays when it settles the message (a copy it knows the target UID of,
 * a final skip); a skip of its own it would try again yields to a handed copy. The messages
 * on the target become rows found present: which target message is theirs is not known here,
 * and none is needed, since the target survey starts at the checkpoint's target UIDNEXT,
 * after all of them.
 */
export function adoptReopenedRows(store: StateStore, account: string, rec: ReopenedCheckpoint): void {
  const settled = parseUidSet(rec.settled, rec.lastUid);
  const uids = [...settled, ...rec.skips.map((s) => s.uid)];
  if (uids.length === 0) return;
  const own = store.settledBetween(account, rec.sourceFolder, rec.uidValidity, Math.min(...uids), Math.max(...uids));
  const keeps = (uid: number): boolean => {
    const r = own.get(uid);
    return !!r && (r.outcome !== 'skipped' || skipIsFinal(r.reason));
  };
  const rows: MessageRecord[] = [];
  for (const uid of settled) if (!keeps(uid)) rows.push({ uid, fingerprint: '', outcome: 'present', targetUid: null, size: 0 });
  for (const s of rec.skips) if (!own.has(s.uid)) rows.push({ uid: s.uid, fingerprint: '', outcome: 'skipped', targetUid: null, size: 0, reason: s.reason });
  store.recordMessages(account, rec.sourceFolder, rec.uidValidity, rows);
}

/** More UIDs than any folder holds: a set that names more is not taken. */
const MAX_SET_UIDS = 10_000_000;

/**
 * The UIDs of a UID set as reopenedRecord writes it ('3:5,9'): ascending, none above the
 * checkpoint. Throws on anything else, so that a set altered in Redis cannot make a worker
 * build an endless list.
 */
export function parseUidSet(set: string, lastUid: number): number[] {
  if (!set) return [];
  const out: number[] = [];
  let previous = 0;
  for (const part of set.split(',')) {
    const [a, b = a] = part.split(':').map(Number) as [number, number?];
    if (!(a > previous && b! >= a && b! <= lastUid) || out.length + (b! - a) + 1 > MAX_SET_UIDS) throw new Error(`UID set part ${part} is out of order or past the checkpoint`);
    for (let u = a; u <= b!; u++) out.push(u);
    previous = b!;
  }
  return out;
}
