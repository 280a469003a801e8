import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { QueueRunner } from '../../bridge/queue/queue-runner';
import { StateStore } from '../../bridge/engine/state-store';
import type { Logger } from '../../bridge/service/logger';
import { writeNewClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker } from '../../bridge/queue/queue-worker';
import { parseRedisUrl } from '../../bridge/queue/redis-url';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { plainEndpoint } from '../support/engine-fixtures';

/**
 * A worker keeps the account's passwords out of what it writes to Redis by replacing them
 * wherever they occur in its result. A password of digits also occurs in the result's numbers
 * by chance (here: the bytes copied): the result must still arrive whole and say what happened,
 * not fail the pass.
 */
const corpus = bulkMessages(5, 67, { prefix: 'digits' });
const bytes = corpus.reduce((s, m) => s + m.raw.length, 0);
const SRC: DovecotUser = { user: 'digits@old.example.com', password: String(bytes) };
const TGT: DovecotUser = { user: 'digits@new.example.com', password: 'Digits-tgt-pw-1' };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

describe('queue mode: a password made of digits', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  const scratch = scratchDir('queue-digits');

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([startRedis({ name: 'digits' }), startDovecot({ name: 'digits-src', users: [SRC] }), startDovecot({ name: 'digits-tgt', users: [TGT] })]);
    await seedFolder(source, SRC, 'INBOX', corpus);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  it('that also occurs in the result as a number: the pass ends done with its counts', async () => {
    const key = writeNewClusterKey(scratch.path('cluster.key'));
    const address = parseRedisUrl(redis.url);
    const queue = await AccountQueue.open(address, key);
    const runner = new QueueRunner({ queue, inflight: new InflightStore(scratch.path('coordinator')), hostConnections: 8, queueLabel: 'test', log: quiet, verifyStore: StateStore.open(scratch.path('coordinator')) });
    const worker = await startQueueWorker({ redis: address, clusterKey: key, stateDir: scratch.path('state-w'), concurrency: 1, name: 'w-digits', log: () => undefined });
    try {
      const job = { source: { ...plainEndpoint(source, SRC), protocol: 'imap' as const }, target: { ...plainEndpoint(target, TGT), protocol: 'imap' as const }, options: MigrationOptionsSchema.parse({ concurrency: 1 }) };
      const result = await runner.run({ accountId: 'acc-digits', job }, { onProgress: () => undefined, onRetry: () => undefined }, new AbortController().signal);
      expect(result.status, JSON.stringify(result.error)).toBe('done');
      expect(result.messagesCopied).toBe(5);
      expect(result.bytesCopied).toBe(bytes);
      expect(await readFolder(target, TGT, 'INBOX')).toHaveLength(5);
    } finally {
      await worker.stop();
      await runner.close();
    }
  }, 120_000);
});
