/**
 * Regression tests, on real Dovecot, for defects a fault-injection and interoperability run
 * found: refused folder names, skips that were not the message's fault, STARTTLS with
 * --allow-plaintext, a dead connection nobody announced, errors naming the wrong side,
 * copies whose APPEND answer was lost, and a POP3 message without a final newline.
 * The behaviour on Cyrus and Courier is in engine-matrix*.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount, accountKey } from '../../bridge/engine/migrate-account';
import { migratePop3Account } from '../../bridge/engine/pop3/migrate-pop3';
import type { MigrationError } from '../../bridge/engine/errors';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { folderState, listFolders, readFolder, seedFolder, snapshotMailbox, withImap } from '../harness/mailbox';
import { bulkMessages, textMessage } from '../support/corpus';
import { closeQuietly, connectImap } from '../../bridge/engine/connect';
import { startCuttingProxy } from '../support/cutting-proxy';
import { startRecordingProxy } from '../support/recording-proxy';
import { identities, job, plainEndpoint, readStoredBytes, tempStore } from '../support/engine-fixtures';
import { pop3Endpoint } from './pop3-support';

const alice = { user: 'alice@old.example.com', password: 'alice-secret-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-secret-pw' };
const carol = { user: 'carol@new.example.com', password: 'carol-pw' };
const dave = { user: 'dave@new.example.com', password: 'dave-pw' };
const erin = { user: 'erin@new.example.com', password: 'erin-pw' };

describe('folder names: learnt from the target, kept where accepted', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'names-src', users: [alice] }),
      // '/' as separator on Maildir++ storage: '.' is Maildir++'s own separator on disk, so CREATE refuses it.
      startDovecot({ name: 'names-tgt', users: [bob], extraConfig: 'mail_location = maildir:~/Maildir\n' }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(3, 61));
    await seedFolder(source, alice, 'v1.2', bulkMessages(6, 62, { prefix: 'dot' }));
    await seedFolder(source, alice, 'v1.2/notes', bulkMessages(2, 63, { prefix: 'sub' }));
    await seedFolder(source, alice, 'a+b', bulkMessages(2, 64, { prefix: 'plus' }));
    await seedFolder(source, alice, '100% sure', bulkMessages(2, 65, { prefix: 'pct' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('renames only what the target refuses, says so, and leaves no message behind; a re-run reuses the rename', async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
      expect(result.error).toBeNull();
      expect(result.folders.every((f) => f.error === null)).toBe(true);
      const byTarget = Object.fromEntries(result.folders.map((f) => [f.source, f.target]));
      expect(byTarget).toMatchObject({ 'v1.2': 'v1．2', 'v1.2/notes': 'v1．2/notes', 'a+b': 'a+b', '100% sure': '100% sure' });
      const renamed = result.warnings.filter((w) => w.code === 'FOLDER_RENAMED');
      expect(renamed).toHaveLength(1);
      expect(renamed[0]!.message).toContain('"v1.2"');
      for (const [src, tgt] of Object.entries(byTarget)) {
        expect(identities(await readFolder(target, bob, tgt)), `${src} -> ${tgt}`).toEqual(identities(await readFolder(source, alice, src)));
      }
      expect(result.messagesCopied).toBe(15);

      const again = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(0);
      expect(again.folders.find((f) => f.source === 'v1.2')?.target).toBe('v1．2');
      expect((await listFolders(target, bob)).map((f) => f.path).filter((p) => p.startsWith('v1'))).toEqual(expect.arrayContaining(['v1．2', 'v1．2/notes']));
    } finally {
      state.cleanup();
    }
  });
});

describe('a source folder renamed between runs (the 30-day sync window)', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'ren-src', users: [alice] }), startDovecot({ name: 'ren-tgt', users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(4, 66));
    await seedFolder(source, alice, 'Projects', bulkMessages(30, 67, { prefix: 'p' }));
    await seedFolder(source, alice, 'Projects/2024', bulkMessages(10, 68, { prefix: 'q' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('is recognised: the target copy is renamed with it, and only new mail is copied', async () => {
    const state = tempStore();
    try {
      const j = job(plainEndpoint(source, alice), plainEndpoint(target, bob));
      expect((await migrateAccount(j, state.store)).messagesCopied).toBe(44);
      await withImap(source, alice, (c) => c.mailboxRename('Projects', 'Work'));
      await seedFolder(source, alice, 'Work/2024', bulkMessages(3, 69, { prefix: 'new' }));

      const second = await migrateAccount(j, state.store);
      expect(second.error).toBeNull();
      expect(second.messagesCopied).toBe(3);
      expect(second.warnings.filter((w) => w.code === 'FOLDER_RENAMED').map((w) => w.message)).toEqual([
        expect.stringContaining('"Projects" was renamed to "Work"'),
        expect.stringContaining('"Projects/2024" was renamed to "Work/2024"'),
      ]);
      const paths = (await listFolders(target, bob)).map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['Work', 'Work/2024']));
      expect(paths.filter((p) => p.startsWith('Projects'))).toEqual([]);
      for (const f of ['INBOX', 'Work', 'Work/2024']) {
        expect(identities(await readFolder(target, bob, f)), f).toEqual(identities(await readFolder(source, alice, f)));
      }
      expect((await migrateAccount(j, state.store)).messagesCopied).toBe(0);
    } finally {
      state.cleanup();
    }
  });
});

describe('review findings: no false rename, no second folder after a naming change, idle connections live', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const frank = { user: 'frank@new.example.com', password: 'frank-pw' };
  const gina = { user: 'gina@new.example.com', password: 'gina-pw' };
  const msg = (i: number, year: number) => ({
    raw: textMessage({ id: `m${i}-${year}`, subject: `m${i}`, date: new Date(Date.UTC(year, 0, i)) }),
    flags: [],
    internalDate: new Date(Date.UTC(year, 0, i)),
  });

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'rv-src', users: [alice] }), startDovecot({ name: 'rv-tgt', users: [frank, gina] })]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('a new folder that only shares a vanished folder\'s UIDVALIDITY (nothing recorded to compare) is not taken for it', async () => {
    const state = tempStore();
    try {
      await seedFolder(source, alice, 'Old', [1, 2, 3].map((i) => msg(i, 2019)));
      const j = job(plainEndpoint(source, alice), plainEndpoint(target, frank), { since: new Date('2024-01-01T00:00:00Z') });
      expect((await migrateAccount(j, state.store)).messagesCopied).toBe(0);
      const uidValidity = (await folderState(source, alice, 'Old')).uidValidity;
      await withImap(source, alice, (c) => c.mailboxDelete('Old'));
      await seedFolder(source, alice, 'New', [1, 2, 3, 4, 5].map((i) => msg(i, 2025)));
      await source.doveadm(['mailbox', 'update', '-u', alice.user, '--uid-validity', String(uidValidity), 'New']);
      const second = await migrateAccount(j, state.store);
      expect(second.error).toBeNull();
      expect(second.warnings.map((w) => w.code)).not.toContain('FOLDER_RENAMED');
      expect(second.messagesCopied).toBe(5);
      expect(await readFolder(target, frank, 'New')).toHaveLength(5);
    } finally {
      state.cleanup();
    }
  });

  it('a folder an earlier run created under a look-alike name keeps receiving its mail there', async () => {
    const state = tempStore();
    try {
      await seedFolder(source, alice, 'R+D', bulkMessages(3, 97, { prefix: 'rd' }));
      // First run for a target known to refuse '+': the folder is created as R＋D.
      const first = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, gina), { targetProviderHint: 'aliyun' }), state.store);
      expect(first.folders.find((f) => f.source === 'R+D')?.target).toBe('R＋D');
      await seedFolder(source, alice, 'R+D', bulkMessages(2, 98, { prefix: 'rd2' }));
      // Later runs without that rule (say an upgrade, or the option left out) must not start an 'R+D' next to it.
      const second = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, gina)), state.store);
      expect(second.error).toBeNull();
      expect(second.messagesCopied).toBe(2);
      expect(second.folders.find((f) => f.source === 'R+D')?.target).toBe('R＋D');
      const paths = (await listFolders(target, gina)).map((f) => f.path);
      expect(paths).toContain('R＋D');
      expect(paths).not.toContain('R+D');
      expect(identities(await readFolder(target, gina, 'R＋D'))).toEqual(identities(await readFolder(source, alice, 'R+D')));
    } finally {
      state.cleanup();
    }
  });

  it('a connection left idle longer than the stall bound is still usable: the bound applies only while a command runs', async () => {
    const client = await connectImap(plainEndpoint(target, frank), { side: 'target', stallTimeoutMs: 500 });
    try {
      await new Promise((r) => setTimeout(r, 1_600));
      expect(client.usable).toBe(true);
      const status = await client.status('INBOX', { messages: true });
      expect(status && typeof status.messages).toBe('number');
    } finally {
      await closeQuietly(client);
    }
  });
});

describe('skips that were not the message itself', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'reskip-src', users: [alice] }), startDovecot({ name: 'reskip-tgt', users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(12, 71));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('a message an older run recorded as skipped for a read-only folder is copied by the next run', async () => {
    const state = tempStore();
    try {
      const j = job(plainEndpoint(source, alice), plainEndpoint(target, bob));
      const first = await migrateAccount(j, state.store);
      expect(first.messagesCopied).toBe(12);
      // What an older version left behind on a Courier target: the copy missing, the row saying "skipped".
      const victim = (await readFolder(source, alice, 'INBOX'))[4]!;
      const uidValidity = Number((await folderState(source, alice, 'INBOX')).uidValidity);
      state.store.recordMessages(accountKey(j), 'INBOX', uidValidity, [
        { uid: victim.uid, fingerprint: 'x', outcome: 'skipped', targetUid: null, size: victim.size, reason: 'MESSAGE_REJECTED: Current box is selected READ-ONLY.' },
      ]);
      await withImap(target, bob, async (c) => {
        await c.mailboxOpen('INBOX');
        const copy = (await readFolder(target, bob, 'INBOX')).find((m) => m.sha256 === victim.sha256)!;
        await c.messageDelete(String(copy.uid), { uid: true });
      });
      expect(await readFolder(target, bob, 'INBOX')).toHaveLength(11);

      const second = await migrateAccount(j, state.store);
      expect(second.error).toBeNull();
      expect(second.messagesCopied).toBe(1);
      expect(second.messagesSkipped).toBe(0);
      expect(second.skipped).toEqual([]);
      expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
    } finally {
      state.cleanup();
    }
  });
});

describe('--allow-plaintext still uses STARTTLS/STLS when offered', () => {
  let server: DovecotServer;

  beforeAll(async () => {
    server = await startDovecot({ name: 'stls', users: [alice, bob, carol] });
    await seedFolder(server, alice, 'INBOX', bulkMessages(3, 81));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('IMAP source and target: the passwords never cross the wire in clear', async () => {
    const [src, tgt] = await Promise.all([startRecordingProxy(server.imapPort), startRecordingProxy(server.imapPort)]);
    const state = tempStore();
    try {
      const result = await migrateAccount(
        job({ ...plainEndpoint(server, alice), port: src.port }, { ...plainEndpoint(server, bob), port: tgt.port }, { concurrency: 1 }),
        state.store,
      );
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(3);
      for (const [proxy, secret] of [[src, alice.password], [tgt, bob.password]] as const) {
        const sent = proxy.clientBytes();
        expect(sent.toString('latin1')).toMatch(/^\S+ STARTTLS\r\n/m);
        expect(sent.includes(secret)).toBe(false);
        expect(sent.includes(Buffer.from(secret).toString('base64'))).toBe(false);
      }
    } finally {
      state.cleanup();
      await Promise.all([src.close(), tgt.close()]);
    }
  });

  it('POP3 source: STLS before the login', async () => {
    const src = await startRecordingProxy(server.pop3Port);
    const state = tempStore();
    try {
      const result = await migratePop3Account(job({ ...pop3Endpoint(server, alice), port: src.port }, plainEndpoint(server, carol)), state.store);
      expect(result.error).toBeNull();
      const sent = src.clientBytes();
      expect(sent.toString('latin1')).toMatch(/^STLS\r\n/m);
      expect(sent.includes(alice.password)).toBe(false);
    } finally {
      state.cleanup();
      await src.close();
    }
  });
});

describe('dead connections and who is to blame', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'dead-src', users: [alice] }),
      startDovecot({ name: 'dead-tgt', users: [carol, dave, erin] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(120, 91, { minBody: 1500, maxBody: 4000 }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('a target link that goes silent is noticed within the stall bound, retried, and ends exactly once', async () => {
    const proxy = await startCuttingProxy(target.imapPort, { afterBytes: 60_000, cuts: 1, mode: 'stall' });
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const started = Date.now();
      const result = await migrateAccount(
        job(plainEndpoint(source, alice), { ...plainEndpoint(target, carol), port: proxy.port }, { concurrency: 1, chunkMessages: 20, stallTimeoutMs: 1500 }),
        state.store,
        { onRetry: (err) => retries.push(err) },
      );
      console.log(`stalled target link: run ended after ${Date.now() - started} ms (stall bound 2 x 1500 ms)`);
      expect(proxy.cutCount()).toBe(1);
      expect(result.status).toBe('done');
      expect(retries.map((e) => [e.code, e.options.side])).toEqual([['TIMEOUT', 'target']]);
      expect(retries[0]!.message).toContain('target');
      expect(identities(await readFolder(target, carol, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });

  it('a cut target connection is reported as the target, and copies whose OK was lost count as copied', async () => {
    const proxy = await startCuttingProxy(target.imapPort, { afterBytes: 60_000, cuts: 1, mode: 'drop-replies', dropAfterMs: 400 });
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const result = await migrateAccount(
        job(plainEndpoint(source, alice), { ...plainEndpoint(target, dave), port: proxy.port }, { concurrency: 1, chunkMessages: 20 }),
        state.store,
        { onRetry: (err) => retries.push(err) },
      );
      expect(proxy.cutCount()).toBe(1);
      expect(result.status).toBe('done');
      expect(retries.length).toBe(1);
      expect(retries[0]!.options.side).toBe('target');
      expect(retries[0]!.message).toContain(`target ${dave.user}`);
      expect(retries[0]!.message).not.toContain('source');
      // The target was empty: every message on it now was put there by this run.
      expect(result.messagesCopied).toBe(120);
      expect(result.messagesAlreadyPresent).toBe(0);
      expect(identities(await readFolder(target, dave, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });

  it('a cut source connection is reported as the source', async () => {
    // Past the TLS handshake (about 2 KB from the client), in the middle of the FETCH commands.
    const proxy = await startCuttingProxy(source.imapPort, { afterBytes: 3_000, cuts: 1 });
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const result = await migrateAccount(
        job({ ...plainEndpoint(source, alice), port: proxy.port }, plainEndpoint(target, erin), { concurrency: 1, chunkMessages: 4 }),
        state.store,
        { onRetry: (err) => retries.push(err) },
      );
      expect(result.error).toBeNull();
      expect(result.status).toBe('done');
      expect(proxy.cutCount()).toBe(1);
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((e) => e.options.side === 'source' && e.message.includes(`source ${alice.user}`))).toBe(true);
      expect(identities(await readFolder(target, erin, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });
});

describe('POP3: a message without a final newline', () => {
  let server: DovecotServer;
  const noNewline = Buffer.from('From: a@old.example.com\r\nTo: alice@old.example.com\r\nSubject: no final newline\r\nMessage-ID: <nonl@old.example.com>\r\nDate: Mon, 02 Jan 2023 10:00:00 +0000\r\n\r\nthe last line has no line break');

  beforeAll(async () => {
    server = await startDovecot({ name: 'nonl', users: [alice, bob] });
    await seedFolder(server, alice, 'INBOX', [{ raw: noNewline, flags: [], internalDate: new Date('2023-01-02T10:00:00Z') }, ...bulkMessages(2, 95)]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('arrives with exactly the size LIST gave, read with TOP (the source stays unread)', async () => {
    const state = tempStore();
    try {
      const before = await snapshotMailbox(server, alice);
      const result = await migratePop3Account(job(pop3Endpoint(server, alice), plainEndpoint(server, bob)), state.store);
      expect(result.error).toBeNull();
      expect(result.messagesCopied).toBe(3);
      expect(result.skipped).toEqual([]);
      const stored = await readStoredBytes(server, bob, 'INBOX');
      expect(stored.filter((b) => b.equals(noNewline))).toHaveLength(1);
      expect(await snapshotMailbox(server, alice)).toEqual(before);
    } finally {
      state.cleanup();
    }
  });
});
