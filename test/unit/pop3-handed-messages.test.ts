import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adoptHandedMessages, handableRows, type HandedMessage, type HandedMessages } from '../../bridge/engine/pop3/handed-messages';
import { UidlIds } from '../../bridge/engine/pop3/uidl-ids';
import { StateStore } from '../../bridge/engine/state-store';

/**
 * Taking over a maildrop's rows from another worker's store (handed-messages.ts): which rows
 * may travel, and which of this store's rows a handed one replaces.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const open = (): StateStore => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-handed-'));
  dirs.push(dir);
  return StateStore.open(dir);
};
const ACC = 'account:pop';
const RETRIED = 'NOT_DOWNLOADED: the server has no working TOP';
const FINAL = 'MESSAGE_TOO_LARGE: 30000000 bytes';
const row = (uid: number, outcome: 'copied' | 'present' | 'skipped', targetUid: number | null, reason: string | null = null) => ({ uid, fingerprint: `fp${uid}`, outcome, targetUid, size: 100, reason });
/** Tags are the keys themselves here: what is tested is which rows are taken. */
const handed = (entries: Array<[string, HandedMessage]>): HandedMessages => ({ tagOf: (k: string) => k, settled: new Map(entries) });

describe('handableRows', () => {
  it('hands copies, found messages and final skips by UIDL key; never a skip the next pass tries again', () => {
    const store = open();
    const ids = UidlIds.forStore(store);
    try {
      const [a, b, c, d] = ids.idsFor(ACC, ['ua', 'ub', 'uc', 'ud']);
      store.recordMessages(ACC, 'INBOX', 0, [row(a!, 'copied', 5), row(b!, 'present', 2), row(c!, 'skipped', null, RETRIED), row(d!, 'skipped', null, FINAL)]);
      expect(handableRows(store, ids, ACC, 'INBOX', 0)).toEqual(
        new Map([
          ['ua', { outcome: 'copied', targetUid: 5, reason: null }],
          ['ub', { outcome: 'present', targetUid: 2, reason: null }],
          ['ud', { outcome: 'skipped', targetUid: null, reason: FINAL }],
        ]),
      );
    } finally {
      ids.close();
      store.close();
    }
  });
});

describe('adoptHandedMessages', () => {
  it('fills in what this store does not know, replaces its retried skips, keeps its own settled rows, counts handed ones not listed', () => {
    const store = open();
    try {
      // This store: 1 copied here (target UID 3), 2 a skip it would try again, 3 nothing.
      store.recordMessages(ACC, 'INBOX', 0, [row(1, 'copied', 3), row(2, 'skipped', null, RETRIED)]);
      const listed = [1, 2, 3, 4].map((uid) => ({ uid, key: `k${uid}`, size: 100 + uid }));
      const h = handed([
        ['k1', { outcome: 'copied', targetUid: 40, reason: null }],
        ['k2', { outcome: 'copied', targetUid: 41, reason: null }],
        ['k3', { outcome: 'present', targetUid: 42, reason: null }],
        ['k9', { outcome: 'copied', targetUid: 43, reason: null }],
      ]);
      expect(adoptHandedMessages(store, ACC, 'INBOX', 0, listed, h)).toEqual({ adopted: 2, unmatched: 1 });
      expect(h.planned).toBe(true);
      const rows = store.settledAbove(ACC, 'INBOX', 0, 0);
      expect(rows.get(1)).toMatchObject({ outcome: 'copied', targetUid: 3 });
      expect(rows.get(2)).toMatchObject({ outcome: 'copied', targetUid: 41 });
      expect(rows.get(3)).toMatchObject({ outcome: 'present', targetUid: 42, size: 103 });
      expect(rows.has(4)).toBe(false);
    } finally {
      store.close();
    }
  });

  it('a handed skip the pass would try again is not taken, even if one travelled', () => {
    const store = open();
    try {
      const h = handed([
        ['k1', { outcome: 'skipped', targetUid: null, reason: RETRIED }],
        ['k2', { outcome: 'skipped', targetUid: null, reason: FINAL }],
      ]);
      const listed = [1, 2].map((uid) => ({ uid, key: `k${uid}`, size: 100 }));
      expect(adoptHandedMessages(store, ACC, 'INBOX', 0, listed, h)).toEqual({ adopted: 1, unmatched: 0 });
      const rows = store.settledAbove(ACC, 'INBOX', 0, 0);
      expect(rows.has(1)).toBe(false);
      expect(rows.get(2)).toMatchObject({ outcome: 'skipped', reason: FINAL });
    } finally {
      store.close();
    }
  });
});
