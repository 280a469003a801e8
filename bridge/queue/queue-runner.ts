import type { AccountProgress, AccountResult } from '../../shared/migration';
import type { WorkersList } from '../../shared/protocol/workers';
import { accountKey, type AccountJob } from '../engine/account-job';
import type { StateStore } from '../engine/state-store';
import type { Logger } from '../service/logger';
import type { AccountRunner, PassCallbacks, PassRequest } from '../service/runner/account-runner';
import type { AccountOutcome, AccountQueue } from './account-queue';
import type { InflightStore } from './inflight-store';
import type { QueueAccountResult, QueueProgress } from './protocol';
import { accountJobId } from './queue-config';
import { legacyQueueJobId, queueIdentity } from './account-identity';
import { handedCheckpoints, handedReopened } from './handed-checkpoints';
import { handedPop3 } from './handed-pop3';
import { storeVerifyRecord } from './verify-record';
import { toWorkerView } from './worker-view';

export interface QueueRunnerOptions {
  queue: AccountQueue;
  inflight: InflightStore;
  /** Source connections at most to one source host over all workers together (the shared cap). */
  hostConnections: number;
  /** The queue's address as logs and the workers panel show it (password hidden). */
  queueLabel: string;
  log: Logger;
  /** How long a stop waits for a worker to stop a running pass (workers of older versions ignore the request). */
  stopWaitMs?: number;
  /**
   * The coordinator's engine state store, where its verify and account view read a migration's
   * records: each worker's folder map, skips and folder figures are written there with its
   * result (verify-record.ts).
   * Closed with the runner.
   */
  verifyStore?: StateStore;
}

const STOP_WAIT_MS = 30_000;

/** What waitFor reports for a job id that holds no job any more (account-queue.ts). */
const GONE = 'no longer in the queue';

/**
 * The queue key of an account: its two mailboxes (without the service's checkpoint key), as
 * `migrate --queue` keys them, so the job id is the same for every coordinator and CLI batch
 * on the Redis: an account is never run twice at once anywhere in the cluster
 * (account-identity.ts: hosts and logins in any case).
 */
export function queueKeyOf(job: AccountJob): string {
  return queueIdentity(job);
}

interface Follower {
  onProgress(p: QueueProgress): void;
  onActive(): void;
}

/**
 * The bridge service's AccountRunner in queue mode: a pass is a BullMQ job run by a worker
 * (bridge/queue/queue-worker.ts). The service keeps deciding what runs and what an account
 * becomes; this runner enqueues the pass with sealed credentials, forwards the worker's
 * progress, and resolves with the worker's AccountResult.
 *
 * Stopping: a job still waiting is taken out of the queue. A job a worker already runs is
 * asked to stop (stop-requests.ts): the worker aborts its engine at the next checkpoint and
 * the job completes with the engine's result. A worker that does not stop it in time (an
 * older version) finishes it, and the account's next pass collects that result instead of
 * running again (the account is remembered as pending in InflightStore). On shutdown nothing
 * is taken out of the queue: the workers go on, and the restarted coordinator follows its
 * accounts again.
 */
export class QueueRunner implements AccountRunner {
  private readonly followers = new Map<string, Follower>();
  private shuttingDown = false;

  constructor(private readonly o: QueueRunnerOptions) {
    o.queue.on('progress', (jobId, p) => this.followers.get(jobId)?.onProgress(p));
    o.queue.on('active', (jobId) => this.followers.get(jobId)?.onActive());
    o.queue.on('stalled', (jobId) => {
      if (this.followers.has(jobId)) o.log.warn({ jobId }, 'the worker running this account stopped answering; the queue hands the account to another worker');
    });
  }

  async run(request: PassRequest, callbacks: PassCallbacks, signal: AbortSignal): Promise<AccountResult> {
    const { accountId, job } = request;
    const jobId = accountJobId(queueKeyOf(job));
    // The id the pass is followed under: jobId, or the id an earlier build queued it under.
    const followed = { jobId, legacyId: legacyQueueJobId(job) };
    const log = this.o.log.child({ accountId, queueJobId: jobId });
    let last: AccountProgress | undefined;
    const noteWorker = (worker: string) => {
      if (this.o.inflight.setWorker(accountId, worker)) callbacks.onWorker?.(worker);
    };
    const follower: Follower = {
      onProgress: (p) => {
        noteWorker(p.worker);
        last = p.progress;
        callbacks.onProgress(p.progress);
      },
      onActive: () => void this.o.queue.workerOf(followed.jobId).then((w) => w && noteWorker(w), () => undefined),
    };
    for (const id of [jobId, followed.legacyId]) this.followers.set(id, follower);
    try {
      if (signal.aborted) return cancelled(job, last, 'stopped before it was queued');
      const aborted = new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
      const outcome = await Promise.race([this.follow(accountId, job, followed, log), aborted]);
      if (outcome === 'aborted') return await this.stop(accountId, job, followed.jobId, last, log);
      this.o.inflight.clearPending(accountId);
      if (outcome.kind === 'result') {
        noteWorker(outcome.value.worker);
        return this.collect(job, outcome.jobId, outcome.value, log);
      }
      log.warn(`the queued pass failed: ${outcome.reason}`);
      return failed(job, last, 'CONFIG_INVALID', outcome.reason);
    } finally {
      for (const id of [jobId, followed.legacyId]) if (this.followers.get(id) === follower) this.followers.delete(id);
    }
  }

  workerOf(accountId: string): string | null {
    return this.o.inflight.worker(accountId) ?? null;
  }

  async workers(): Promise<WorkersList> {
    const records = await this.o.queue.workers();
    return { queue: this.o.queueLabel, workers: records.map(toWorkerView) };
  }

  prepareShutdown(): void {
    this.shuttingDown = true;
  }

  async close(): Promise<void> {
    try {
      await this.o.queue.close();
    } finally {
      this.o.verifyStore?.close();
    }
  }

  /** A worker's result, its records for verify kept first (the verify after a first pass starts as soon as this returns). */
  private collect(job: AccountJob, jobId: string, value: QueueAccountResult, log: Logger): AccountResult {
    if (value.recorded && this.o.verifyStore) {
      let recorded = value.recorded;
      // Under the id the pass ran as: the worker bound its MAC to that job.
      if (!this.o.queue.handoverAuthentic(jobId, accountKey(job), recorded, recorded.handoverMac)) {
        // Altered in Redis, or from a worker of an earlier build: the next pass goes without it
        // (with what was kept before, or none) rather than with a checkpoint nobody vouches for.
        log.warn("the worker's checkpoints for the account's next pass do not authenticate under the cluster key; not kept");
        recorded = { ...recorded, checkpoints: undefined, reopened: undefined, pop3: undefined };
      }
      try {
        storeVerifyRecord(this.o.verifyStore, accountKey(job), value.result, recorded);
      } catch (err) {
        log.warn({ err }, "could not keep the worker's folder map, skips and folder figures; the verify may call skipped messages missing, and the account view shows none");
      }
    }
    return value.result;
  }

  /**
   * Enqueues the pass, or follows the one queued earlier and not collected yet (also under the id
   * an earlier build of this coordinator gave it); `followed.jobId` is set to the id followed.
   */
  private async follow(accountId: string, job: AccountJob, followed: { jobId: string; legacyId: string }, log: Logger): Promise<AccountOutcome> {
    const { queue, inflight } = this.o;
    const { jobId } = followed;
    const pending = inflight.pending(accountId);
    // The account's id, or its former one: queued by this coordinator before its update, the same pass.
    const ours = pending === jobId || pending === followed.legacyId;
    if (pending && !ours) {
      // Queued for other mailbox settings (a server change): never two passes of one account at once.
      if ((await queue.cancel(pending)) === 0) {
        log.info('waiting for the pass queued with the previous server settings to end on its worker');
        await queue.waitFor(pending);
      }
      inflight.clearPending(accountId);
    } else if (pending) {
      followed.jobId = pending;
      const outcome = await queue.waitFor(pending);
      if (!(outcome.kind === 'failed' && outcome.reason.includes(GONE))) return outcome;
      log.info('the pass queued earlier is no longer in the queue; queuing it again');
      followed.jobId = jobId;
      inflight.clearPending(accountId);
    }
    for (let attempt = 1; ; attempt++) {
      const checkpoints = this.o.verifyStore ? handedCheckpoints(this.o.verifyStore, accountKey(job)) : undefined;
      const reopened = this.o.verifyStore ? handedReopened(this.o.verifyStore, accountKey(job)) : undefined;
      const pop3 = this.o.verifyStore ? handedPop3(this.o.verifyStore, accountKey(job)) : undefined;
      const queued = await queue.enqueue({
        accountKey: queueKeyOf(job),
        job: everyRunTriesUnreadable(job),
        hostConnections: this.o.hostConnections,
        ...(checkpoints ? { checkpoints } : {}),
        ...(reopened?.length ? { reopened } : {}),
        ...(pop3 ? { pop3 } : {}),
      });
      // Another id than ours: a pass an earlier build queued for the account, followed to its end.
      followed.jobId = queued.jobId;
      inflight.setPending(accountId, queued.jobId);
      log.info(queued.state === 'queued' ? 'pass queued for the workers' : 'a pass of this account is already queued or running (another coordinator or batch): following it');
      const outcome = await queue.waitFor(queued.jobId);
      // Someone else took the job out while it waited (another coordinator's pause): this account still wants its pass.
      if (!(outcome.kind === 'failed' && outcome.reason.includes(GONE)) || attempt >= 3) return outcome;
      log.info('the queued pass was taken out of the queue by someone else; queuing it again');
    }
  }

  private async stop(accountId: string, job: AccountJob, jobId: string, last: AccountProgress | undefined, log: Logger): Promise<AccountResult> {
    if (this.shuttingDown) return cancelled(job, last, 'the coordinator stopped; the queued pass goes on');
    if (!this.o.inflight.pending(accountId)) return cancelled(job, last, 'stopped before it was queued');
    const removed = await this.o.queue.cancel(jobId).catch(() => 0);
    if (removed) {
      this.o.inflight.clearPending(accountId);
      return cancelled(job, last, 'taken out of the queue');
    }
    // A worker runs it: ask it to stop at its next checkpoint (stop-requests.ts) and take the pass's end.
    await this.o.queue.requestStop(jobId).catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      this.o.queue.waitFor(jobId),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.o.stopWaitMs ?? STOP_WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (outcome) {
      this.o.inflight.clearPending(accountId);
      log.info('the pass ended on its worker after the stop request');
      return outcome.kind === 'result' ? this.collect(job, outcome.jobId, outcome.value, log) : cancelled(job, last, 'stopped on its worker');
    }
    log.warn(`the worker (${this.workerOf(accountId) ?? 'unknown'}) did not stop the pass within ${(this.o.stopWaitMs ?? STOP_WAIT_MS) / 1000} s (an older version?); it finishes there and its result is collected on the account's next pass`);
    return cancelled(job, last, 'stopped here; the pass finishes on its worker');
  }
}

function failed(job: AccountJob, last: AccountProgress | undefined, code: 'CONFIG_INVALID' | 'CANCELLED', message: string): AccountResult {
  return {
    source: job.source.user,
    target: job.target.user,
    status: 'failed',
    messagesCopied: last?.messagesCopied ?? 0,
    messagesSkipped: last?.messagesSkipped ?? 0,
    messagesAlreadyPresent: last?.messagesAlreadyPresent ?? 0,
    bytesCopied: last?.bytesCopied ?? 0,
    folders: [],
    skipped: [],
    warnings: [],
    error: { code, message },
  };
}

function cancelled(job: AccountJob, last: AccountProgress | undefined, message: string): AccountResult {
  return failed(job, last, 'CANCELLED', message);
}

/**
 * The pass without MigrationOptions.unreadableRetryMs: each worker would keep the clock of
 * its own tries in its own store, so a worker whose last try is recent would hold skips
 * another worker has since copied, and report them skipped again (the coordinator hands the
 * next pass that worker's skips). In queue mode every pass tries them, as before.
 */
function everyRunTriesUnreadable(job: AccountJob): AccountJob {
  if (job.options.unreadableRetryMs === undefined) return job;
  const { unreadableRetryMs: _held, ...options } = job.options;
  return { ...job, options };
}
