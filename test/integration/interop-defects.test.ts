/**
 * Regression tests for the defects found when the engine first met servers other than
 * Dovecot, each on the server where it was found: Courier-IMAP as a target that already
 * holds mail, Cyrus rewriting 8-bit header bytes, Courier's POP3 Unicode wrapper, and
 * Cyrus creating special-use folders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { migratePop3Account } from '../../bridge/engine/pop3/migrate-pop3';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { listFolders, readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { bulkMessages, textMessage, trickyMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };
const carol = { user: 'carol@new.example.com', password: 'carol-pw' };

function imap(server: AnyMailServer, user: MailUser): Endpoint {
  return { host: server.host, port: server.imapPort, security: 'starttls', user: user.user, auth: { kind: 'password', password: user.password }, allowPlaintext: false, insecureTls: false, ca: server.caPem };
}

function pop3(server: AnyMailServer, user: MailUser): Endpoint {
  return { ...imap(server, user), protocol: 'pop3', port: server.pop3Port };
}

/** Header bytes as Cyrus stores them: every 8-bit byte of the header replaced by 'X'. */
function munged(raw: Buffer): Buffer {
  const out = Buffer.from(raw);
  const end = out.indexOf('\r\n\r\n');
  for (let i = 0; i < end; i++) if (out[i]! >= 0x80) out[i] = 0x58;
  return out;
}

describe('Courier-IMAP target that already holds mail', () => {
  let source: AnyMailServer;
  let target: AnyMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('dovecot', { name: 'cr-src', users: [alice] }), startMailServer('courier', { name: 'cr-tgt', users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(40, 101));
    await seedFolder(source, alice, 'Work', bulkMessages(15, 102, { prefix: 'w' }));
    // Mail the employee already has in the new mailbox.
    await seedFolder(target, bob, 'INBOX', bulkMessages(5, 103, { prefix: 'own' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('copies every message (none skipped as READ-ONLY), and a lost-state re-run adds nothing', async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(job(imap(source, alice), imap(target, bob), { concurrency: 2, chunkMessages: 10 }), state.store);
      expect(result.error).toBeNull();
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(55);
      const inbox = identities(await readFolder(target, bob, 'INBOX'));
      expect(inbox).toHaveLength(45);
      expect(inbox).toEqual(expect.arrayContaining(identities(await readFolder(source, alice, 'INBOX'))));
      expect(identities(await readFolder(target, bob, 'INBOX.Work'))).toEqual(identities(await readFolder(source, alice, 'Work')));
    } finally {
      state.cleanup();
    }
    const lost = tempStore();
    try {
      const again = await migrateAccount(job(imap(source, alice), imap(target, bob)), lost.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(0);
      expect(again.messagesAlreadyPresent).toBe(55);
      expect(await readFolder(target, bob, 'INBOX')).toHaveLength(45);
    } finally {
      lost.cleanup();
    }
  });
});

describe('Cyrus target: 8-bit header bytes stored as X', () => {
  let source: AnyMailServer;
  let target: AnyMailServer;
  const eightBit = trickyMessages().find((m) => m.label === 'raw 8-bit header')!;

  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('dovecot', { name: 'cy8-src', users: [alice] }), startMailServer('cyrus', { name: 'cy8-tgt', users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', [eightBit, ...bulkMessages(10, 111)]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('reports the change, and neither a lost-state re-run nor a third run copies the message again', async () => {
    const first = tempStore();
    try {
      const result = await migrateAccount(job(imap(source, alice), imap(target, bob)), first.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(11);
      const changed = result.warnings.filter((w) => w.code === 'MESSAGE_CHANGED');
      expect(changed).toHaveLength(1);
      expect(changed[0]!.message).toContain('8-bit header bytes replaced');
    } finally {
      first.cleanup();
    }
    for (const round of [2, 3]) {
      const lost = tempStore();
      try {
        const again = await migrateAccount(job(imap(source, alice), imap(target, bob)), lost.store);
        expect(again.error, `run ${round}`).toBeNull();
        expect(again.messagesCopied, `run ${round}`).toBe(0);
      } finally {
        lost.cleanup();
      }
    }
    const stored = await readFolder(target, bob, 'INBOX', { withRaw: true });
    expect(stored).toHaveLength(11);
    expect(stored.filter((m) => m.raw!.equals(munged(eightBit.raw)))).toHaveLength(1);
  });
});

describe('Courier POP3 source: raw UTF-8 headers', () => {
  let source: AnyMailServer;
  let target: AnyMailServer;
  const utf8Header = textMessage({ id: 'utf8-pop', from: '王五 <wangwu@old.example.com>', subject: '季度报告', body: '正文' });

  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('courier', { name: 'cp-src', users: [alice] }), startMailServer('dovecot', { name: 'cp-tgt', users: [carol] })]);
    await seedFolder(source, alice, 'INBOX', [{ raw: utf8Header, flags: [], internalDate: new Date('2024-03-01T00:00:00Z') }, ...bulkMessages(4, 121)]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('stores the real message, not the server\'s wrapper, and leaves the source unread', async () => {
    const before = await snapshotMailbox(source, alice);
    const state = tempStore();
    try {
      const result = await migratePop3Account(job(pop3(source, alice), imap(target, carol)), state.store);
      expect(result.error).toBeNull();
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(5);
      const stored = await readFolder(target, carol, 'INBOX', { withRaw: true });
      expect(stored.filter((m) => m.raw!.equals(utf8Header))).toHaveLength(1);
      expect(stored.some((m) => m.raw!.includes('Cannot display Unicode content'))).toBe(false);
      expect(identities(stored)).toHaveLength(5);
    } finally {
      state.cleanup();
    }
    expect(await snapshotMailbox(source, alice)).toEqual(before);
  });
});

describe('Cyrus target without special-use folders yet', () => {
  let source: AnyMailServer;
  let target: AnyMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: 'su-src', users: [alice] }),
      startMailServer('cyrus', { name: 'su-tgt', users: [bob], specialUse: false }),
    ]);
    for (const f of ['Sent', 'Drafts', 'Trash', 'Junk']) await seedFolder(source, alice, f, bulkMessages(2, 130 + f.length, { prefix: f }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('creates Sent, Drafts, Trash and Junk with their special-use flags', async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(job(imap(source, alice), imap(target, bob)), state.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(8);
      const folders = await listFolders(target, bob);
      const byUse = Object.fromEntries(folders.filter((f) => f.specialUse).map((f) => [f.specialUse, f.path]));
      expect(byUse).toMatchObject({ '\\Sent': 'INBOX.Sent', '\\Drafts': 'INBOX.Drafts', '\\Trash': 'INBOX.Trash', '\\Junk': 'INBOX.Junk' });
    } finally {
      state.cleanup();
    }
  });
});
