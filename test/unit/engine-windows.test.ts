import { describe, expect, it } from 'vitest';
import { FolderRun } from '../../bridge/engine/folder-run';
import type { FolderCheckpoint } from '../../bridge/engine/state-store';
import { tempStore } from '../support/engine-fixtures';

const cp0 = (account: string): FolderCheckpoint => ({
  account, sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: 7, lastUid: 0, filterKey: '',
  targetUidValidity: null, targetUidNext: null, copied: 0, skipped: 0, alreadyPresent: 0,
});
const copied = (uid: number) => ({ uid, fingerprint: `fp${uid}`, outcome: 'copied' as const, targetUid: uid + 100, size: 10 });

describe('FolderRun over planning windows', () => {
  it('moves the checkpoint to a window’s end only once its messages are settled, never past the next window’s', () => {
    const st = tempStore();
    try {
      const run = new FolderRun(st.store, 'a', 'INBOX', 'INBOX', 7, cp0('a'), [], 0);
      run.moreToPlan = true;
      run.addWindow([{ uid: 3 }, { uid: 5 }], 8);
      expect(run.checkpoint.lastUid).toBe(2);
      run.settle([copied(5)]);
      expect(run.checkpoint.lastUid).toBe(2);
      // The next window arrives while the first still has a message in flight.
      run.addWindow([{ uid: 9 }, { uid: 12 }], 16);
      expect(run.remaining).toBe(3);
      run.settle([copied(3)]);
      expect(run.checkpoint.lastUid).toBe(8);
      run.settle([copied(9), copied(12)]);
      expect(run.checkpoint.lastUid).toBe(16);
      expect(st.store.getCheckpoint('a', 'INBOX')!.lastUid).toBe(16);
      // A window with nothing to copy still moves the checkpoint over the UIDs it looked at.
      run.addWindow([], 30);
      expect(run.checkpoint.lastUid).toBe(30);
      expect(run.counts.copied).toBe(4);
    } finally {
      st.cleanup();
    }
  });
});

describe('the target survey in the state store', () => {
  it('takes the lowest target UID per fingerprint once, leaves out what rows account for, and keeps 8-bit copies for a byte-exact match', () => {
    const st = tempStore();
    try {
      const { store } = st;
      store.addToSurvey('a', 'INBOX', [
        { uid: 4, fingerprint: 'L1', exactFingerprint: 'E1' },
        { uid: 2, fingerprint: 'L1', exactFingerprint: 'E1' },
        { uid: 6, fingerprint: 'L2', exactFingerprint: 'E2-8bit' },
        { uid: 7, fingerprint: 'L3', exactFingerprint: 'L3' },
        { uid: 9, fingerprint: 'L4', exactFingerprint: 'E4' },
      ]);
      store.addToSurvey('b', 'INBOX', [{ uid: 2, fingerprint: 'L1', exactFingerprint: 'E1' }]);
      // Target UID 9 is a copy a row of ours already accounts for.
      store.recordMessages('a', 'INBOX', 7, [{ uid: 1, fingerprint: 'L4', outcome: 'copied', targetUid: 9, size: 10 }]);
      expect(store.dropRecordedFromSurvey('a', 'INBOX', 1)).toBe(4);
      expect(store.takeFromSurvey('a', 'INBOX', 'exact', 'E4')).toBeUndefined();

      expect(store.takeFromSurvey('a', 'INBOX', 'exact', 'E1')).toBe(2);
      expect(store.takeFromSurvey('a', 'INBOX', 'loose', 'L1')).toBe(4);
      expect(store.takeFromSurvey('a', 'INBOX', 'exact', 'E1')).toBeUndefined();
      // A loose take restricted to copies without 8-bit header bytes leaves uid 6 alone.
      expect(store.takeFromSurvey('a', 'INBOX', 'loose', 'L2', true)).toBeUndefined();
      expect(store.takeFromSurvey('a', 'INBOX', 'loose', 'L3', true)).toBe(7);
      expect(store.takeFromSurvey('a', 'INBOX', 'loose', 'L2')).toBe(6);
      // Another account's survey is its own.
      expect(store.takeFromSurvey('b', 'INBOX', 'exact', 'E1')).toBe(2);
      store.clearSurvey('a', 'INBOX');
      expect(store.dropRecordedFromSurvey('a', 'INBOX', 1)).toBe(0);
    } finally {
      st.cleanup();
    }
  });
});
