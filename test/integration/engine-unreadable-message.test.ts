/**
 * One message the source server cannot read (its file unreadable to the mail process, as a
 * damaged message on a real provider): Dovecot drops the session in the middle of the FETCH
 * that reads it ("FETCH failed ... Permission denied"), every time. The engine narrows the
 * failing UID set down to that message, skips it with the server's words as a skip a later
 * run tries again, and copies everything else, the other folders too, each message once.
 * A connection that is cut on every fetch is no bad message: it fails the account as a
 * connection problem, and nothing is skipped.
 */
import { chmodSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey } from '../../bridge/engine/account-job';
import { FINGERPRINT_HEADERS } from '../../bridge/engine/fingerprint';
import { migrate } from '../../bridge/engine/migrate';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder, snapshotMailbox, withImap } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { startCuttingProxy } from '../support/cutting-proxy';
import { startMailServer, type CyrusServer } from '../harness/servers';
import { imapEndpoint } from './matrix-engine-support';
import { cyrusMessageFile, maildirMessageFile } from '../support/message-files';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import type { AccountResult } from '../../shared/migration';

const alice = { user: 'alice@old.example.com', password: 'Unreadable-src-pw' };
const bob = { user: 'bob@new.example.com', password: 'Unreadable-tgt-pw' };
const carol = { user: 'carol@new.example.com', password: 'Unreadable-cut-pw' };
const dan = { user: 'dan@old.example.com', password: 'Unreadable-body-src-pw' };
const erin = { user: 'erin@new.example.com', password: 'Unreadable-body-tgt-pw' };
const fay = { user: 'fay@old.example.com', password: 'Unreadable-cut-src-pw' };
const gus = { user: 'gus@old.example.com', password: 'Unreadable-folder-src-pw' };
const hal = { user: 'hal@new.example.com', password: 'Unreadable-folder-tgt-pw' };
const gwen = { user: 'gwen@old.example.com', password: 'Unreadable-folder2-src-pw' };
const hank = { user: 'hank@new.example.com', password: 'Unreadable-folder2-tgt-pw' };
const ivy = { user: 'ivy@old.example.com', password: 'Unreadable-short-src-pw' };
const jon = { user: 'jon@new.example.com', password: 'Unreadable-short-tgt-pw' };
const kim = { user: 'kim@old.example.com', password: 'Unreadable-two-src-pw' };
const lee = { user: 'lee@new.example.com', password: 'Unreadable-two-tgt-pw' };

/** The Maildir file of the INBOX message whose Message-ID is `<id@...>`, as the server stores it. */
const messageFile = (server: DovecotServer, user: string, id: string): string => maildirMessageFile(join(server.userHome(user), 'Maildir'), id);

type MailboxMessages = Awaited<ReturnType<typeof readFolder>>;

/** The first pass left out exactly the damaged message, in the server's words, and copied the rest once. */
async function expectOnlyItSkipped(
  first: AccountResult,
  uid: number,
  target: DovecotServer,
  user: { user: string; password: string },
  src: { inbox: MailboxMessages; work: MailboxMessages },
): Promise<void> {
  expect(first.error).toBeNull();
  expect(first.messagesCopied).toBe(24);
  expect(first.skipped).toHaveLength(1);
  expect(first.skipped[0]).toMatchObject({ folder: 'INBOX', uid });
  expect(first.skipped[0]!.reason).toContain('the source server could not read this message');
  expect(identities(await readFolder(target, user, 'INBOX'))).toEqual(identities(src.inbox.filter((m) => m.uid !== uid)));
  expect(identities(await readFolder(target, user, 'Work'))).toEqual(identities(src.work));
}

/** After the repair, the next pass copied that one message and nothing else. */
async function expectOnlyItCopied(second: AccountResult, target: DovecotServer, user: { user: string; password: string }, srcInbox: MailboxMessages): Promise<void> {
  expect(second.error).toBeNull();
  expect(second.skipped).toEqual([]);
  expect(second.messagesCopied).toBe(1);
  expect(identities(await readFolder(target, user, 'INBOX'))).toEqual(identities(srcInbox));
}

describe('a source message the server cannot read', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const inbox = bulkMessages(20, 731);
  const work = bulkMessages(5, 732, { prefix: 'w' });

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'unreadable-src', users: [alice, dan, fay, gus, ivy, gwen, kim] }),
      startDovecot({ name: 'unreadable-tgt', users: [bob, carol, erin, hal, jon, hank, lee] }),
    ]);
    for (const user of [alice, dan, ivy]) {
      await seedFolder(source, user, 'INBOX', inbox);
      await seedFolder(source, user, 'Work', work);
    }
    // Bodies of 20 to 40 KB: a cut after 8 KB of a connection's answers falls in a body, whichever messages its FETCH asks for.
    await seedFolder(source, gus, 'INBOX', bulkMessages(4, 734));
    await seedFolder(source, gus, 'Work', work);
    await seedFolder(source, gwen, 'INBOX', bulkMessages(4, 735));
    await seedFolder(source, gwen, 'Work', bulkMessages(60, 736, { prefix: 'w' }));
    await seedFolder(source, fay, 'INBOX', bulkMessages(20, 733, { minBody: 20_000, maxBody: 40_000 }));
    await seedFolder(source, kim, 'INBOX', bulkMessages(4, 737));
    await seedFolder(source, kim, 'Work', bulkMessages(10, 738, { prefix: 'w' }));
    await seedFolder(source, kim, 'Zeta', bulkMessages(5, 739, { prefix: 'z' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('is skipped with the server\'s words and tried again by the next run; everything else is copied once', async () => {
    const before = await snapshotMailbox(source, alice);
    // Read while every message is readable: the damaged one cannot be read by the test either.
    const srcInbox = await readFolder(source, alice, 'INBOX');
    const srcWork = await readFolder(source, alice, 'Work');
    // The eighth message of the INBOX (UID 8): neither end of a UID window.
    const damaged = messageFile(source, alice.user, 'm-731-7');
    const state = tempStore();
    const options = { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 3 };
    chmodSync(damaged, 0o000);
    try {
      const first = await migrate(job(plainEndpoint(source, alice), plainEndpoint(target, bob), options), state.store);
      await expectOnlyItSkipped(first, 8, target, bob, { inbox: srcInbox, work: srcWork });
      expect(first.skipped[0]!.reason).toContain('check the message on the old server');

      // The message is readable again: the next run copies it, and only it.
      chmodSync(damaged, 0o600);
      const second = await migrate(job(plainEndpoint(source, alice), plainEndpoint(target, bob), options), state.store);
      await expectOnlyItCopied(second, target, bob, srcInbox);
      expect(second.status).toBe('done');
      expect(identities(await readFolder(target, bob, 'Work'))).toEqual(identities(srcWork));
    } finally {
      chmodSync(damaged, 0o600);
      state.cleanup();
    }
    expect(await snapshotMailbox(source, alice)).toEqual(before);
  });

  it('a body the server cannot read, its listing served from the index: skipped at the copy, the rest copied once', async () => {
    const before = await snapshotMailbox(source, dan);
    const srcInbox = await readFolder(source, dan, 'INBOX');
    const srcWork = await readFolder(source, dan, 'Work');
    // Dovecot keeps the header fields a client asked for in its index cache: the planning
    // FETCH is then answered without opening the file, and only the body FETCH fails.
    await withImap(source, dan, async (client) => {
      await client.mailboxOpen('INBOX', { readOnly: true });
      await client.fetchAll('1:*', { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS] });
    });
    const damaged = messageFile(source, dan.user, 'm-731-12');
    const state = tempStore();
    const migration = job(plainEndpoint(source, dan), plainEndpoint(target, erin), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 3 });
    chmodSync(damaged, 0o000);
    try {
      const first = await migrate(migration, state.store);
      await expectOnlyItSkipped(first, 13, target, erin, { inbox: srcInbox, work: srcWork });
      // Its metadata was read (planned), so the body FETCH is where it failed.
      const inboxCp = state.store.checkpoints(accountKey(migration)).find((cp) => cp.sourceFolder === 'INBOX')!;
      const row = state.store.settledBetween(accountKey(migration), 'INBOX', inboxCp.uidValidity, 13, 13).get(13)!;
      expect(row.outcome).toBe('skipped');
      expect(row.size).toBe(srcInbox.find((m) => m.uid === 13)!.rfc822Size);

      chmodSync(damaged, 0o600);
      await expectOnlyItCopied(await migrate(migration, state.store), target, erin, srcInbox);
    } finally {
      chmodSync(damaged, 0o600);
      state.cleanup();
    }
    expect(await snapshotMailbox(source, dan)).toEqual(before);
  });

  it('a message file cut short ("Broken physical size"): skipped, the rest copied once; whole again, copied by the next run', async () => {
    const srcInbox = await readFolder(source, ivy, 'INBOX');
    const srcWork = await readFolder(source, ivy, 'Work');
    const damaged = messageFile(source, ivy.user, 'm-731-7');
    const whole = readFileSync(damaged);
    // Dovecot's Maildir keeps a message's date as its file's mtime: restored with the bytes.
    const { atime, mtime } = statSync(damaged);
    const restore = (): void => {
      writeFileSync(damaged, whole);
      utimesSync(damaged, atime, mtime);
    };
    const state = tempStore();
    const migration = job(plainEndpoint(source, ivy), plainEndpoint(target, jon), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 3 });
    // Shorter than the size the server's index records: Dovecot drops the session over it.
    truncateSync(damaged, 600);
    try {
      const first = await migrate(migration, state.store);
      await expectOnlyItSkipped(first, 8, target, jon, { inbox: srcInbox, work: srcWork });

      restore();
      await expectOnlyItCopied(await migrate(migration, state.store), target, jon, srcInbox);
    } finally {
      restore();
      state.cleanup();
    }
  });

  it('a folder none of whose messages can be read fails the account as that folder, after every other folder is copied', async () => {
    const srcWork = await readFolder(source, gus, 'Work');
    // Not one message of the INBOX can be read, while the Work folder came through: the
    // folder, not the link. Nothing is skipped (thousands of messages would each cost a
    // connection); the account fails naming the folder, and the next run tries it again.
    const damaged = [0, 1, 2, 3].map((i) => messageFile(source, gus.user, `m-734-${i}`));
    const state = tempStore();
    for (const file of damaged) chmodSync(file, 0o000);
    try {
      const retried: string[] = [];
      const result = await migrate(job(plainEndpoint(source, gus), plainEndpoint(target, hal), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 5 }), state.store, {
        onRetry: (err) => retried.push(err.code),
      });
      expect(result.status).toBe('failed');
      // The first failure of the INBOX's FETCH is retried (a cut link would pass); once it is
      // FOLDER_UNREADABLE, the run ends: another attempt narrows it again on a dozen fresh
      // connections to fail the same way (before: retried until maxAttempts).
      expect(retried).toHaveLength(1);
      expect(retried).not.toContain('FOLDER_UNREADABLE');
      expect(result.error).toMatchObject({ code: 'FOLDER_UNREADABLE', side: 'source', facts: { kind: 'folder-unreadable', folder: 'INBOX' } });
      expect(result.error?.message).toContain('could not read any message of folder "INBOX"');
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(srcWork.length);
      expect(identities(await readFolder(target, hal, 'Work'))).toEqual(identities(srcWork));
      expect(await readFolder(target, hal, 'INBOX')).toEqual([]);
    } finally {
      for (const file of damaged) chmodSync(file, 0o600);
      state.cleanup();
    }
  });

  it('an unreadable folder and another that failed an attempt too (one damaged message): the other is still copied in the same run, the account ends naming the unreadable one', async () => {
    // INBOX: not one message readable. Work: one damaged message, whose first failure is left
    // to a retry like a cut link. Both then go last, one at a time; when the INBOX went first,
    // its FOLDER_UNREADABLE ended the run and Work's other nine waited for the next run.
    const srcWork = await readFolder(source, kim, 'Work', { withRaw: true });
    const srcZeta = await readFolder(source, kim, 'Zeta');
    const damaged = [0, 1, 2, 3].map((i) => messageFile(source, kim.user, `m-737-${i}`));
    const workFile = maildirMessageFile(join(source.userHome(kim.user), 'Maildir', 'Work'), 'w-738-4');
    const workUid = srcWork.find((m) => m.raw!.toString('latin1').includes('Message-ID: <w-738-4@'))!.uid;
    const state = tempStore();
    for (const file of [...damaged, workFile]) chmodSync(file, 0o000);
    try {
      const retried: string[] = [];
      const result = await migrate(job(plainEndpoint(source, kim), plainEndpoint(target, lee), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 5 }), state.store, {
        onRetry: (err) => retried.push(err.code),
      });
      expect(result.error).toMatchObject({ code: 'FOLDER_UNREADABLE', facts: { kind: 'folder-unreadable', folder: 'INBOX' } });
      expect(result.skipped.map((m) => [m.folder, m.uid])).toEqual([['Work', workUid]]);
      expect(identities(await readFolder(target, lee, 'Work'))).toEqual(identities(srcWork.filter((m) => m.uid !== workUid)));
      expect(identities(await readFolder(target, lee, 'Zeta'))).toEqual(identities(srcZeta));
      expect(await readFolder(target, lee, 'INBOX')).toEqual([]);
      // The INBOX is narrowed once: one FOLDER_UNREADABLE retried at most (to copy Work), none more.
      expect(retried.filter((c) => c === 'FOLDER_UNREADABLE').length).toBeLessThanOrEqual(1);
    } finally {
      for (const file of [...damaged, workFile]) chmodSync(file, 0o600);
      state.cleanup();
    }
  });

  it('the same with two workers and a bigger other folder, and again in a later run with nothing new elsewhere; copied once repaired', async () => {
    const srcWork = await readFolder(source, gwen, 'Work');
    const srcInbox = await readFolder(source, gwen, 'INBOX');
    const damaged = [0, 1, 2, 3].map((i) => messageFile(source, gwen.user, `m-735-${i}`));
    const state = tempStore();
    // Two workers, twelve chunks of Work: the INBOX's failure must not cut Work short.
    const migration = job(plainEndpoint(source, gwen), plainEndpoint(target, hank), { concurrency: 2, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 3 });
    for (const file of damaged) chmodSync(file, 0o000);
    try {
      const first = await migrate(migration, state.store);
      expect(first.error).toMatchObject({ code: 'FOLDER_UNREADABLE', facts: { kind: 'folder-unreadable', folder: 'INBOX' } });
      expect(first.messagesCopied).toBe(60);
      expect(identities(await readFolder(target, hank, 'Work'))).toEqual(identities(srcWork));
      // Nothing new in Work: no FETCH of it comes through by itself, and it is still the folder, not the link.
      const again = await migrate(migration, state.store);
      expect(again.error).toMatchObject({ code: 'FOLDER_UNREADABLE', facts: { kind: 'folder-unreadable', folder: 'INBOX' } });
      expect(again.messagesCopied).toBe(0);
      for (const file of damaged) chmodSync(file, 0o600);
      const repaired = await migrate(migration, state.store);
      expect(repaired.error).toBeNull();
      expect(repaired.messagesCopied).toBe(4);
      expect(identities(await readFolder(target, hank, 'INBOX'))).toEqual(identities(srcInbox));
    } finally {
      for (const file of damaged) chmodSync(file, 0o600);
      state.cleanup();
    }
  });

  it('a connection cut on every fetch fails the account as a connection problem, with nothing skipped', async () => {
    // Every connection is cut once 8 KB of answers went through: past the login and the
    // listing, in the middle of the first body, on the narrowing's fresh connections too. A
    // network that breaks whenever mail flows, with no message to blame.
    const proxy = await startCuttingProxy(source.imapPort, { afterBytes: 8000, cuts: 1000, countServerBytes: true });
    const state = tempStore();
    try {
      const result = await migrate(job({ ...plainEndpoint(source, fay), port: proxy.port }, plainEndpoint(target, carol), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 3 }), state.store);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('CONNECT_FAILED');
      expect(result.skipped).toEqual([]);
      expect(result.messagesSkipped).toBe(0);
      expect(result.messagesCopied).toBe(0);
      // More cuts than the three attempts: the narrowing's own connections were cut too, and
      // still no message was blamed.
      expect(proxy.cutCount()).toBeGreaterThan(3);
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });
});

describe('a source message Cyrus cannot read', () => {
  let source: CyrusServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('cyrus', { name: 'unreadable-cyrus-src', users: [alice] }),
      startDovecot({ name: 'unreadable-cyrus-tgt', users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(20, 731));
    await seedFolder(source, alice, `${source.prefix}Work`, bulkMessages(5, 732, { prefix: 'w' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('left out of an OK answer, it is skipped with a reason, not lost; the next run copies it once', async () => {
    const before = await snapshotMailbox(source, alice);
    const srcInbox = await readFolder(source, alice, 'INBOX', { withRaw: true });
    const srcWork = await readFolder(source, alice, `${source.prefix}Work`);
    // Cyrus runs as its own user: a file it may not open is one it cannot read. It answers the
    // FETCH with OK and leaves the message out, while its index still lists the UID.
    const damaged = cyrusMessageFile(source, 'm-731-7');
    const uid = srcInbox.find((m) => m.raw!.toString('latin1').includes('Message-ID: <m-731-7@'))!.uid;
    const state = tempStore();
    const migration = job(imapEndpoint(source, alice), plainEndpoint(target, bob), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5, maxAttempts: 3 });
    chmodSync(damaged, 0o000);
    try {
      const first = await migrate(migration, state.store);
      await expectOnlyItSkipped(first, uid, target, bob, { inbox: srcInbox, work: srcWork });

      chmodSync(damaged, 0o600);
      await expectOnlyItCopied(await migrate(migration, state.store), target, bob, srcInbox);
    } finally {
      chmodSync(damaged, 0o600);
      state.cleanup();
    }
    expect(await snapshotMailbox(source, alice)).toEqual(before);
  });
});
