import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainedBy } from '../../bridge/engine/late-appends';
import { StateStore } from '../../bridge/engine/state-store';

describe('marks of APPENDs sent without an answer (StateStore.markAppending)', () => {
  let dir: string;
  let store: StateStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mm-marks-'));
    store = StateStore.open(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a mark stays until its answer takes it off, per folder and UIDVALIDITY, and survives reopening the store', () => {
    store.markAppending('acct', 'INBOX', 7, [1, 2, 3], true);
    store.markAppending('acct', 'Sent', 7, [1], true);
    store.markAppending('acct', 'INBOX', 7, [2], false);
    store.close();
    store = StateStore.open(dir);
    expect([...store.unansweredAppends('acct', 'INBOX', 7).keys()].sort()).toEqual([1, 3]);
    expect([...store.unansweredAppends('acct', 'INBOX', 8).keys()]).toEqual([]);
    expect([...store.unansweredAppends('other', 'INBOX', 7).keys()]).toEqual([]);
    expect([...store.unansweredAppends('acct', 'Sent', 7).keys()]).toEqual([1]);
  });

  it('a mark keeps when its command went out and how many bytes it carried; drainedBy is when a 1 Mbit/s uplink had carried them', () => {
    const before = Date.now();
    store.markAppending('acct', 'INBOX', 7, [4, 5], true, 250_000);
    const mark = store.unansweredAppends('acct', 'INBOX', 7).get(4)!;
    expect(mark.commandBytes).toBe(250_000);
    expect(mark.markedAt).toBeGreaterThanOrEqual(before);
    expect(mark.markedAt).toBeLessThanOrEqual(Date.now());
    expect(drainedBy({ markedAt: 1_000, commandBytes: 250_000 }, 125_000)).toBe(3_000);
  });

  it('a new UIDVALIDITY drops the old marks; a rename carries them; a finished folder forgets them', () => {
    store.markAppending('acct', 'A', 1, [5], true);
    store.markAppending('acct', 'A', 2, [6], true);
    store.dropMessagesOfOtherValidity('acct', 'A', 2);
    expect([...store.unansweredAppends('acct', 'A', 1).keys()]).toEqual([]);
    expect([...store.unansweredAppends('acct', 'A', 2).keys()]).toEqual([6]);
    store.renameSourceFolder('acct', 'A', 'B', 'B');
    expect([...store.unansweredAppends('acct', 'A', 2).keys()]).toEqual([]);
    expect([...store.unansweredAppends('acct', 'B', 2).keys()]).toEqual([6]);
    store.clearAppendMarks('acct', 'B');
    expect([...store.unansweredAppends('acct', 'B', 2).keys()]).toEqual([]);
  });
});
