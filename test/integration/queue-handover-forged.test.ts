import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { QueueRunner, queueKeyOf } from '../../bridge/queue/queue-runner';
import { StateStore } from '../../bridge/engine/state-store';
import type { Logger } from '../../bridge/service/logger';
import { loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker } from '../../bridge/queue/queue-worker';
import { parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { ACCOUNTS_QUEUE, QUEUE_PREFIX, accountJobId } from '../../bridge/queue/queue-config';
import type { AccountJobPayload } from '../../bridge/queue/protocol';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { plainEndpoint } from '../support/engine-fixtures';

/**
 * The checkpoints an account's next pass carries travel in the job beside the sealed
 * passwords. Someone able to write to Redis, without the cluster key, raises a checkpoint's
 * lastUid in a queued job: the worker that takes it must not leave the new mail out.
 */
const SRC: DovecotUser = { user: 'forged@old.example.com', password: 'Forged-src-pw-1' };
const TGT: DovecotUser = { user: 'forged@new.example.com', password: 'Forged-tgt-pw-1' };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

describe('queue mode: a checkpoint altered in Redis', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  let key: ClusterKey;
  const scratch = scratchDir('queue-forged');

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([startRedis({ name: 'forged' }), startDovecot({ name: 'forged-src', users: [SRC] }), startDovecot({ name: 'forged-tgt', users: [TGT] })]);
    await seedFolder(source, SRC, 'INBOX', bulkMessages(5, 81, { prefix: 'forged' }));
    writeNewClusterKey(scratch.path('cluster.key'));
    key = loadClusterKey(scratch.path('cluster.key'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  const job = () => ({
    source: { ...plainEndpoint(source, SRC), protocol: 'imap' as const },
    target: { ...plainEndpoint(target, TGT), protocol: 'imap' as const },
    options: MigrationOptionsSchema.parse({ concurrency: 1 }),
    stateKey: 'account:acc-forged',
  });

  /** One pass through QueueRunner; `tamper` runs on the queued job before the worker starts. */
  async function pass(worker: string, tamper?: (data: AccountJobPayload) => AccountJobPayload) {
    const address = parseRedisUrl(redis.url);
    const runner = new QueueRunner({
      queue: await AccountQueue.open(address, key),
      inflight: new InflightStore(scratch.path('coordinator')),
      hostConnections: 8,
      queueLabel: 'test',
      log: quiet,
      verifyStore: StateStore.open(scratch.path('coordinator')),
    });
    const raw = new Queue(ACCOUNTS_QUEUE, { connection: redisConnectionOptions(address, 'forger'), prefix: QUEUE_PREFIX });
    let w: Awaited<ReturnType<typeof startQueueWorker>> | undefined;
    try {
      const running = runner.run({ accountId: 'acc-forged', job: job() }, { onProgress: () => undefined, onRetry: () => undefined }, new AbortController().signal);
      if (tamper) {
        const jobId = accountJobId(queueKeyOf(job()));
        let queued = await raw.getJob(jobId);
        while (!queued) {
          await new Promise((r) => setTimeout(r, 50));
          queued = await raw.getJob(jobId);
        }
        await queued.updateData(tamper(queued.data as AccountJobPayload));
      }
      w = await startQueueWorker({ redis: address, clusterKey: key, stateDir: scratch.path(`state-${worker}`), concurrency: 1, name: worker, log: () => undefined });
      return await running;
    } finally {
      await w?.stop();
      await raw.close();
      await runner.close();
    }
  }

  it('a raised lastUid: the next worker still copies the new mail, and nothing twice', async () => {
    expect((await pass('w-first')).messagesCopied).toBe(5);
    await seedFolder(source, SRC, 'INBOX', bulkMessages(3, 82, { prefix: 'forged-new' }));
    let carried = 0;
    const result = await pass('w-second', (data) => {
      carried = data.checkpoints?.length ?? 0;
      return { ...data, checkpoints: data.checkpoints?.map((c) => ({ ...c, lastUid: 1_000_000 })) };
    });
    // The job did carry a checkpoint to alter.
    expect(carried).toBeGreaterThan(0);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    const inbox = await readFolder(target, TGT, 'INBOX');
    expect(new Set(inbox.map((m) => m.sha256)).size).toBe(8);
    expect(inbox).toHaveLength(8);
  }, 120_000);
});
