import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { AccountResult } from '../../shared/migration';
import type { ByteBudget } from '../engine/byte-budget';
import { accountKey } from '../engine/account-job';
import { endpointProtocol } from '../engine/endpoint';
import { migrate, type AccountJob } from '../engine/migrate';
import type { StateStore } from '../engine/state-store';
import type { ClusterKey } from './cluster-key';
import { adoptCheckpoints } from './handed-checkpoints';
import { handedMessagesOf, pop3HandoverOf } from './handed-pop3';
import type { HandedMessages } from '../engine/pop3/handed-messages';
import { acquireHostConnections, type HostCap } from './host-cap';
import { handoverAuthentic, handoverMac, openSecrets, serversBinding } from './payload-crypto';
import { PROGRESS_INTERVAL_MS } from './queue-config';
import {
  AccountJobPayloadSchema,
  protocolMismatchMessage,
  QueueRefusal,
  QUEUE_PROTOCOL_VERSION,
  type AccountJobPayload,
  type QueueAccountResult,
  type QueueProgress,
  type VerifyRecord,
} from './protocol';
import { scrub, scrubResult, secretsOf } from './secret-scrub';
import { STOP_REASON } from './stop-requests';
import { verifyRecordOf } from './verify-record';
import type { WorkerStats } from './worker-stats';

export interface ProcessorDeps {
  workerName: string;
  clusterKey: ClusterKey;
  store: StateStore;
  budget: ByteBudget;
  caps: { local: HostCap; shared: HostCap };
  /** This worker's own cap of connections to one source host (its IP's limit). */
  localHostConnections: number;
  stats: WorkerStats;
  log: (line: string) => void;
  /** Aborted when the worker shuts down: running accounts stop at a checkpoint and go back to the queue. */
  shutdown: AbortSignal;
  /** A refusal that will repeat for every job (wrong key, other protocol): the worker stops taking jobs. */
  onRefusal: (err: QueueRefusal) => void;
}

/** Checks the version first, so a payload of another shape still gets the clear message. */
export function readPayload(data: unknown): AccountJobPayload {
  const protocol = (data as { protocol?: unknown } | null)?.protocol;
  if (protocol !== QUEUE_PROTOCOL_VERSION) throw new QueueRefusal('PROTOCOL_MISMATCH', protocolMismatchMessage(protocol));
  const parsed = AccountJobPayloadSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new QueueRefusal('PAYLOAD_INVALID', `the queued job is not in the expected form (${issue.path.join('.')}: ${issue.message})`);
  }
  return parsed.data;
}

/** Runs one queued account with the engine; what the job returns. */
export async function processAccountJob(
  job: Job,
  token: string | undefined,
  deps: ProcessorDeps,
  /** BullMQ's per-job signal: the coordinator's stop, or the lock lost, whichever came first. */
  lockLost?: AbortSignal,
  /**
   * The lock lost or not renewed in time, on its own: BullMQ's signal keeps the first reason it
   * was aborted with, so a stop asked for before Redis went away would hide the lease's loss.
   */
  lease?: AbortSignal,
): Promise<QueueAccountResult> {
  const jobId = job.id!;
  const signal = AbortSignal.any([deps.shutdown, ...(lockLost ? [lockLost] : []), ...(lease ? [lease] : [])]);
  // Lock lost, or not renewed for too long (Redis unreachable): another worker may start on
  // this account any moment. A checkpoint can be a whole chunk's APPEND away, and a second
  // worker scanning the target meanwhile would copy that chunk again, so the engine is halted
  // (its target connections cut) rather than stopped. The coordinator's stop still waits for
  // a checkpoint: the lock is held then.
  const halt = new AbortController();
  const leaseLost = (): boolean => !!lease?.aborted || (!!lockLost?.aborted && lockLost.reason !== STOP_REASON);
  lockLost?.addEventListener('abort', () => leaseLost() && halt.abort(lockLost.reason), { once: true });
  lease?.addEventListener('abort', () => halt.abort(lease.reason), { once: true });
  let payload: AccountJobPayload;
  let engineJob: AccountJob;
  try {
    payload = readPayload(job.data);
    const secrets = openSecrets(payload.sealed, deps.clusterKey, payload.keyId, jobId, serversBinding(payload.source, payload.target));
    engineJob = {
      source: { ...payload.source, auth: secrets.source },
      target: { ...payload.target, auth: secrets.target },
      options: payload.options,
      ...(payload.stateKey ? { stateKey: payload.stateKey } : {}),
    };
  } catch (err) {
    if (err instanceof QueueRefusal) {
      deps.log(`Refused job ${jobId}: ${err.message}`);
      if (err.code !== 'PAYLOAD_INVALID') deps.onRefusal(err);
      // Not retried: every attempt would meet the same key or version.
      throw new UnrecoverableError(err.message);
    }
    throw err;
  }
  if (!handoverAuthentic(deps.clusterKey, jobId, accountKey(engineJob), payload, payload.handoverMac)) {
    // Altered in Redis, or queued by a coordinator of an earlier build: what it says would decide
    // what this pass leaves out, so the pass plans without it (own store, the target), as before handovers.
    deps.log(`The checkpoints handed with ${payload.label} do not authenticate under this cluster key; this pass plans from this worker's records and the target`);
    payload = { ...payload, checkpoints: undefined, reopened: undefined, pop3: undefined };
  }
  const secrets = secretsOf(engineJob.source.auth, engineJob.target.auth);
  const holder = `${deps.workerName}/${jobId}`;
  const sourceHost = payload.source.host;
  deps.stats.start(jobId, payload.label);
  let end: 'done' | 'failed' | 'refused' = 'failed';
  try {
    const connections = await acquireHostConnections(
      deps.caps,
      { host: sourceHost, holder, want: payload.options.concurrency, localCap: deps.localHostConnections, sharedCap: payload.hostConnections },
      signal,
      () => deps.log(`Waiting for a free connection to ${sourceHost} for ${payload.label} (cap ${payload.hostConnections} over the cluster, ${deps.localHostConnections} on this worker)`),
    );
    deps.log(`Running ${payload.label} (job ${jobId}, ${connections} connection${connections === 1 ? '' : 's'} per side)`);
    // Where the account's last pass ran elsewhere, start from its checkpoints (handed-checkpoints.ts).
    adoptCheckpoints(deps.store, accountKey(engineJob), payload.checkpoints ?? [], payload.reopened ?? []);
    const pop3 = endpointProtocol(payload.source) === 'pop3';
    const handed = pop3 && payload.pop3 ? handedPop3Of(deps, payload, accountKey(engineJob)) : undefined;
    const progress = new ProgressForwarder(job, deps.workerName, (p) => deps.stats.progress(jobId, p.progress));
    const result = await migrate({ ...engineJob, options: { ...engineJob.options, concurrency: connections } }, deps.store, {
      signal,
      halt: halt.signal,
      budget: deps.budget,
      ...(handed ? { handed } : {}),
      onProgress: (p) => progress.push(p),
      onRetry: (err, attempt, delay) => deps.log(scrub(`Retry ${attempt} for ${payload.label} in ${delay} ms: [${err.code}] ${err.message}`, secrets)),
    });
    await progress.flush();
    const scrubbed = scrubResult(result, secrets);
    const recorded = recordForVerify(deps, jobId, accountKey(engineJob), scrubbed, pop3 ? { handed, deleted: payload.options.deleted } : undefined, secrets);
    // A lease lost after the coordinator's stop still means the account may run elsewhere now.
    if (leaseLost()) {
      deps.log(`Lost the lock on ${payload.label}: halted it (${result.messagesCopied} copied); the queue hands it to a worker again`);
      throw await handBack(job, token);
    }
    if (lockLost?.aborted && lockLost.reason === STOP_REASON && !deps.shutdown.aborted) {
      // The coordinator paused or stopped the account: the pass ends here with its counters.
      deps.log(`Stopped ${payload.label} at a checkpoint: the coordinator asked (${result.messagesCopied} copied)`);
      return { protocol: QUEUE_PROTOCOL_VERSION, worker: deps.workerName, result: scrubbed, ...recorded };
    }
    if (deps.shutdown.aborted) {
      // Stopped at a checkpoint by our own shutdown: another worker (or this one after a restart) takes it up.
      if (token) await job.moveToWait(token);
      deps.log(`Handed ${payload.label} back to the queue (worker stopping)`);
      throw new WaitingError();
    }
    const ok = result.status === 'done';
    if (result.error?.code === 'ALREADY_RUNNING') {
      // Another process of this machine (a command-line run, a cron job) holds the pair: no failure
      // of the account nor of this worker. The result goes back as it is: the bridge that queued the
      // pass asks again in a few minutes with the reason on the account's row (run-outcome.ts), a
      // command-line batch reports it as a run beside another does without a queue.
      end = 'refused';
      deps.log(`Not run now ${payload.label}: ${scrub(result.error.message, secrets)}`);
      return { protocol: QUEUE_PROTOCOL_VERSION, worker: deps.workerName, result: scrubbed, ...recorded };
    }
    end = ok ? 'done' : 'failed';
    deps.log(
      `${ok ? 'Done' : 'FAILED'} ${payload.label}: ${result.messagesCopied} copied, ${result.messagesAlreadyPresent} already migrated, ${result.messagesSkipped} skipped` +
        (result.error ? ` [${result.error.code}] ${scrub(result.error.message, secrets)}` : ''),
    );
    return { protocol: QUEUE_PROTOCOL_VERSION, worker: deps.workerName, result: scrubbed, ...recorded };
  } catch (err) {
    if (err instanceof WaitingError || err instanceof UnrecoverableError) throw err;
    if (leaseLost()) {
      deps.log(`Lost the lock on ${payload.label} before it started; the queue hands it to a worker again`);
      throw await handBack(job, token);
    }
    if (lockLost?.reason === STOP_REASON) {
      // Stopped while it waited for a connection to its source host: nothing ran.
      deps.log(`Stopped ${payload.label} before it started: the coordinator asked`);
      throw new Error(STOP_REASON);
    }
    // A crash of our own code: the failed-job record gets the message only, scrubbed.
    const message = scrub((err as Error)?.message ?? String(err), secrets);
    deps.log(`Job ${jobId} (${payload.label}) crashed: ${message}`);
    throw new Error(message);
  } finally {
    deps.stats.finish(jobId, end);
    await Promise.all([deps.caps.local.release(sourceHost, holder), deps.caps.shared.release(sourceHost, holder).catch(() => undefined)]);
  }
}

/**
 * Puts a job whose lock this worker could not keep back into the queue, and what the processor
 * throws then. If the lock was still ours after all (a renewal only late), the job waits for
 * any worker again instead of failing; if it is gone, Redis refuses the move and the job stays
 * with whoever holds it now (or the stalled check requeues it).
 */
async function handBack(job: Job, token: string | undefined): Promise<WaitingError> {
  if (token) await job.moveToWait(token).catch(() => undefined);
  return new WaitingError();
}

/**
 * What the coordinator's verify needs of this worker's state store, and for a POP3 source the
 * rows the account's next pass takes along (handed-pop3.ts); left out (verify as before) if it
 * cannot be read.
 */
function recordForVerify(
  deps: ProcessorDeps,
  jobId: string,
  account: string,
  result: AccountResult,
  pop3: { handed: HandedMessages | undefined; deleted: AccountJobPayload['options']['deleted'] } | undefined,
  secrets: string[],
): Pick<QueueAccountResult, 'recorded'> {
  let recorded: VerifyRecord;
  try {
    // Folder names, UIDLs and checkpoints are the mailbox's structure, read back as they are (see
    // scrubResult); only the skip reasons are a server's words, masked as the result's are.
    const { reopened, ...rest } = verifyRecordOf(deps.store, account, result, !!pop3);
    recorded = rest;
    if (reopened?.length) recorded.reopened = reopened.map((r) => ({ ...r, skips: r.skips.map((s) => ({ ...s, reason: scrub(s.reason, secrets) })) }));
  } catch (err) {
    deps.log(`Could not read this account's records for the coordinator's verify: ${(err as Error).message}`);
    return {};
  }
  if (!pop3) return { recorded: withHandoverMac(deps, jobId, account, recorded) };
  try {
    // Not through the scrub as a whole: a password could turn up in the packed tags by chance and
    // corrupt them. The tags are keyed digests; only the skip reasons are the servers' words.
    const rows = pop3HandoverOf(deps.store, account, deps.clusterKey, pop3.handed, pop3.deleted);
    if (rows) recorded.pop3 = { ...rows, skips: rows.skips.map((s) => ({ ...s, reason: scrub(s.reason, secrets) })) };
    else deps.log(`The maildrop of this account is too big to hand its rows to the next worker; a pass elsewhere finds the copies by scanning the target`);
  } catch (err) {
    deps.log(`Could not read this account's POP3 rows for its next pass: ${(err as Error).message}`);
  }
  return { recorded: withHandoverMac(deps, jobId, account, recorded) };
}

/** The record with the MAC the coordinator checks before it keeps the handover for the next pass (payload-crypto.ts). */
function withHandoverMac(deps: ProcessorDeps, jobId: string, account: string, recorded: VerifyRecord): VerifyRecord {
  if (!recorded.checkpoints?.length && !recorded.reopened?.length && !recorded.pop3) return recorded;
  return { ...recorded, handoverMac: handoverMac(deps.clusterKey, jobId, account, recorded) };
}

/** The handed POP3 rows as the engine takes them; none (a pass as before) when they do not decode or are another key's. */
function handedPop3Of(deps: ProcessorDeps, payload: AccountJobPayload, account: string): HandedMessages | undefined {
  try {
    const handed = handedMessagesOf(payload.pop3!, deps.clusterKey, account);
    if (!handed) deps.log(`The POP3 rows handed with ${payload.label} were made under another cluster key; this pass finds earlier copies by scanning the target`);
    return handed;
  } catch (err) {
    deps.log(`The POP3 rows handed with ${payload.label} do not decode (${(err as Error).message}); this pass finds earlier copies by scanning the target`);
    return undefined;
  }
}

/**
 * job.updateProgress at most every PROGRESS_INTERVAL_MS; a phase change and the last
 * update always go. Updates are chained so Redis sees them in order; a failed update
 * (Redis restarting) is dropped, the next one carries the newer counters anyway.
 */
class ProgressForwarder {
  private lastSent = 0;
  private lastPhase = '';
  private pending: QueueProgress | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly job: Job, private readonly worker: string, private readonly onEach: (p: QueueProgress) => void) {}

  push(progress: QueueProgress['progress']): void {
    const p: QueueProgress = { worker: this.worker, progress };
    this.onEach(p);
    const now = Date.now();
    if (progress.phase !== this.lastPhase || now - this.lastSent >= PROGRESS_INTERVAL_MS) {
      this.send(p);
      return;
    }
    this.pending = p;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.pending) this.send(this.pending);
    }, PROGRESS_INTERVAL_MS - (now - this.lastSent));
  }

  private send(p: QueueProgress): void {
    this.pending = undefined;
    this.lastSent = Date.now();
    this.lastPhase = p.progress.phase;
    this.chain = this.chain.then(() => this.job.updateProgress(p)).catch(() => undefined);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) this.send(this.pending);
    await this.chain;
  }
}
