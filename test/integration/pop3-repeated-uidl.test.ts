/**
 * A broken POP3 server that gives several messages the same UIDL (RFC 1939 section 7 asks
 * for a unique one per message). Dovecot does this when its UIDL format holds only the
 * INBOX's UIDVALIDITY (`pop3_uidl_format = %08Xv`). Those messages must still be told apart
 * across runs: when one of them is deleted on the source and new mail arrives under the same
 * UIDL, the new mail must not be taken for a message already copied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder, withImap } from '../harness/mailbox';
import { bigMessage, bulkMessages } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { pop3Endpoint } from './pop3-support';

const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Repeated-uidl-src-pw-1' };
const carol: DovecotUser = { user: 'carol@old.example.com', password: 'Repeated-uidl-src-pw-3' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Repeated-uidl-tgt-pw-2' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Repeated-uidl-tgt-pw-4' };
const erin: DovecotUser = { user: 'erin@old.example.com', password: 'Repeated-uidl-src-pw-5' };
const frank: DovecotUser = { user: 'frank@new.example.com', password: 'Repeated-uidl-tgt-pw-6' };

describe('POP3 source whose server repeats a UIDL', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let small: DovecotServer;
  beforeAll(async () => {
    [src, tgt, small] = await Promise.all([
      // Every message of a mailbox gets the same UIDL: the INBOX's UIDVALIDITY.
      startDovecot({ name: 'pop3-repeated-src', users: [alice, carol, erin], extraConfig: 'pop3_uidl_format = %08Xv' }),
      startDovecot({ name: 'pop3-repeated-tgt', users: [bob, dave] }),
      startDovecot({ name: 'pop3-repeated-small', users: [frank], maxMailSize: 20_000 }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop(), small?.stop()]);
  });

  async function sourceUidls(from: DovecotUser): Promise<string[]> {
    const { Pop3Client } = await import('../../bridge/engine/pop3/client');
    const pop = await Pop3Client.connect(pop3Endpoint(src, from));
    try {
      return (await pop.uidl()).map((e) => e.uidl);
    } finally {
      await pop.quit();
    }
  }

  /** Deletes the source's first message (by IMAP: POP3 DELE is what the migration never sends). */
  async function deleteFirstOnSource(from: DovecotUser): Promise<void> {
    await withImap(src, from, async (client) => {
      const lock = await client.getMailboxLock('INBOX');
      try {
        expect(await client.messageDelete('1', { uid: false })).toBe(true);
      } finally {
        lock.release();
      }
    });
  }

  const sorted = (messages: Array<{ sha256: string }>): string[] => messages.map((m) => m.sha256).sort();

  it('one of them deleted, new mail under the same UIDL: the new mail is copied, nothing twice', async () => {
    const first = bulkMessages(3, 71, { prefix: 'rep-a' });
    await seedFolder(src, alice, 'INBOX', first);
    expect(new Set(await sourceUidls(alice)).size).toBe(1);
    const state = tempStore();
    try {
      const theJob = job(pop3Endpoint(src, alice), plainEndpoint(tgt, bob));
      expect((await migrate(theJob, state.store)).messagesCopied).toBe(3);

      await deleteFirstOnSource(alice);
      await seedFolder(src, alice, 'INBOX', bulkMessages(1, 72, { prefix: 'rep-b' }));
      expect(new Set(await sourceUidls(alice)).size).toBe(1);

      const again = await migrate(theJob, state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(1);
      expect(again.warnings.some((w) => w.code === 'PROTOCOL_ERROR' && /gives 3 messages a UIDL/.test(w.message))).toBe(true);
      const target = await readFolder(tgt, bob, 'INBOX');
      const source = await readFolder(src, alice, 'INBOX');
      // The target keeps the deleted message's copy; every source message is there once.
      expect(target).toHaveLength(4);
      expect(sorted(target)).toEqual(expect.arrayContaining(sorted(source)));
      expect(new Set(sorted(target)).size).toBe(4);

      const third = await migrate(theJob, state.store);
      expect(third.error).toBeNull();
      expect(third.messagesCopied).toBe(0);

      // verify names each message by the key the migration recorded for it: all three found, the deleted one's copy extra.
      const checked = await verifyAccount(theJob, { deep: true, stateDir: state.dir });
      expect(checked.totals).toMatchObject({ matched: 3, missing: 0, extra: 1, changed: 0, skipped: 0 });
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('identical messages under one UIDL: each is copied once, and deleting one copies nothing again', async () => {
    const [m] = bulkMessages(1, 73, { prefix: 'rep-same' });
    const other = bulkMessages(1, 74, { prefix: 'rep-other' });
    await seedFolder(src, carol, 'INBOX', [m!, m!, ...other]);
    const state = tempStore();
    try {
      const theJob = job(pop3Endpoint(src, carol), plainEndpoint(tgt, dave));
      expect((await migrate(theJob, state.store)).messagesCopied).toBe(3);
      expect(sorted(await readFolder(tgt, dave, 'INBOX'))).toEqual(sorted(await readFolder(src, carol, 'INBOX')));

      await deleteFirstOnSource(carol);
      const again = await migrate(theJob, state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(0);
      expect(await readFolder(tgt, dave, 'INBOX')).toHaveLength(3);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('verify finds the skip recorded for a message under a repeated UIDL: skipped, not missing', async () => {
    await seedFolder(src, erin, 'INBOX', [...bulkMessages(2, 75, { prefix: 'rep-fit' }), { raw: bigMessage(40_000, 'rep-big'), flags: [], internalDate: new Date('2021-02-05T10:00:00Z') }]);
    const state = tempStore();
    try {
      const theJob = job(pop3Endpoint(src, erin), plainEndpoint(small, frank));
      const done = await migrate(theJob, state.store);
      expect([done.messagesCopied, done.messagesSkipped]).toEqual([2, 1]);
      const checked = await verifyAccount(theJob, { deep: false, stateDir: state.dir });
      expect(checked.totals).toMatchObject({ matched: 2, missing: 0, extra: 0, skipped: 1 });
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
