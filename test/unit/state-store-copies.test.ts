/**
 * The rows a flag pass reads (flag-sync.ts): a folder's copies on the target (copied or found
 * present, at a known target UID, of the folder's current UIDVALIDITY), in windows of UIDs, their
 * span, and those among given UIDs. Skipped messages, copies without a target UID, other folders
 * and another UIDVALIDITY are not copies to carry flags to.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../bridge/engine/state-store';
import { tempStore } from '../support/engine-fixtures';

const ACCOUNT = 'alice@old.example -> alice@new.example';
let state: ReturnType<typeof tempStore>;

const row = (uid: number, outcome: MessageRecord['outcome'], targetUid: number | null): MessageRecord => ({ uid, fingerprint: `fp${uid}`, outcome, targetUid, size: 100, syncedFlags: outcome === 'skipped' ? null : ['\\Seen'] });

beforeEach(() => {
  state = tempStore();
  // INBOX (UIDVALIDITY 7): copies at 3, 5, 6, 9 (a present one among them); 4 skipped; 8 copied
  // without a known target UID. The same UIDs under an older UIDVALIDITY and in another folder.
  state.store.recordMessages(ACCOUNT, 'INBOX', 7, [row(3, 'copied', 103), row(4, 'skipped', null), row(5, 'present', 105), row(6, 'copied', 106), row(8, 'copied', null), row(9, 'copied', 109)]);
  state.store.recordMessages(ACCOUNT, 'INBOX', 6, [row(1, 'copied', 1), row(12, 'copied', 12)]);
  state.store.recordMessages(ACCOUNT, 'Work', 7, [row(2, 'copied', 202), row(10, 'copied', 210)]);
});
afterEach(() => state.cleanup());

describe('the copies a flag pass reads', () => {
  it('in windows of UIDs, in UID order, only the folder\'s copies at a known target UID', () => {
    const uids = (after: number, limit: number) => state.store.copiesAfter(ACCOUNT, 'INBOX', 7, after, limit).map((c) => c.uid);
    expect(uids(0, 2)).toEqual([3, 5]);
    expect(uids(5, 2)).toEqual([6, 9]);
    expect(uids(9, 2)).toEqual([]);
    expect(state.store.copiesAfter(ACCOUNT, 'INBOX', 7, 0, 10)).toEqual([
      { uid: 3, targetUid: 103, fingerprint: 'fp3', syncedFlags: expect.any(String) },
      { uid: 5, targetUid: 105, fingerprint: 'fp5', syncedFlags: expect.any(String) },
      { uid: 6, targetUid: 106, fingerprint: 'fp6', syncedFlags: expect.any(String) },
      { uid: 9, targetUid: 109, fingerprint: 'fp9', syncedFlags: expect.any(String) },
    ]);
  });

  it('their span: the lowest and highest UID of a copy; none for a folder without copies', () => {
    expect(state.store.copiesSpan(ACCOUNT, 'INBOX', 7)).toEqual({ first: 3, last: 9 });
    expect(state.store.copiesSpan(ACCOUNT, 'INBOX', 6)).toEqual({ first: 1, last: 12 });
    expect(state.store.copiesSpan(ACCOUNT, 'Sent', 7)).toBeUndefined();
    state.store.recordMessages(ACCOUNT, 'Drafts', 7, [row(1, 'skipped', null), row(2, 'copied', null)]);
    expect(state.store.copiesSpan(ACCOUNT, 'Drafts', 7)).toBeUndefined();
  });

  it('those among given UIDs, however many are asked for at once', () => {
    const among = (uids: number[]) => state.store.copiesWithUids(ACCOUNT, 'INBOX', 7, uids).map((c) => c.uid).sort((a, b) => a - b);
    expect(among([4, 5, 8, 9, 12])).toEqual([5, 9]);
    expect(among([])).toEqual([]);
    // More UIDs than one statement binds (SQLite's parameter limit): 1,200 asked, the copies among them found.
    state.store.recordMessages(ACCOUNT, 'Big', 1, Array.from({ length: 1200 }, (_, i) => row(i + 1, i % 3 === 0 ? 'skipped' : 'copied', i % 3 === 0 ? null : 5000 + i)));
    const found = state.store.copiesWithUids(ACCOUNT, 'Big', 1, Array.from({ length: 1300 }, (_, i) => i + 1));
    expect(found).toHaveLength(800);
    expect(new Set(found.map((c) => c.uid)).size).toBe(800);
  });
});
