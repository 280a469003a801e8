import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ByteBudget } from '../engine/byte-budget';
import { StateStore } from '../engine/state-store';
import { processAccountJob } from './account-processor';
import type { ClusterKey } from './cluster-key';
import { Heartbeat } from './heartbeat';
import { LocalHostCap, SharedHostCap } from './host-cap';
import type { QueueRefusal } from './protocol';
import { ACCOUNTS_QUEUE, LOCK_DURATION_MS, workerOptions } from './queue-config';
import { describeRedis, redisConnectionOptions, type RedisAddress } from './redis-url';
import { WorkerStats } from './worker-stats';
import { LOCK_LOST, LEASE_UNCONFIRMED, STOP_REASON, StopWatcher } from './stop-requests';
import { fenceAfterMs, LeaseFence } from './lease-fence';

export const MAILMOVER_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

const CLOSE_TIMEOUT_MS = 15_000;

/** Whether `p` settled within `ms` (its result or error is not needed). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface QueueWorkerOptions {
  redis: RedisAddress;
  clusterKey: ClusterKey;
  stateDir: string;
  /** Accounts run at once by this worker. */
  concurrency: number;
  name?: string;
  /** This worker's own cap of connections to one source host (default 8, as the bridge's). */
  hostConnections?: number;
  /** Message bytes held in memory by all accounts of this worker together. */
  budgetBytes?: number;
  /** BullMQ's job lock (default LOCK_DURATION_MS); the lease fence halts an account at 70% of it. */
  lockDurationMs?: number;
  log: (line: string) => void;
}

export interface QueueWorkerHandle {
  name: string;
  /** Resolves when the worker stopped: after stop(), or by itself after a refusal (wrong key, other protocol). */
  stopped: Promise<{ reason: string; refusal?: QueueRefusal }>;
  /** Stops taking jobs; running accounts stop at a checkpoint and go back to the queue. */
  stop(reason?: string): Promise<void>;
}

/** A BullMQ worker that tells its fence which lock renewals Redis carried out (lease-fence.ts). */
class FencedWorker extends Worker {
  fence: LeaseFence | undefined;

  override async extendJobLocks(jobIds: string[], tokens: string[], duration: number): Promise<string[]> {
    const sentAt = Date.now();
    const failed = await super.extendJobLocks(jobIds, tokens, duration);
    this.fence?.confirm(tokens.filter((_, i) => !failed.includes(jobIds[i]!)), sentAt);
    return failed;
  }
}

/**
 * A queue worker: takes account jobs from Redis and runs each with the engine, the same
 * engine as `migrate`. Its checkpoints are in its own state dir; an account handed over
 * from another worker has none here and the engine's target scan finds what is already
 * copied.
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const name = o.name ?? `${hostname()}-${process.pid}`;
  const conn = redisConnectionOptions(o.redis, `mailmover-worker:${name}`);
  const redis = new Redis(conn);
  redis.on('error', () => undefined); // ioredis reconnects; BullMQ's own connections log through the worker's 'error'
  const store = StateStore.open(o.stateDir);
  const stats = new WorkerStats();
  const heartbeat = new Heartbeat(redis, { name, host: hostname(), version: MAILMOVER_VERSION, concurrency: o.concurrency }, stats);
  const shared = new SharedHostCap(redis);
  const shutdown = new AbortController();
  // One memory budget for all accounts this worker runs at once, as a local batch has.
  const budget = new ByteBudget(o.budgetBytes ?? 16 * 1024 * 1024);
  let resolveStopped!: (v: { reason: string; refusal?: QueueRefusal }) => void;
  const stopped = new Promise<{ reason: string; refusal?: QueueRefusal }>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  let refusal: QueueRefusal | undefined;

  const worker = new FencedWorker(
    ACCOUNTS_QUEUE,
    // Three parameters: BullMQ then hands each job an AbortSignal, aborted by cancelJob() below.
    (job, token, lockLost) => {
      if (token) fence.track(token, job.id!, job.processedOn ?? Date.now());
      const lease = new AbortController();
      leases.set(job.id!, lease);
      return processAccountJob(job, token, {
        workerName: name,
        clusterKey: o.clusterKey,
        store,
        budget,
        caps: { local: localCap, shared },
        localHostConnections: o.hostConnections ?? 8,
        stats,
        log: o.log,
        shutdown: shutdown.signal,
        onRefusal: (err) => {
          refusal ??= err;
          // Every further job would be refused the same way: stop taking them.
          void stop(`refused work: ${err.message}`);
        },
      }, lockLost, lease.signal).finally(() => {
        if (leases.get(job.id!) === lease) leases.delete(job.id!);
        if (token) fence.untrack(token);
      });
    },
    { ...workerOptions(o.lockDurationMs), connection: conn, concurrency: o.concurrency, name, autorun: false },
  );
  // Cut off from Redis, the worker cannot know whether its lock still holds: it halts the
  // account before the lock can expire and the account be handed to another worker. Through a
  // signal of its own per job: cancelJob() cannot change the reason of a job already
  // cancelled by the coordinator's stop, which only waits for a checkpoint.
  const leases = new Map<string, AbortController>();
  const loseLease = (jobId: string, reason: string): void => {
    leases.get(jobId)?.abort(reason);
    worker.cancelJob(jobId, reason);
  };
  const fenceMs = fenceAfterMs(o.lockDurationMs ?? LOCK_DURATION_MS);
  const fence = new LeaseFence((jobId) => {
    o.log(`Job ${jobId}: its lock could not be renewed for ${fenceMs / 1000} s; halting it before another worker may take it over`);
    loseLease(jobId, LEASE_UNCONFIRMED);
  }, fenceMs);
  worker.fence = fence;
  const localCap = new LocalHostCap();
  let lastError = '';
  worker.on('error', (err) => {
    // Redis restarting shows up here once per reconnect attempt: log each distinct message once.
    if (err.message !== lastError) o.log(`Queue connection: ${err.message}`);
    lastError = err.message;
  });
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) loseLease(id, LOCK_LOST);
  });
  worker.on('stalled', (jobId) => o.log(`Job ${jobId} had stalled (its worker stopped renewing the lock); it is queued again`));
  // A coordinator's pause or stop of an account this worker runs: abort that job at a checkpoint.
  const stopWatcher = new StopWatcher(redis, () => [...stats.running.keys()], (jobId) => {
    o.log(`Stopping job ${jobId}: the coordinator asked`);
    worker.cancelJob(jobId, STOP_REASON);
  });

  const stop = (reason = 'stopped'): Promise<void> => {
    stopping ??= (async () => {
      o.log(`Stopping worker ${name}: ${reason}`);
      shutdown.abort(new Error('worker stopping'));
      stopWatcher.stop();
      // With Redis unreachable, close() would wait for it forever: give up after a while. The
      // running accounts' locks then expire and the stalled check requeues them.
      if (!(await within(worker.close(), CLOSE_TIMEOUT_MS))) {
        o.log(`Redis did not answer within ${CLOSE_TIMEOUT_MS / 1000} s: stopping without handing the running accounts back (the queue requeues them when their locks expire)`);
        await within(worker.close(true), 2_000);
      }
      // Only now: accounts still stopping above must be halted too if the lock goes unconfirmed.
      fence.stop();
      shared.stop();
      await within(heartbeat.stop(reason), 2_000);
      if (!(await within(redis.quit(), 2_000))) redis.disconnect();
      store.close();
      resolveStopped({ reason, ...(refusal ? { refusal } : {}) });
    })();
    return stopping;
  };

  heartbeat.start();
  fence.start();
  void worker.run().catch((err: Error) => o.log(`Worker loop ended: ${err.message}`));
  stopWatcher.start();
  await worker.waitUntilReady();
  o.log(`Worker ${name} (mailmover ${MAILMOVER_VERSION}) takes up to ${o.concurrency} account(s) at once from ${describeRedis(o.redis)}`);
  return { name, stopped, stop };
}
