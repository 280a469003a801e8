import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
    expect([...store.unansweredAppends('acct', 'INBOX', 7)].sort()).toEqual([1, 3]);
    expect([...store.unansweredAppends('acct', 'INBOX', 8)]).toEqual([]);
    expect([...store.unansweredAppends('other', 'INBOX', 7)]).toEqual([]);
    expect([...store.unansweredAppends('acct', 'Sent', 7)]).toEqual([1]);
  });

  it('a new UIDVALIDITY drops the old marks; a rename carries them; a finished folder forgets them', () => {
    store.markAppending('acct', 'A', 1, [5], true);
    store.markAppending('acct', 'A', 2, [6], true);
    store.dropMessagesOfOtherValidity('acct', 'A', 2);
    expect([...store.unansweredAppends('acct', 'A', 1)]).toEqual([]);
    expect([...store.unansweredAppends('acct', 'A', 2)]).toEqual([6]);
    store.renameSourceFolder('acct', 'A', 'B', 'B');
    expect([...store.unansweredAppends('acct', 'A', 2)]).toEqual([]);
    expect([...store.unansweredAppends('acct', 'B', 2)]).toEqual([6]);
    store.clearAppendMarks('acct', 'B');
    expect([...store.unansweredAppends('acct', 'B', 2)]).toEqual([]);
  });
});
