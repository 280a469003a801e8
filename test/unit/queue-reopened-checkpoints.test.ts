import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateStore, type FolderCheckpoint } from '../../bridge/engine/state-store';
import { adoptCheckpoints, checkpointRecords, reopenedRecords } from '../../bridge/queue/handed-checkpoints';
import { parseUidSet } from '../../bridge/queue/reopened-checkpoints';
import { storeVerifyRecord, verifyRecordOf } from '../../bridge/queue/verify-record';
import { ReopenedCheckpointSchema } from '../../bridge/queue/protocol';
import type { AccountResult } from '../../shared/migration';
import { MAX_REOPENED_SKIPS } from '../../bridge/queue/protocol';

/**
 * A folder checkpoint past a skip the next pass tries again travels with the rows of that
 * stretch (reopened-checkpoints.ts); the adopting store then holds what the recording one did.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const open = (): StateStore => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-reopened-'));
  dirs.push(dir);
  return StateStore.open(dir);
};
const ACC = 'account:r';
const RETRIED = 'MESSAGE_REJECTED: Current box is selected READ-ONLY.';
const FINAL = 'MESSAGE_TOO_LARGE: over the limit';
const cp = (lastUid: number): FolderCheckpoint => ({ account: ACC, sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: 5, lastUid, filterKey: '', targetUidValidity: 1, targetUidNext: 40, copied: 0, skipped: 0, alreadyPresent: 0 });
const copied = (uid: number) => ({ uid, fingerprint: `f${uid}`, outcome: 'copied' as const, targetUid: uid + 10, size: 10 });
const skip = (uid: number, reason: string) => ({ uid, fingerprint: `f${uid}`, outcome: 'skipped' as const, targetUid: null, size: 10, reason });

describe('reopened checkpoints', () => {
  it('carry the stretch from the lowest retried skip: what is on the target as a UID set, every skip with its reason', () => {
    const store = open();
    store.putCheckpoint(cp(12));
    store.recordMessages(ACC, 'INBOX', 5, [copied(1), copied(2), skip(3, RETRIED), copied(4), copied(5), copied(6), skip(7, FINAL), copied(9), copied(12)]);
    expect(checkpointRecords(store, ACC)).toEqual([]);
    const [rec] = reopenedRecords(store, ACC);
    expect(rec).toMatchObject({ lastUid: 12, settled: '4:6,9,12', skips: [{ uid: 3, reason: RETRIED }, { uid: 7, reason: FINAL }] });

    // The adopting store: it has a stale skip of 4 it would try again, and its own copy of 9.
    const other = open();
    other.recordMessages(ACC, 'INBOX', 5, [skip(4, RETRIED), copied(9)]);
    adoptCheckpoints(other, ACC, [], [rec!]);
    expect(other.getCheckpoint(ACC, 'INBOX')?.lastUid).toBe(12);
    const rows = other.settledAbove(ACC, 'INBOX', 5, 0);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 9, 12]);
    expect(rows.get(4)).toMatchObject({ outcome: 'present' });
    expect(rows.get(9)).toMatchObject({ outcome: 'copied', targetUid: 19 });
    expect(rows.get(3)).toMatchObject({ outcome: 'skipped', reason: RETRIED });
    expect(rows.get(7)).toMatchObject({ outcome: 'skipped', reason: FINAL });
    store.close();
    other.close();
  });

  it("a skip left out for good stays on the coordinator's record after a pass on another worker", () => {
    const a = open();
    const b = open();
    const coordinator = open();
    const resultOf = (s: StateStore): AccountResult => ({
      source: 's', target: 't', status: 'done', messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, folders: [],
      skipped: s.skipped(ACC).map((x) => ({ folder: x.sourceFolder, uid: x.uid, reason: x.reason })), warnings: [], error: null,
    });
    a.putCheckpoint(cp(10));
    a.recordMessages(ACC, 'INBOX', 5, [copied(1), skip(2, FINAL)]);
    storeVerifyRecord(coordinator, ACC, resultOf(a), verifyRecordOf(a, ACC, resultOf(a), false));
    expect(coordinator.reportedSkipped(ACC)).toEqual([{ sourceFolder: 'INBOX', uid: 2, reason: FINAL }]);
    // Worker B takes what A handed over (through JSON), and reports what its own store then says.
    const handed = JSON.parse(JSON.stringify(verifyRecordOf(a, ACC, resultOf(a), false)));
    adoptCheckpoints(b, ACC, handed.checkpoints, ReopenedCheckpointSchema.array().parse(handed.reopened));
    expect(b.getCheckpoint(ACC, 'INBOX')?.lastUid).toBe(10);
    storeVerifyRecord(coordinator, ACC, resultOf(b), verifyRecordOf(b, ACC, resultOf(b), false));
    expect(coordinator.reportedSkipped(ACC)).toEqual([{ sourceFolder: 'INBOX', uid: 2, reason: FINAL }]);
    for (const s of [a, b, coordinator]) s.close();
  });

  it('a folder with more skips than travel hands over no checkpoint', () => {
    const store = open();
    store.putCheckpoint(cp(MAX_REOPENED_SKIPS + 2));
    store.recordMessages(ACC, 'INBOX', 5, Array.from({ length: MAX_REOPENED_SKIPS + 1 }, (_, i) => skip(i + 1, RETRIED)));
    expect(reopenedRecords(store, ACC)).toEqual([]);
    expect(checkpointRecords(store, ACC)).toEqual([]);
    store.close();
  });

  it('a UID set out of order, or past the checkpoint, is not read; nor is its checkpoint adopted', () => {
    expect(parseUidSet('3:5,9', 9)).toEqual([3, 4, 5, 9]);
    expect(() => parseUidSet('9,3', 9)).toThrow();
    expect(() => parseUidSet('3:5', 4)).toThrow();
    expect(() => parseUidSet('1:4000000000', 4_000_000_000)).toThrow();
    const store = open();
    adoptCheckpoints(store, ACC, [], [{ ...cp(12), settled: '1:99', skips: [{ uid: 3, reason: RETRIED }] }]);
    expect(store.getCheckpoint(ACC, 'INBOX')).toBeUndefined();
    store.close();
  });
});
