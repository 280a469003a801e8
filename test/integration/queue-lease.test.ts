import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { accountKey } from '../../bridge/engine/migrate-account';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker, type QueueWorkerHandle } from '../../bridge/queue/queue-worker';
import { parseRedisUrl, type RedisAddress } from '../../bridge/queue/redis-url';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities, plainEndpoint } from '../support/engine-fixtures';
import { startGateProxy, type GateProxy } from '../support/gate-proxy';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';

/**
 * A worker that cannot reach Redis while it copies keeps its mail connections: its job lock
 * expires, the stalled check hands the account to another worker, and the two must never
 * APPEND the same account at once, or the target gets twice the messages the first one still
 * had in flight. Redis down for everyone, and one worker alone cut off from Redis (the other
 * takes over while the first still cannot hear that its lock is gone).
 */
const SRC: DovecotUser = { user: 'lease@old.example.com', password: 'Lease-src-pw-1' };
const TGT_DOWN: DovecotUser = { user: 'lease-down@new.example.com', password: 'Lease-tgt-pw-1' };
const TGT_CUT: DovecotUser = { user: 'lease-cut@new.example.com', password: 'Lease-tgt-pw-2' };
const TGT_STOP: DovecotUser = { user: 'lease-stop@new.example.com', password: 'Lease-tgt-pw-3' };
const MESSAGES = 300;
/** The job lock of both workers: BullMQ's and the fence's mechanism on a shorter clock than production's 15 s. */
const LOCK_MS = 6_000;
const SLOW_RATE = 80 * 1024;
/** Messages per APPEND chunk: about 430 KB, 5 s on the slow link, so that a worker copying on while cut off completes chunks. */
const CHUNK = 50;
/** How long the second test keeps the first worker cut off after the second took over: two chunks' time. */
const CUT_AFTER_TAKEOVER_MS = 10_000;
const halted = (logs: readonly string[]): boolean => logs.some((l) => /^first: Job \S+: its lock could not be renewed/.test(l));

describe('queue mode: a job lock that expires while its worker still copies', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  let slow: SlowProxy;
  let gate: GateProxy;
  let key: ClusterKey;
  const scratch = scratchDir('queue-lease');

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([
      startRedis({ name: 'lease' }),
      startDovecot({ name: 'lease-src', users: [SRC] }),
      startDovecot({ name: 'lease-tgt', users: [TGT_DOWN, TGT_CUT, TGT_STOP] }),
    ]);
    await seedFolder(source, SRC, 'INBOX', bulkMessages(MESSAGES, 7, { prefix: 'lease', minBody: 8000, maxBody: 9000 }));
    // About 2.6 MB at 80 KB/s: a pass would take about 30 s.
    slow = await startSlowProxy(target.imapPort, SLOW_RATE);
    gate = await startGateProxy(redis.port);
    writeNewClusterKey(scratch.path('cluster.key'));
    key = loadClusterKey(scratch.path('cluster.key'));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([slow?.close(), gate?.close()]);
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  /**
   * Queues SRC -> `to` and starts worker "first" on `firstRedis`; once it runs the account,
   * worker "second" starts (on Redis directly) and `disturb` runs. Returns when the account's
   * job ended and the first worker's pass too, with both workers' logs.
   */
  async function run(to: DovecotUser, firstRedis: RedisAddress, disturb: (logs: readonly string[]) => Promise<void>): Promise<string[]> {
    const direct = parseRedisUrl(redis.url);
    const logs: string[] = [];
    const start = (name: string, address: RedisAddress): Promise<QueueWorkerHandle> =>
      startQueueWorker({ redis: address, clusterKey: key, stateDir: scratch.path(`state-${to.user}-${name}`), concurrency: 1, name, lockDurationMs: LOCK_MS, log: (l) => logs.push(`${name}: ${l}`) });
    const q = await AccountQueue.open(direct, key);
    const job = {
      source: { ...plainEndpoint(source, SRC), protocol: 'imap' as const },
      target: { ...plainEndpoint(target, to), port: slow.port, protocol: 'imap' as const },
      options: MigrationOptionsSchema.parse({ concurrency: 1, fixedConcurrency: true, chunkMessages: CHUNK }),
    };
    const first = await start('first', firstRedis);
    let second: QueueWorkerHandle | undefined;
    try {
      const queued = await q.enqueue({ accountKey: accountKey(job), job, hostConnections: 8 });
      const outcome = q.waitFor(queued.jobId);
      for (let i = 0; i < 200 && !logs.some((l) => l.startsWith('first: Running')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(logs.join('\n')).toContain('first: Running');
      second = await start('second', direct);
      await new Promise((r) => setTimeout(r, 2_000));
      await disturb(logs);
      // The slow link kept an APPEND under way while the first worker's lock could no longer be
      // renewed. Once it halted itself for that, the rest of the copy needs no slow link; were it
      // still copying (no halt), the link stays slow and its doubled APPENDs reach the target.
      for (let i = 0; i < 300 && !halted(logs); i++) await new Promise((r) => setTimeout(r, 100));
      if (halted(logs)) slow.setRate(Infinity);
      const o = await outcome;
      expect(o.kind === 'result' && o.value.result.status, JSON.stringify(o)).toBe('done');
      // The first worker's pass ends too; whatever it still appended is on the target by then.
      for (let i = 0; i < 600 && !logs.some((l) => /^first: (Lost the lock|Done|FAILED|Job .* crashed)/.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      slow.setRate(SLOW_RATE);
      await Promise.all([first.stop(), second?.stop()]);
      await q.close();
    }
    return logs;
  }

  async function expectExactlyOnce(to: DovecotUser, logs: string[]): Promise<void> {
    const [want, got] = await Promise.all([readFolder(source, SRC, 'INBOX'), readFolder(target, to, 'INBOX')]);
    expect(got.length, logs.join('\n')).toBe(want.length);
    expect(identities(got)).toEqual(identities(want));
  }

  it('Redis down for longer than the lock mid-pass: the account ends with each message once on the target', async () => {
    // Longer than the lock: when Redis is back the lock is gone and the job is handed over.
    const logs = await run(TGT_DOWN, parseRedisUrl(redis.url), () => redis.restart({ downMs: LOCK_MS + 3_000 }));
    await expectExactlyOnce(TGT_DOWN, logs);
  }, 180_000);

  it('one worker cut off from Redis mid-pass while another takes the account over: each message once on the target', async () => {
    const viaGate = parseRedisUrl(redis.url.replace(`:${redis.port}/`, `:${gate.port}/`));
    const logs = await run(TGT_CUT, viaGate, async (seen) => {
      gate.shut();
      // The second worker's stalled check hands the account over after the lock expired; the
      // first hears nothing of it until it reaches Redis again.
      for (let i = 0; i < 600 && !seen.some((l) => l.startsWith('second: Running')); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, CUT_AFTER_TAKEOVER_MS));
      gate.open();
    });
    // It halted the account itself, before it could hear from Redis that the lock was gone.
    expect(halted(logs), logs.join('\n')).toBe(true);
    await expectExactlyOnce(TGT_CUT, logs);
  }, 240_000);

  it('the coordinator asked to stop, then the worker is cut off from Redis: it halts the APPEND under way instead of finishing it', async () => {
    const direct = parseRedisUrl(redis.url);
    const viaGate = parseRedisUrl(redis.url.replace(`:${redis.port}/`, `:${gate.port}/`));
    const logs: string[] = [];
    const seen = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 600 && !logs.some((l) => re.test(l)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(logs.some((l) => re.test(l)), logs.join('\n')).toBe(true);
    };
    const q = await AccountQueue.open(direct, key);
    const job = {
      source: { ...plainEndpoint(source, SRC), protocol: 'imap' as const },
      target: { ...plainEndpoint(target, TGT_STOP), port: slow.port, protocol: 'imap' as const },
      options: MigrationOptionsSchema.parse({ concurrency: 1, fixedConcurrency: true }),
    };
    const worker = await startQueueWorker({ redis: viaGate, clusterKey: key, stateDir: scratch.path('state-stop'), concurrency: 1, name: 'first', log: (l) => logs.push(l) });
    try {
      const { jobId } = await q.enqueue({ accountKey: accountKey(job), job, hostConnections: 8 });
      await seen(/^Running /);
      // An APPEND under way: more bytes through the slow link than a login and the folder
      // commands take (a stop before the first APPEND ends the pass at once, nothing to halt).
      const before = slow.forwarded();
      for (let i = 0; i < 600 && slow.forwarded() - before < 64 * 1024; i++) await new Promise((r) => setTimeout(r, 100));
      expect(slow.forwarded() - before).toBeGreaterThanOrEqual(64 * 1024);
      // The stop arrives first: the job's abort signal carries the coordinator's reason, and
      // the engine would finish its first chunk's APPEND (about 20 s at this speed) before stopping.
      await q.requestStop(jobId);
      await seen(new RegExp(`^Stopping job ${jobId}: the coordinator asked`));
      gate.shut();
      await seen(/its lock could not be renewed/);
      // The pass reports how it ended once Redis answers again (its progress goes there first).
      gate.open();
      await seen(/^(Lost the lock on|Stopped .* at a checkpoint)/);
      // Halted (its target connection cut mid-APPEND), not stopped at the checkpoint after the chunk.
      expect(logs.join('\n')).toMatch(/^Lost the lock on .* -> .*: halted it/m);
      expect(logs.join('\n')).not.toMatch(/^Stopped .* at a checkpoint/m);
    } finally {
      gate.open();
      await worker.stop();
      await q.close();
    }
  }, 180_000);
});
