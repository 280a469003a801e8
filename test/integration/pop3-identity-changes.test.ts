/**
 * A POP3 source whose messages are known under other names than in the last run: the server
 * gave them new UIDLs (Dovecot's default UIDL format holds the INBOX's UIDVALIDITY, which an
 * index rebuild or a restore changes), or the account was read over IMAP before and over POP3
 * now (the bridge service keeps an account's state key when its job's server changes). The
 * messages already copied are recognised on the target by fingerprint, not stored again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder, setUidValidity } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { pop3Endpoint } from './pop3-support';

const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Uidl-change-src-pw-1' };
const erin: DovecotUser = { user: 'erin@old.example.com', password: 'Uidl-cut-src-pw-5' };
const frank: DovecotUser = { user: 'frank@new.example.com', password: 'Uidl-cut-tgt-pw-6' };
const carol: DovecotUser = { user: 'carol@old.example.com', password: 'Imap-then-pop3-src-pw-3' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Uidl-change-tgt-pw-2' };
const dave: DovecotUser = { user: 'dave@new.example.com', password: 'Imap-then-pop3-tgt-pw-4' };

describe('POP3 source: messages known under other names than in the last run', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'pop3-names-src', users: [alice, carol, erin], extraConfig: 'pop3_no_flag_updates = yes' }),
      startDovecot({ name: 'pop3-names-tgt', users: [bob, dave, frank] }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
  });

  async function expectSameInbox(from: DovecotUser, into: DovecotUser): Promise<void> {
    const source = await readFolder(src, from, 'INBOX');
    const target = await readFolder(tgt, into, 'INBOX');
    expect(target.map((m) => m.sha256).sort()).toEqual(source.map((m) => m.sha256).sort());
  }

  it('new UIDLs for every message (the INBOX got a new UIDVALIDITY), one new message: only that one is copied', async () => {
    await seedFolder(src, alice, 'INBOX', bulkMessages(5, 11, { prefix: 'uidl' }));
    const state = tempStore();
    try {
      const theJob = job(pop3Endpoint(src, alice), plainEndpoint(tgt, bob));
      expect((await migrate(theJob, state.store)).messagesCopied).toBe(5);
      await setUidValidity(src, alice, 'INBOX', 777777);
      await seedFolder(src, alice, 'INBOX', bulkMessages(1, 12, { prefix: 'late' }));
      const again = await migrate(theJob, state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(1);
      await expectSameInbox(alice, bob);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('new UIDLs, and the pass that noticed them cut before its first row: the next pass copies nothing again', async () => {
    await seedFolder(src, erin, 'INBOX', bulkMessages(5, 13, { prefix: 'cut' }));
    const state = tempStore();
    try {
      const theJob = job(pop3Endpoint(src, erin), plainEndpoint(tgt, frank), { maxAttempts: 1 });
      expect((await migrate(theJob, state.store)).messagesCopied).toBe(5);
      await setUidValidity(src, erin, 'INBOX', 888888);
      await seedFolder(src, erin, 'INBOX', bulkMessages(1, 14, { prefix: 'late' }));
      // The rows of the old UIDLs are forgotten at once; a process that died before writing the
      // next row leaves no sign of them but the checkpoint.
      const record = state.store.recordMessages.bind(state.store);
      state.store.recordMessages = () => {
        throw new Error('simulated crash: the process died before this row was written');
      };
      const cut = await migrate(theJob, state.store);
      state.store.recordMessages = record;
      expect(cut.status).toBe('failed');
      const again = await migrate(theJob, state.store);
      expect(again.error).toBeNull();
      // The cut pass stored the new message before it died (its row is what was lost): all six are there.
      expect([again.messagesCopied, again.messagesAlreadyPresent]).toEqual([0, 6]);
      await expectSameInbox(erin, frank);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('read over IMAP, then over POP3 under the same state key: nothing is copied again', async () => {
    await seedFolder(src, carol, 'INBOX', bulkMessages(4, 41, { prefix: 'i2p' }).map((m) => ({ ...m, flags: [] })));
    const state = tempStore();
    try {
      const overImap = { ...job(plainEndpoint(src, carol), plainEndpoint(tgt, dave), { includeFolders: ['INBOX'] }), stateKey: 'account:a1' };
      expect((await migrate(overImap, state.store)).messagesCopied).toBe(4);
      const overPop3 = { ...job(pop3Endpoint(src, carol), plainEndpoint(tgt, dave)), stateKey: 'account:a1' };
      const again = await migrate(overPop3, state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(0);
      await expectSameInbox(carol, dave);
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
