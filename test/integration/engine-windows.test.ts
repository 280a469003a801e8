/**
 * A big folder is planned in windows of UIDs (imap/plan-folder.ts): metadata, rows and
 * target matches of one window at a time, the target survey in the state store. Here the
 * window is 8 messages, so a 50-message folder takes several windows; a stop between
 * windows with rows lost as a kill between APPEND and row loses them, and a target that
 * already holds some of the messages (copied by hand), must each end with every source
 * message on the target exactly once.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey } from '../../bridge/engine/account-job';
import { imapSource } from '../../bridge/engine/imap/imap-source';
import { runAccount } from '../../bridge/engine/pass-loop';
import type { SourceDriver } from '../../bridge/engine/source-driver';
import type { SourceMessageMeta } from '../../bridge/engine/folder-run';
import type { AccountJob, MigrateHooks } from '../../bridge/engine/account-job';
import type { StateStore } from '../../bridge/engine/state-store';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder, snapshotMailbox, withImap, type MailboxSnapshot } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };
const carol = { user: 'carol@new.example.com', password: 'carol-pw' };
const WINDOW = 8;

/** The IMAP driver, counting the windows planned after a folder's first. */
function countingSource(j: AccountJob): { driver: SourceDriver<SourceMessageMeta>; more: () => number } {
  const inner = imapSource(j);
  let more = 0;
  return {
    more: () => more,
    driver: {
      connect: async (id) => {
        const s = await inner.connect(id);
        return { ...s, planMore: (t, cursor, targetFree) => (more++, s.planMore!(t, cursor, targetFree)) };
      },
    },
  };
}

function migrate(j: AccountJob, store: StateStore, hooks: MigrateHooks = {}) {
  const counting = countingSource(j);
  return runAccount(j, store, { planWindow: WINDOW, ...hooks }, counting.driver, { retrySourceChanged: true }).then((result) => ({ result, windows: 1 + counting.more() }));
}

describe('planning a folder in windows', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let sourceBefore: MailboxSnapshot;

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'win-src', users: [alice] }), startDovecot({ name: 'win-tgt', users: [bob, carol] })]);
    // 80 messages, then a gap of 30 UIDs and a few single ones expunged: 47 left with sparse UIDs,
    // and three identical messages so duplicates count across windows.
    const messages = bulkMessages(80, 811, { minBody: 100, maxBody: 400 });
    messages.push(messages[3]!, messages[3]!, messages[60]!);
    await seedFolder(source, alice, 'INBOX', messages);
    await withImap(source, alice, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete('11:40,45,52,77', { uid: true });
    });
    sourceBefore = await snapshotMailbox(source, alice);
    expect(sourceBefore.folders['INBOX']!.messages.length).toBe(50);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('copies a 50-message folder in several windows, totals from the start, each message once', async () => {
    const state = tempStore();
    try {
      const j = job(plainEndpoint(source, alice), plainEndpoint(target, bob), { concurrency: 2, fixedConcurrency: true, chunkMessages: 3 });
      const totals: number[] = [];
      const { result, windows } = await migrate(j, state.store, { onProgress: (p) => p.folders.forEach((f) => f.source === 'INBOX' && totals.push(f.total)) });
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(50);
      expect(windows).toBeGreaterThanOrEqual(5);
      expect(totals.length).toBeGreaterThan(0);
      expect(totals.every((t) => t === 50), `INBOX totals ${totals.join(',')}`).toBe(true);
      expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
      const cp = state.store.getCheckpoint(accountKey(j), 'INBOX')!;
      expect(cp.lastUid).toBe(83);
      expect(cp.targetUidNext).not.toBeNull();

      // Nothing new: nothing planned beyond the checkpoint, nothing copied.
      const again = await migrate(j, state.store);
      expect(again.result.messagesCopied).toBe(0);
      expect(again.result.messagesAlreadyPresent).toBe(50);
      expect((await readFolder(target, bob, 'INBOX')).length).toBe(50);
      expect(await snapshotMailbox(source, alice)).toEqual(sourceBefore);
    } finally {
      state.cleanup();
    }
  });

  it('stops between windows, loses the last rows as a kill would, resumes: every message exactly once', async () => {
    const state = tempStore();
    try {
      // A target that already holds five of the messages (copied by hand, one of them a duplicate's twin).
      const src = await readFolder(source, alice, 'INBOX', { withRaw: true });
      const handCopied = [src[3]!, src[12]!, src[20]!, src[30]!, src[45]!];
      await seedFolder(target, carol, 'INBOX', handCopied.map((m) => ({ raw: m.raw!, flags: m.flags, internalDate: m.internalDate })));

      const j = job(plainEndpoint(source, alice), plainEndpoint(target, carol), { concurrency: 1, chunkMessages: 3 });
      const stop = new AbortController();
      const first = await migrate(j, state.store, {
        signal: stop.signal,
        onProgress: (p) => {
          if (p.messagesCopied >= 14) stop.abort();
        },
      });
      expect(first.result.error?.code).toBe('CANCELLED');
      expect(first.windows).toBeGreaterThanOrEqual(2);
      const onTargetAtStop = (await readFolder(target, carol, 'INBOX')).length;
      expect(onTargetAtStop).toBeLessThan(50);

      // A kill between APPEND and row: the last four rows and the checkpoint over them are lost.
      const key = accountKey(j);
      const db = new Database(join(state.dir, 'mailmover.sqlite'));
      try {
        const rows = db.prepare(`SELECT uid FROM messages WHERE account = ? AND outcome = 'copied' ORDER BY uid DESC LIMIT 4`).all(key) as Array<{ uid: number }>;
        expect(rows.length).toBe(4);
        const lowest = rows[rows.length - 1]!.uid;
        db.prepare(`DELETE FROM messages WHERE account = ? AND uid >= ?`).run(key, lowest);
        db.prepare(`UPDATE folders SET last_uid = MIN(last_uid, ?) WHERE account = ?`).run(lowest - 1, key);
      } finally {
        db.close();
      }

      const second = await migrate(j, state.store);
      expect(second.result.error).toBeNull();
      expect(second.windows).toBeGreaterThanOrEqual(2);
      const onTarget = await readFolder(target, carol, 'INBOX');
      expect(identities(onTarget)).toEqual(identities(src));
      expect(second.result.messagesCopied + second.result.messagesAlreadyPresent).toBe(50);
      expect(second.result.messagesCopied).toBe(50 - onTargetAtStop);
      expect(await snapshotMailbox(source, alice)).toEqual(sourceBefore);
    } finally {
      state.cleanup();
    }
  });
});
