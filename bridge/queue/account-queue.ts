import { EventEmitter } from 'node:events';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { AccountJob } from '../engine/migrate';
import { describeEndpoint, endpointProtocol, type Endpoint } from '../engine/endpoint';
import type { ClusterKey } from './cluster-key';
import { listWorkers, type WorkerRecord } from './heartbeat';
import { accountKey } from '../engine/account-job';
import { legacyQueueJobId } from './account-identity';
import { handoverAuthentic, handoverMac, sealSecrets, serversBinding, type HandedState } from './payload-crypto';
import { clearStop, requestStop } from './stop-requests';
import { ACCOUNTS_QUEUE, QUEUE_PREFIX, accountJobId, accountJobOptions } from './queue-config';
import {
  QueueAccountResultSchema,
  QueueProgressSchema,
  QUEUE_PROTOCOL_VERSION,
  type AccountJobPayload,
  type CheckpointRecord,
  type Pop3Handover,
  type ReopenedCheckpoint,
  type PublicEndpoint,
  type QueueAccountResult,
  type QueueProgress,
} from './protocol';
import { redisConnectionOptions, type RedisAddress } from './redis-url';

/** How a queued account ended: the worker's result, or why the job failed (refusal, crash). */
export type AccountOutcome =
  | { jobId: string; kind: 'result'; value: QueueAccountResult }
  | { jobId: string; kind: 'failed'; reason: string };

export interface EnqueueRequest {
  /** The account's identity (account-identity.ts queueIdentity): same key, same job id, never two runs at once. */
  accountKey: string;
  job: AccountJob;
  /** Source connections at most to the source host over all workers together. */
  hostConnections: number;
  /** The account's checkpoints after its last pass, for the worker that takes this one. */
  checkpoints?: CheckpointRecord[];
  /** Checkpoints of folders with a skip the next pass tries again, with their rows (reopened-checkpoints.ts). */
  reopened?: ReopenedCheckpoint[];
  /** A POP3 source: its per-message rows after its last pass (handed-pop3.ts). */
  pop3?: Pop3Handover;
}

export interface Enqueued {
  jobId: string;
  /** 'queued': this call added it; 'already': a job for the account was queued or running (by anyone): follow that one. */
  state: 'queued' | 'already';
}

export interface AccountQueueEvents {
  /** A worker took the job (again, after a stall). */
  active: [jobId: string];
  /** Engine progress at a bounded rate, with the worker's name. */
  progress: [jobId: string, progress: QueueProgress];
  /** The job's worker stopped renewing its lock (killed): BullMQ queues it again. */
  stalled: [jobId: string];
  settled: [outcome: AccountOutcome];
}

const POLL_MS = 2_000;

/**
 * The enqueuing side of queue mode (the CLI batch today; the bridge service's queue runner
 * later): puts accounts into the queue with sealed credentials and follows them through
 * BullMQ's events. Events can be missed (a Redis restart, a job that finished before we
 * listened), so every awaited job is also polled.
 */
export class AccountQueue extends EventEmitter<AccountQueueEvents> {
  private readonly waiters = new Map<string, Array<(o: AccountOutcome) => void>>();
  private readonly poller: NodeJS.Timeout;

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly redis: Redis,
    private readonly key: ClusterKey,
  ) {
    super();
    events.on('active', ({ jobId }) => this.emit('active', jobId));
    events.on('stalled', ({ jobId }) => this.emit('stalled', jobId));
    events.on('progress', ({ jobId, data }) => {
      const p = QueueProgressSchema.safeParse(data);
      if (p.success) this.emit('progress', jobId, p.data);
    });
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { jobId, ...resultOf(returnvalue) }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { jobId, kind: 'failed', reason: failedReason }));
    events.on('error', () => undefined); // reconnects by itself; the poller covers the gap
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref();
  }

  static async open(address: RedisAddress, key: ClusterKey): Promise<AccountQueue> {
    const connection = redisConnectionOptions(address, 'mailmover-enqueuer');
    const queue = new Queue(ACCOUNTS_QUEUE, { connection, prefix: QUEUE_PREFIX });
    queue.on('error', () => undefined);
    const events = new QueueEvents(ACCOUNTS_QUEUE, { connection, prefix: QUEUE_PREFIX });
    const redis = new Redis(connection);
    redis.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new AccountQueue(queue, events, redis, key);
  }

  /**
   * Queues the account unless a job for it is waiting or running; a finished one is replaced. A job
   * an earlier build queued for it under its former id (account-identity.ts) is followed too.
   */
  async enqueue(req: EnqueueRequest): Promise<Enqueued> {
    const jobId = accountJobId(req.accountKey);
    const legacyId = legacyQueueJobId(req.job);
    if (legacyId !== jobId && (await this.unfinished(legacyId))) return { jobId: legacyId, state: 'already' };
    const existing = await this.queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed') return { jobId, state: 'already' };
      // 0: locked (a worker just took it again after all): then it runs, follow it.
      if ((await this.queue.remove(jobId)) === 0) return { jobId, state: 'already' };
    }
    const payload: AccountJobPayload = {
      protocol: QUEUE_PROTOCOL_VERSION,
      accountKey: req.accountKey,
      label: `${describeEndpoint(req.job.source)} -> ${describeEndpoint(req.job.target)}`,
      keyId: this.key.id,
      source: withoutAuth(req.job.source),
      target: withoutAuth(req.job.target),
      options: req.job.options,
      ...(req.job.stateKey ? { stateKey: req.job.stateKey } : {}),
      hostConnections: req.hostConnections,
      sealed: sealSecrets({ source: req.job.source.auth, target: req.job.target.auth }, this.key, jobId, serversBinding(withoutAuth(req.job.source), withoutAuth(req.job.target))),
      ...(req.checkpoints?.length ? { checkpoints: req.checkpoints } : {}),
      ...(req.reopened?.length ? { reopened: req.reopened } : {}),
      ...(req.pop3 ? { pop3: req.pop3 } : {}),
    };
    if (payload.checkpoints || payload.reopened || payload.pop3) payload.handoverMac = handoverMac(this.key, jobId, accountKey(req.job), payload);
    // A stop asked of the account's previous pass must not stop this one.
    await clearStop(this.redis, jobId);
    await this.queue.add('account', payload, accountJobOptions(jobId));
    // BullMQ keeps the first job under an id: when another enqueuer was quicker, the stored payload is theirs.
    const stored = await this.queue.getJob(jobId);
    const mine = (stored?.data as AccountJobPayload | undefined)?.sealed.iv === payload.sealed.iv;
    return { jobId, state: mine ? 'queued' : 'already' };
  }

  /** Whether a job is under `jobId` and has not ended (waiting, delayed, running). */
  private async unfinished(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** Whether a worker's handover for the account's next pass was made under this cluster key for this job (payload-crypto.ts). */
  handoverAuthentic(jobId: string, account: string, state: HandedState, mac: string | undefined): boolean {
    return handoverAuthentic(this.key, jobId, account, state, mac);
  }

  /** Resolves when the job ends, however it ends. */
  waitFor(jobId: string): Promise<AccountOutcome> {
    return new Promise((resolve) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push(resolve);
      this.waiters.set(jobId, list);
      void this.check(jobId);
    });
  }

  /** Which worker runs or ran the job, as BullMQ recorded it. */
  async workerOf(jobId: string): Promise<string | undefined> {
    return (await this.queue.getJob(jobId))?.processedBy ?? undefined;
  }

  /** The workers with a recent heartbeat (for a workers panel). */
  workers(): Promise<WorkerRecord[]> {
    return listWorkers(this.redis);
  }

  /** Asks the worker running the job to stop it at its next checkpoint (stop-requests.ts); the job then completes. */
  requestStop(jobId: string): Promise<void> {
    return requestStop(this.redis, jobId);
  }

  /** Takes a job out of the queue if no worker runs it (1), else leaves it (0). */
  cancel(jobId: string): Promise<number> {
    return this.queue.remove(jobId);
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    await Promise.allSettled([this.events.close(), this.queue.close(), this.redis.quit()]);
  }

  private settle(jobId: string, outcome: AccountOutcome): void {
    const list = this.waiters.get(jobId);
    this.emit('settled', outcome);
    if (!list) return;
    this.waiters.delete(jobId);
    for (const resolve of list) resolve(outcome);
  }

  private async poll(): Promise<void> {
    for (const jobId of [...this.waiters.keys()]) await this.check(jobId).catch(() => undefined);
  }

  private async check(jobId: string): Promise<void> {
    // State first, then the job: a job read before its state could be a snapshot taken just
    // before it ended, with no failedReason or return value yet.
    const state = await this.queue.getJobState(jobId).catch(() => undefined);
    if (state === undefined || !this.waiters.has(jobId)) return;
    if (state === 'unknown') {
      this.settle(jobId, { jobId, kind: 'failed', reason: 'the job is no longer in the queue (removed by someone else)' });
      return;
    }
    if (state !== 'completed' && state !== 'failed') return;
    const job = await this.queue.getJob(jobId).catch(() => undefined);
    if (!job || !this.waiters.has(jobId)) return;
    if (state === 'completed') this.settle(jobId, { jobId, ...resultOf(job.returnvalue) });
    else this.settle(jobId, { jobId, kind: 'failed', reason: job.failedReason || 'the worker gave no reason' });
  }
}

function resultOf(value: unknown): { kind: 'result'; value: QueueAccountResult } | { kind: 'failed'; reason: string } {
  const r = QueueAccountResultSchema.safeParse(typeof value === 'string' ? JSON.parse(value) : value);
  return r.success ? { kind: 'result', value: r.data } : { kind: 'failed', reason: 'the worker returned a result this version cannot read' };
}

function withoutAuth(ep: Endpoint): PublicEndpoint {
  const { auth: _auth, ...rest } = ep;
  return { ...rest, protocol: endpointProtocol(ep) };
}
