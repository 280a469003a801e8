/**
 * A POP3 source (Courier) that cannot read one message of the maildrop: Courier's pop3d
 * answers its TOP with "+OK", hits the read error and exits ("All we can do is drop the
 * connection", pop3dserver.c), every time. The engine sends that message alone on a fresh
 * session, and when it drops that one too while other messages came through, skips it with
 * a reason (not for good: the next run tries it again) and copies the rest of the maildrop,
 * each message once. A link that drops every session in a body is no bad message: the
 * account fails as a connection problem and nothing is skipped.
 *
 * Cyrus answers the TOP of a message it cannot read with "-ERR [SYS/PERM] Could not read
 * message file": skipped as unreadable in its words, not as a message deleted meanwhile.
 *
 * The damaged message is a directory in place of its file: Courier opens it (fopen of a
 * directory succeeds) and its first read fails with EISDIR, as a read error of a damaged
 * disk does. The maildrop was read over POP3 once before, so Courier knows every size from
 * its size list; on a maildrop no POP3 client has read, it opens every new file at login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipIsFinal } from '../../bridge/engine/append-refusal';
import { migrate } from '../../bridge/engine/migrate';
import { Pop3Client } from '../../bridge/engine/pop3/client';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder, snapshotMailbox, type MailboxMessage } from '../harness/mailbox';
import { startMailServer, type CourierServer, type CyrusServer } from '../harness/servers';
import { cyrusMessageFile, emptyFile, maildirMessageFile, makeUnreadable, replaceWithDirectory } from '../support/message-files';
import { bulkMessages } from '../support/corpus';
import { startCuttingProxy } from '../support/cutting-proxy';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { pop3Endpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'Pop3-unreadable-src-pw' };
const carl = { user: 'carl@old.example.com', password: 'Pop3-unreadable-cut-src-pw' };
const eve = { user: 'eve@old.example.com', password: 'Pop3-unreadable-first-src-pw' };
const bob = { user: 'bob@new.example.com', password: 'Pop3-unreadable-tgt-pw' };
const finn = { user: 'finn@new.example.com', password: 'Pop3-unreadable-first-tgt-pw' };
const gail = { user: 'gail@old.example.com', password: 'Pop3-unreadable-login-src-pw' };
const hugo = { user: 'hugo@new.example.com', password: 'Pop3-unreadable-login-tgt-pw' };
const dora = { user: 'dora@new.example.com', password: 'Pop3-unreadable-cut-tgt-pw' };
const ines = { user: 'ines@old.example.com', password: 'Pop3-unreadable-empty-src-pw' };
const jack = { user: 'jack@new.example.com', password: 'Pop3-unreadable-empty-tgt-pw' };

/** The Maildir file of the INBOX message whose Message-ID is `<id@...>`. */
const messageFile = (server: CourierServer, user: string, id: string): string => maildirMessageFile(server.maildir(user), id);

const shas = (msgs: MailboxMessage[]): string[] => msgs.map((m) => m.sha256).sort();

/** One POP3 session that lists the maildrop, as a mail client that read it before. */
async function listOnce(server: CourierServer, user: { user: string; password: string }): Promise<void> {
  const pop = await Pop3Client.connect(pop3Endpoint(server, user));
  await pop.list();
  await pop.quit();
}

describe('a message the POP3 source cannot read (Courier drops the session)', () => {
  let source: CourierServer;
  let target: DovecotServer;
  const inbox = bulkMessages(8, 881);

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('courier', { name: 'pop3-unreadable-src', users: [alice, carl, eve, gail, ines] }) as Promise<CourierServer>,
      startDovecot({ name: 'pop3-unreadable-tgt', users: [bob, dora, finn, hugo, jack] }),
    ]);
    await seedFolder(source, alice, 'INBOX', inbox);
    await seedFolder(source, eve, 'INBOX', bulkMessages(5, 883));
    await seedFolder(source, gail, 'INBOX', bulkMessages(3, 884));
    await seedFolder(source, ines, 'INBOX', bulkMessages(4, 885));
    // Bodies of 20 to 40 KB: a cut after 8 KB of a session's answers falls in the first body it sends.
    await seedFolder(source, carl, 'INBOX', bulkMessages(6, 882, { minBody: 20_000, maxBody: 40_000 }));
    await Promise.all([listOnce(source, alice), listOnce(source, carl), listOnce(source, eve)]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('is skipped with the reason, again by a run while it is still damaged, copied by the run after the repair; the rest of the maildrop is copied once', async () => {
    // POP3 copies carry no flags and get their date from the header: compared by bytes.
    const srcInbox = await readFolder(source, alice, 'INBOX', { withRaw: true });
    const before = await snapshotMailbox(source, alice);
    // The fourth message: neither end of the maildrop nor of a chunk of 3.
    const damaged = messageFile(source, alice.user, 'm-881-3');
    const damagedSha = srcInbox.filter((m) => m.raw!.includes('Message-ID: <m-881-3@')).map((m) => m.sha256);
    expect(damagedSha).toHaveLength(1);
    const state = tempStore();
    const options = { chunkMessages: 3, maxAttempts: 3 };
    const endpoints = [pop3Endpoint(source, alice), plainEndpoint(target, bob)] as const;
    const repair = replaceWithDirectory(damaged);
    try {
      const first = await migrate(job(...endpoints, options), state.store);
      expect(first.error).toBeNull();
      expect(first.messagesCopied).toBe(7);
      expect(first.skipped).toHaveLength(1);
      expect(first.skipped[0]!.reason).toContain('the source server could not read this message');
      expect(first.skipped[0]!.reason).toContain('POP3 UIDL');
      expect(first.skipped[0]!.reason).toContain('check the message on the old server');
      expect(shas(await readFolder(target, bob, 'INBOX'))).toEqual(shas(srcInbox).filter((sha) => sha !== damagedSha[0]));

      // Still damaged: a run with nothing else to copy skips it again, as the first run did, instead of failing the account.
      const again = await migrate(job(...endpoints, options), state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(0);
      expect(again.skipped).toHaveLength(1);
      expect(again.skipped[0]!.reason).toContain('the source server could not read this message');

      // Readable again: the next run copies that message, and only it.
      repair();
      const second = await migrate(job(...endpoints, options), state.store);
      expect(second.error).toBeNull();
      expect(second.status).toBe('done');
      expect(second.skipped).toEqual([]);
      expect(second.messagesCopied).toBe(1);
      expect(shas(await readFolder(target, bob, 'INBOX'))).toEqual(shas(srcInbox));
    } finally {
      repair();
      state.cleanup();
    }
    expect(await snapshotMailbox(source, alice)).toEqual(before);
  });

  it('the first message of the maildrop: the pass that finds nothing came through fails, the next sends it last and skips it', async () => {
    const srcInbox = await readFolder(source, eve, 'INBOX', { withRaw: true });
    const damaged = messageFile(source, eve.user, 'm-883-0');
    const damagedSha = srcInbox.filter((m) => m.raw!.includes('Message-ID: <m-883-0@')).map((m) => m.sha256);
    const state = tempStore();
    const repair = replaceWithDirectory(damaged);
    try {
      const result = await migrate(job(pop3Endpoint(source, eve), plainEndpoint(target, finn), { maxAttempts: 3 }), state.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(4);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]!.reason).toContain('the source server could not read this message');
      expect(shas(await readFolder(target, finn, 'INBOX'))).toEqual(shas(srcInbox).filter((sha) => sha !== damagedSha[0]));
    } finally {
      repair();
      state.cleanup();
    }
  });

  it('a maildrop no POP3 client has read, with a file Courier cannot open: the login is closed, and the error says what to check', async () => {
    // Courier sizes every new message at login and exits on one it cannot open.
    const damaged = messageFile(source, gail.user, 'm-884-1');
    const repair = makeUnreadable(damaged);
    const state = tempStore();
    try {
      const result = await migrate(job(pop3Endpoint(source, gail), plainEndpoint(target, hugo), { maxAttempts: 2 }), state.store);
      expect(result.error?.code).toBe('CONNECT_FAILED');
      expect(result.error?.message).toContain('gail@old.example.com');
      expect(result.error?.message).toContain('closed the connection during the login');
      expect(result.error?.message).toContain('migrate it over IMAP');
      expect(result.messagesCopied).toBe(0);
    } finally {
      repair();
      state.cleanup();
    }
  });

  it('an empty message file (a delivery cut short): skipped as unreadable, never stored empty, and tried again by the next run', async () => {
    const damaged = messageFile(source, ines.user, 'm-885-2');
    // Never listed before: Courier sizes it at the login, LIST says 0 bytes and RETR sends nothing.
    const repair = emptyFile(damaged);
    const state = tempStore();
    const endpoints = [pop3Endpoint(source, ines), plainEndpoint(target, jack)] as const;
    try {
      for (const run of [1, 2]) {
        const result = await migrate(job(...endpoints, { maxAttempts: 3 }), state.store);
        expect(result.error).toBeNull();
        expect(result.messagesCopied).toBe(run === 1 ? 3 : 0);
        expect(result.skipped).toHaveLength(1);
        const reason = result.skipped[0]!.reason;
        expect(reason).toMatch(/^SOURCE_UNREADABLE: the source server could not read this message: it sent the message empty \(0 bytes\)/);
        expect(reason).toContain('POP3 UIDL');
        expect(skipIsFinal(reason)).toBe(false);
        // Dovecot refuses an empty APPEND, Courier-IMAP stores one: it is never sent.
        const stored = await readFolder(target, jack, 'INBOX');
        expect(stored).toHaveLength(3);
        expect(stored.every((m) => m.rfc822Size > 0)).toBe(true);
      }
    } finally {
      repair();
      state.cleanup();
    }
  });

  it('a link that drops every session in a body fails the account as a connection problem and skips nothing', async () => {
    const proxy = await startCuttingProxy(source.pop3Port, { afterBytes: 8000, cuts: 1000, countServerBytes: true });
    const state = tempStore();
    try {
      const result = await migrate(job({ ...pop3Endpoint(source, carl), port: proxy.port }, plainEndpoint(target, dora), { maxAttempts: 3 }), state.store);
      expect(result.error?.code).toBe('CONNECT_FAILED');
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(0);
      expect(proxy.cutCount()).toBeGreaterThanOrEqual(3);
      expect(await readFolder(target, dora, 'INBOX')).toEqual([]);
    } finally {
      state.cleanup();
      await proxy.close();
    }
  });
});

describe('a message the POP3 source cannot read (Cyrus answers -ERR [SYS/PERM])', () => {
  let source: CyrusServer;
  let target: DovecotServer;
  const ivan = { user: 'ivan@old.example.com', password: 'Pop3-unreadable-cyrus-src-pw' };
  const jane = { user: 'jane@new.example.com', password: 'Pop3-unreadable-cyrus-tgt-pw' };

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('cyrus', { name: 'pop3-unreadable-cyrus-src', users: [ivan] }) as Promise<CyrusServer>,
      startDovecot({ name: 'pop3-unreadable-cyrus-tgt', users: [jane] }),
    ]);
    await seedFolder(source, ivan, 'INBOX', bulkMessages(5, 885));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('is skipped as unreadable in the server\'s words (not as deleted), and the rest is copied once', async () => {
    const srcInbox = await readFolder(source, ivan, 'INBOX', { withRaw: true });
    const damagedSha = srcInbox.filter((m) => m.raw!.includes('Message-ID: <m-885-2@')).map((m) => m.sha256);
    // Cyrus runs as its own user: a spool file it may not open is one it cannot read.
    const damaged = cyrusMessageFile(source, 'm-885-2');
    const repair = makeUnreadable(damaged);
    const state = tempStore();
    try {
      const result = await migrate(job(pop3Endpoint(source, ivan), plainEndpoint(target, jane)), state.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(4);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]!.reason).toContain('the source server could not read this message');
      expect(result.skipped[0]!.reason).toContain('[SYS/PERM]');
      expect(result.skipped[0]!.reason).not.toContain('deleted');
      expect(shas(await readFolder(target, jane, 'INBOX'))).toEqual(shas(srcInbox).filter((sha) => sha !== damagedSha[0]));
    } finally {
      repair();
      state.cleanup();
    }
  });
});
