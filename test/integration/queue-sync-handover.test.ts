import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder, withImap } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { QueueRunner } from '../../bridge/queue/queue-runner';
import { StateStore } from '../../bridge/engine/state-store';
import type { Logger } from '../../bridge/service/logger';
import { loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker } from '../../bridge/queue/queue-worker';
import { parseRedisUrl } from '../../bridge/queue/redis-url';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { plainEndpoint } from '../support/engine-fixtures';
import { pop3Endpoint } from './pop3-support';
import { keepHandedCheckpoints, reopenedRecords } from '../../bridge/queue/handed-checkpoints';

/**
 * Incremental sync in queue mode: the passes of one account run on whichever worker is free,
 * each with its own state store. Meanwhile the employee works in the new mailbox (after the MX
 * switch): files a migrated message into a folder of their own, deletes another. A later pass
 * on another worker must copy only what is new on the source, not bring back what the employee
 * moved (a second copy in the inbox) or deleted, as a pass of the bridge without a queue does.
 */
const SRC: DovecotUser = { user: 'sync@old.example.com', password: 'Sync-src-pw-1' };
const TGT: DovecotUser = { user: 'sync@new.example.com', password: 'Sync-tgt-pw-1' };
const POP_SRC: DovecotUser = { user: 'pop@old.example.com', password: 'Sync-pop-src-pw-2' };
const POP_TGT: DovecotUser = { user: 'pop@new.example.com', password: 'Sync-pop-tgt-pw-2' };
const RS_SRC: DovecotUser = { user: 'retry@old.example.com', password: 'Sync-rs-src-pw-3' };
const RS_TGT: DovecotUser = { user: 'retry@new.example.com', password: 'Sync-rs-tgt-pw-3' };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

describe('queue mode: a sync pass on another worker than the one that ran the first pass', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  let key: ClusterKey;
  const scratch = scratchDir('queue-sync');

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([
      startRedis({ name: 'sync' }),
      startDovecot({ name: 'sync-src', users: [SRC, POP_SRC, RS_SRC] }),
      startDovecot({ name: 'sync-tgt', users: [TGT, POP_TGT, RS_TGT] }),
    ]);
    await seedFolder(source, SRC, 'INBOX', bulkMessages(10, 61, { prefix: 'sync' }));
    await seedFolder(source, POP_SRC, 'INBOX', bulkMessages(10, 64, { prefix: 'sync-pop' }));
    await seedFolder(source, RS_SRC, 'INBOX', bulkMessages(6, 66, { prefix: 'sync-rs' }));
    writeNewClusterKey(scratch.path('cluster.key'));
    key = loadClusterKey(scratch.path('cluster.key'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  /** One pass of the account the way the bridge as coordinator runs it (QueueRunner), on worker `worker` alone. */
  const imapJob = () => ({
    source: { ...plainEndpoint(source, SRC), protocol: 'imap' as const },
    target: { ...plainEndpoint(target, TGT), protocol: 'imap' as const },
    options: MigrationOptionsSchema.parse({ concurrency: 1 }),
    stateKey: 'account:acc-1',
  });

  async function pass(worker: string, job: Parameters<QueueRunner['run']>[0]['job'] = imapJob(), accountId = 'acc-1'): Promise<void> {
    const address = parseRedisUrl(redis.url);
    const runner = new QueueRunner({
      queue: await AccountQueue.open(address, key),
      inflight: new InflightStore(scratch.path('coordinator')),
      hostConnections: 8,
      queueLabel: 'test',
      log: quiet,
      verifyStore: StateStore.open(scratch.path('coordinator')),
    });
    const w = await startQueueWorker({ redis: address, clusterKey: key, stateDir: scratch.path(`state-${worker}`), concurrency: 1, name: worker, log: () => undefined });
    try {
      let ranOn: string | undefined;
      const result = await runner.run({ accountId, job }, { onProgress: () => undefined, onRetry: () => undefined, onWorker: (name) => (ranOn = name) }, new AbortController().signal);
      expect(result.status, JSON.stringify(result)).toBe('done');
      expect(ranOn).toBe(worker);
    } finally {
      await w.stop();
      await runner.close();
    }
  }

  it('what the employee moved or deleted on the target stays moved or deleted; only new mail is copied', async () => {
    await pass('w-first');
    expect(await readFolder(target, TGT, 'INBOX')).toHaveLength(10);
    const before = new Set((await readFolder(target, TGT, 'INBOX')).map((m) => m.sha256));
    const [filed, deleted] = (await readFolder(target, TGT, 'INBOX')).slice(2, 4);
    await withImap(target, TGT, async (c) => {
      await c.mailboxCreate('Kunden');
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(filed!.uid), 'Kunden', { uid: true });
      await c.messageDelete(String(deleted!.uid), { uid: true });
    });
    await seedFolder(source, SRC, 'INBOX', bulkMessages(1, 62, { prefix: 'sync-new' }));

    await pass('w-second');
    const inbox = await readFolder(target, TGT, 'INBOX');
    expect(inbox.filter((m) => m.sha256 === filed!.sha256), 'the filed message is back in the inbox').toHaveLength(0);
    expect(inbox.filter((m) => m.sha256 === deleted!.sha256), 'the deleted message is back').toHaveLength(0);
    expect(inbox).toHaveLength(9);
    expect(await readFolder(target, TGT, 'Kunden')).toHaveLength(1);

    // Back on the first worker, whose own checkpoint is older than the second's pass: the message
    // the second copied and the employee then filed stays filed.
    const newest = inbox.find((m) => !(before.has(m.sha256)))!;
    await withImap(target, TGT, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(newest.uid), 'Kunden', { uid: true });
    });
    await seedFolder(source, SRC, 'INBOX', bulkMessages(1, 63, { prefix: 'sync-newer' }));
    await pass('w-first');
    const again = await readFolder(target, TGT, 'INBOX');
    expect(again.filter((m) => m.sha256 === newest.sha256), 'the second filed message is back in the inbox').toHaveLength(0);
    expect(again).toHaveLength(9);
    expect(await readFolder(target, TGT, 'Kunden')).toHaveLength(2);
  }, 120_000);

  it('a folder whose last pass left a message out for a reason it tries again: the next worker copies it, and brings back nothing deleted or filed', async () => {
    const rsJob = () => ({
      source: { ...plainEndpoint(source, RS_SRC), protocol: 'imap' as const },
      target: { ...plainEndpoint(target, RS_TGT), protocol: 'imap' as const },
      options: MigrationOptionsSchema.parse({ concurrency: 1 }),
      stateKey: 'account:acc-rs',
    });
    await pass('w-first', rsJob(), 'acc-rs');
    const copies = await readFolder(target, RS_TGT, 'INBOX');
    expect(copies).toHaveLength(6);
    const [skipped, filed, deleted] = copies.slice(2, 5);
    // The first pass as it ends when the target refused one message with words that do not name
    // it (Courier: "Current box is selected READ-ONLY."): in the worker's store a skip row and
    // the checkpoint past it, and at the coordinator what that worker hands over then.
    const worker = StateStore.open(scratch.path('state-w-first'));
    const coordinator = StateStore.open(scratch.path('coordinator'));
    try {
      const cp = worker.getCheckpoint('account:acc-rs', 'INBOX')!;
      const row = [...worker.settledAbove('account:acc-rs', 'INBOX', cp.uidValidity, 0).values()].find((r) => r.targetUid === skipped!.uid)!;
      worker.recordMessages('account:acc-rs', 'INBOX', cp.uidValidity, [{ ...row, outcome: 'skipped', targetUid: null, reason: 'MESSAGE_REJECTED: Current box is selected READ-ONLY.' }]);
      keepHandedCheckpoints(coordinator, 'account:acc-rs', reopenedRecords(worker, 'account:acc-rs'));
    } finally {
      worker.close();
      coordinator.close();
    }
    await withImap(target, RS_TGT, async (c) => {
      await c.mailboxCreate('Kunden');
      await c.mailboxOpen('INBOX');
      await c.messageDelete(String(skipped!.uid), { uid: true });
      await c.messageMove(String(filed!.uid), 'Kunden', { uid: true });
      await c.messageDelete(String(deleted!.uid), { uid: true });
    });
    await pass('w-second', rsJob(), 'acc-rs');
    const inbox = await readFolder(target, RS_TGT, 'INBOX');
    expect(inbox.filter((m) => m.sha256 === skipped!.sha256), 'the skipped message was never tried again').toHaveLength(1);
    expect(inbox.filter((m) => m.sha256 === filed!.sha256), 'the filed message is back in the inbox').toHaveLength(0);
    expect(inbox.filter((m) => m.sha256 === deleted!.sha256), 'the deleted message is back').toHaveLength(0);
    expect(inbox).toHaveLength(4);
  }, 120_000);

  it('POP3 source: a sync pass on another worker copies the new message only, nothing twice', async () => {
    const popJob = () => ({
      source: { ...pop3Endpoint(source, POP_SRC), protocol: 'pop3' as const },
      target: { ...plainEndpoint(target, POP_TGT), protocol: 'imap' as const },
      options: MigrationOptionsSchema.parse({ concurrency: 1 }),
      stateKey: 'account:acc-pop',
    });
    await pass('w-first', popJob(), 'acc-pop');
    expect(await readFolder(target, POP_TGT, 'INBOX')).toHaveLength(10);
    await seedFolder(source, POP_SRC, 'INBOX', bulkMessages(1, 65, { prefix: 'sync-pop-new' }));
    await pass('w-second', popJob(), 'acc-pop');
    const inbox = await readFolder(target, POP_TGT, 'INBOX');
    expect(new Set(inbox.map((m) => m.sha256)).size).toBe(11);
    expect(inbox).toHaveLength(11);
  }, 120_000);
});
