import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder, setUidValidity, snapshotMailbox, withImap } from '../harness/mailbox';
import { bigMessage, bulkMessages } from '../support/corpus';
import { startCuttingProxy } from '../support/cutting-proxy';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };
const dave = { user: 'dave@new.example.com', password: 'dave-pw' };
const erin = { user: 'erin@new.example.com', password: 'erin-pw' };

describe('a provider that allows fewer connections than asked for', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const frank = { user: 'frank@new.example.com', password: 'frank-pw' };

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'limit-src', users: [alice], extraConfig: 'protocol imap {\n  mail_max_userip_connections = 2\n}\n' }),
      startDovecot({ name: 'limit-tgt', users: [frank] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(400, 45));
    await seedFolder(source, alice, 'Work', bulkMessages(100, 46, { prefix: 'w' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('goes on with the connections it gets, says so, and copies everything', async () => {
    const state = tempStore();
    try {
      // The user's own mail client holds one of the two sessions the source allows, so only
      // the migration's first login gets in and the three it starts next are refused (all of
      // them at once, whichever order the server sees them in).
      const result = await withImap(source, alice, () =>
        migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, frank), { concurrency: 4, chunkMessages: 50 }), state.store),
      );
      expect(result.error).toBeNull();
      expect(result.status).toBe('done');
      expect(result.warnings.map((w) => w.code)).toContain('THROTTLED');
      expect(result.warnings.find((w) => w.code === 'THROTTLED')?.message).toContain('refused 3 of 4 parallel connections');
      for (const folder of ['INBOX', 'Work']) {
        expect(identities(await readFolder(target, frank, folder)), folder).toEqual(identities(await readFolder(source, alice, folder)));
      }
    } finally {
      state.cleanup();
    }
  });
});

describe('faults: rejected messages, cut connections, UIDVALIDITY changes', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'fault-src', users: [alice] }),
      startDovecot({ name: 'fault-tgt', users: [bob, dave, erin], maxMailSize: 1024 * 1024 }),
    ]);
    const msgs = bulkMessages(40, 41);
    // One message over the target's 1 MB limit in the middle of the INBOX.
    msgs.splice(20, 0, { raw: bigMessage(2 * 1024 * 1024, 'too-big'), flags: ['\\Seen'], internalDate: new Date('2022-02-02T00:00:00Z') });
    await seedFolder(source, alice, 'INBOX', msgs);
    await seedFolder(source, alice, 'Archive/2020', bulkMessages(300, 42, { prefix: 'a', minBody: 2000, maxBody: 8000 }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('skips a message the target refuses, records why, and copies the rest', async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob), { chunkMessages: 10 }), state.store);
      expect(result.status).toBe('done');
      expect(result.messagesSkipped).toBe(1);
      expect(result.skipped).toHaveLength(1);
      expect(result.skipped[0]!.folder).toBe('INBOX');
      expect(result.skipped[0]!.reason).toMatch(/MESSAGE_TOO_LARGE/);
      const src = await readFolder(source, alice, 'INBOX');
      const tgt = await readFolder(target, bob, 'INBOX');
      expect(tgt).toHaveLength(src.length - 1);
      const bigOne = src.find((m) => m.size > 1024 * 1024)!;
      expect(identities(tgt)).toEqual(identities(src.filter((m) => m !== bigOne)));
      // A re-run does not try again forever nor lose the record: still one skipped, nothing copied.
      const again = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
      expect(again.messagesCopied).toBe(0);
      expect(again.skipped).toHaveLength(1);
    } finally {
      state.cleanup();
    }
  });

  it('retries a connection cut mid-APPEND with back-off and ends with every message exactly once', async () => {
    const state = tempStore();
    // Cut the first three target connections that send more than 200 KB.
    const proxy = await startCuttingProxy(target.imapPort, { afterBytes: 200_000, cuts: 3 });
    const retries: string[] = [];
    try {
      const viaProxy = { ...plainEndpoint(target, dave), port: proxy.port };
      const result = await migrateAccount(job(plainEndpoint(source, alice), viaProxy, { chunkMessages: 25, concurrency: 2, maxAttempts: 8 }), state.store, {
        onRetry: (err) => retries.push(err.code),
      });
      expect(proxy.cutCount()).toBe(3);
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((c) => c === 'CONNECT_FAILED' || c === 'TIMEOUT')).toBe(true);
      expect(result.status).toBe('done');
      for (const folder of ['INBOX', 'Archive/2020']) {
        const src = (await readFolder(source, alice, folder)).filter((m) => m.size <= 1024 * 1024);
        expect(identities(await readFolder(target, dave, folder)), folder).toEqual(identities(src));
      }
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });

  it('a UIDVALIDITY change on the source leads to a fingerprint rescan, not a second copy', async () => {
    const state = tempStore();
    try {
      const first = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, erin)), state.store);
      expect(first.status).toBe('done');
      const before = await snapshotMailbox(target, erin);
      await setUidValidity(source, alice, 'Archive/2020', 424242);
      const second = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, erin)), state.store);
      expect(second.status).toBe('done');
      expect(second.messagesCopied).toBe(0);
      expect(second.warnings.map((w) => w.code)).toContain('SOURCE_CHANGED');
      expect(await snapshotMailbox(target, erin)).toEqual(before);
      // New mail after the change is still picked up.
      await seedFolder(source, alice, 'Archive/2020', bulkMessages(3, 43, { prefix: 'late' }));
      const third = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, erin)), state.store);
      expect(third.messagesCopied).toBe(3);
    } finally {
      state.cleanup();
    }
  });
});
