/**
 * The bridge's log after the queue's Redis refused its password: the Redis password was
 * changed while the bridge ran (or Redis restarted without the ACL user it had). ioredis
 * rejects every queued command with the AUTH error, which carries the AUTH command and its
 * arguments; the bridge logs it as "the engine failed unexpectedly". Against a real
 * redis-server, with a logger whose scrubber does not know the Redis password: the line
 * says what Redis answered and holds no password.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { writeNewClusterKey } from '../../bridge/queue/cluster-key';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { QueueRunner } from '../../bridge/queue/queue-runner';
import { describeRedis, parseRedisUrl } from '../../bridge/queue/redis-url';
import { createBridgeLogger } from '../../bridge/service/logger';
import { SecretScrubber } from '../../bridge/service/secret-scrubber';
import { MigrationOptionsSchema } from '../../shared/migration';
import { startRedis, type RedisServer } from '../harness/redis';

const FIRST_PASSWORD = 'Redis-Secret-4711';
const NEW_PASSWORD = 'Redis-Rotated-0815';

describe('a Redis error in the bridge log', () => {
  let redis: RedisServer;
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-redis-log-'));
  beforeAll(async () => {
    redis = await startRedis({ name: 'log-err', password: FIRST_PASSWORD });
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after the Redis password changed: what Redis answered, and no password', async () => {
    const address = parseRedisUrl(redis.url);
    const queue = await AccountQueue.open(address, writeNewClusterKey(join(dir, 'cluster.key')));
    const logger = createBridgeLogger({ stateDir: dir, scrubber: new SecretScrubber(), stderr: null });
    const runner = new QueueRunner({ queue, inflight: new InflightStore(dir), hostConnections: 8, queueLabel: describeRedis(address), log: logger.logger });
    const changed = spawnSync('redis-cli', ['-p', String(redis.port), '--no-auth-warning', '-a', FIRST_PASSWORD], {
      input: `CONFIG SET requirepass ${NEW_PASSWORD}\nCLIENT KILL TYPE normal SKIPME yes\n`,
      encoding: 'utf8',
    });
    expect(changed.stdout).toContain('OK');
    await new Promise((r) => setTimeout(r, 500));
    const endpoint = (user: string, password: string) => ({
      protocol: 'imap' as const,
      host: 'mail.example.com',
      port: 993,
      security: 'tls' as const,
      user,
      auth: { kind: 'password' as const, password },
      allowPlaintext: false,
      insecureTls: false,
    });
    const job = { source: endpoint('a@example.com', 'Source-pw-1'), target: endpoint('b@example.com', 'Target-pw-2'), options: MigrationOptionsSchema.parse({}) };
    let failure: unknown;
    try {
      await runner.run({ accountId: 'acc_1', job }, { onProgress: () => undefined, onRetry: () => undefined }, new AbortController().signal);
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(Error);
    // What account-runs.ts logs for an error the runner throws.
    logger.logger.child({ jobId: 'job_1', accountId: 'acc_1' }).error({ err: failure }, 'the engine failed unexpectedly');
    await Promise.race([queue.close(), new Promise((r) => setTimeout(r, 2000))]);
    logger.close();
    const log = readFileSync(logger.file, 'utf8');
    const line = log.split('\n').find((l) => l.includes('the engine failed unexpectedly'));
    expect(line).toBeDefined();
    expect(line).toMatch(/WRONGPASS|NOAUTH/);
    for (const secret of [FIRST_PASSWORD, NEW_PASSWORD, 'Source-pw-1', 'Target-pw-2']) expect(log).not.toContain(secret);
  }, 60_000);
});
