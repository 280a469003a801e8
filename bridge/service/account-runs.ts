import type { AccountProgress, AccountResult } from '../../shared/migration';
import type { AccountCounters, AccountPhase, Pass } from '../../shared/protocol/account';
import { PROGRESS_MIN_INTERVAL_MS } from '../../shared/protocol/events';
import type { AccountJob } from '../engine/migrate';
import { buildAccountJob, sourceServerOf, type MissingCredential } from './account-endpoints';
import { ACTIVE, NOT_YET_STARTED, passwordNeeded, runStarted } from './account-transitions';
import { EMPTY_COUNTERS, type AccountPatch, type AccountRecord } from './accounts-repo';
import { credentialOwner } from './credential-owner';
import { nowIso } from './db';
import type { JobRecord } from './jobs-repo';
import type { Logger } from './logger';
import { decideOutcome, mergeCounters, passEnd, progressCounters, type RetryPolicy, type RunEnd } from './run-outcome';
import type { AccountRunner } from './runner/account-runner';
import { engineKey } from './engine-key';
import { mailboxPairKey } from './mailbox-pair';
import { PairWaits } from './pair-waits';
import { addPassWarnings } from './pass-warnings';
import { scrub, scrubResult, secretsOf } from '../queue/secret-scrub';
import { Scheduler, type Candidate, type SchedulerLimits, type StopReason } from './scheduler';
import type { ServiceContext } from './service-context';


/** Since when an account waits to run: its next run time, or (queued with none) when it was last changed, i.e. queued. */
function dueSince(a: AccountRecord): number {
  return a.nextRunAt ?? Date.parse(a.updatedAt);
}

/**
 * Whether an account may run at `now`. No time set: due now, for a syncing account too (one
 * retried by hand, or caught mid-pass by a crash). A time further ahead than any wait the service
 * sets (the job's interval, the longest retry back-off) was set by a clock that has been put back
 * since: waiting for it would stop the account's syncs for as long as the clock went back.
 */
function isDue(a: AccountRecord, job: JobRecord, now: number, maxRetryMs: number): boolean {
  if (a.nextRunAt === null || a.nextRunAt <= now) return true;
  return a.nextRunAt - now > Math.max(Math.round(job.spec.incremental.intervalMinutes * 60_000), maxRetryMs);
}

const ENGINE_PHASES = new Set<string>(['connecting', 'discovering', 'creating-folders', 'planning', 'copying', 'retrying']);

/** What the jobs and accounts parts may ask of the runs: is one running, stop it, look for work now. */
export interface RunControl {
  isRunning(accountId: string): boolean;
  /** A running account's counters as its last progress gave them (stored only at phase changes and at its end). */
  liveCounters(accountId: string): AccountCounters | undefined;
  abort(accountId: string, reason: StopReason): Promise<void>;
  kick(): void;
}

export interface AccountRunsOptions {
  runner: AccountRunner;
  limits: SchedulerLimits;
  retryPolicy: RetryPolicy;
  engineRetryBaseMs: number;
  tickMs?: number;
  /** After a first pass that ended done: the account's verify (see AccountVerify.afterFirstPass). */
  afterFirstPass(accountId: string, job: AccountJob, log: Logger): void;
}

/**
 * The passes: which accounts run now (the scheduler, fed from the accounts table), and for
 * each the pass itself through the runner, its progress events and its outcome
 * (run-outcome.ts) written back to the account.
 */
export class AccountRuns implements RunControl {
  private readonly scheduler: Scheduler;
  private readonly lastProgress = new Map<string, { at: number; phase: string }>();
  private readonly live = new Map<string, AccountCounters>();
  /** Accounts whose pass has returned and whose outcome is being written: no longer stopping. */
  private readonly finishing = new Set<string>();
  private readonly pairWaits: PairWaits;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly opts: AccountRunsOptions,
  ) {
    this.pairWaits = new PairWaits(ctx);
    this.scheduler = new Scheduler({
      limits: opts.limits,
      tickMs: opts.tickMs,
      candidates: (now) => this.candidates(now),
      nextSyncAt: (now) => this.nextSyncAt(now),
      run: (c, connections, signal, reason) => this.runAccount(c.account.id, connections, signal, reason),
      onError: (err) => ctx.log.error({ err }, 'scheduler error'),
      onHeldBack: (c, holder) => this.pairWaits.heldBack(c.account, holder),
      onEnded: (accountId) => this.ended(accountId),
    });
  }

  /** Puts accounts interrupted by a stop or a crash back in the queue, then starts scheduling. */
  start(): void {
    const { accounts, log } = this.ctx;
    const interrupted = accounts.listByStatus(['in_progress']).filter((a) => a.phase !== 'queued' && a.phase !== 'waiting-retry');
    for (const a of interrupted) accounts.update(a.id, { phase: 'queued' });
    // A syncing account caught mid-pass (a phase of a running pass) syncs again at once, as one whose interval is up.
    const midSync = accounts.listByStatus(['syncing']).filter((a) => a.phase !== null && a.phase !== 'queued' && a.phase !== 'waiting-retry');
    for (const a of midSync) accounts.update(a.id, { phase: null, nextRunAt: Date.now() });
    const resumed = accounts.listByStatus(ACTIVE).length;
    if (resumed) log.info({ accounts: resumed }, `resuming ${resumed} account(s) from the state store`);
    this.scheduler.start();
  }

  /** Running accounts stop between chunks, checkpoints written. */
  stop(): Promise<void> {
    return this.scheduler.stop('shutdown');
  }

  liveCounters(accountId: string): AccountCounters | undefined {
    return this.scheduler.isRunning(accountId) ? this.live.get(accountId) : undefined;
  }

  isRunning(accountId: string): boolean {
    return this.scheduler.isRunning(accountId);
  }

  /** Whether the account's pass still copies (running, and not yet past its end). */
  passActive(accountId: string): boolean {
    return this.scheduler.isRunning(accountId) && !this.finishing.has(accountId);
  }

  abort(accountId: string, reason: StopReason): Promise<void> {
    return this.scheduler.abort(accountId, reason);
  }

  kick(): void {
    this.scheduler.kick();
  }

  /** The account whose pass runs now between the same mailboxes as `account` (itself included), if any. */
  runningOverPair(account: AccountRecord, job: JobRecord): string | undefined {
    return this.scheduler.holderOf(mailboxPairKey(job, account));
  }

  /** The engine's job for an account, or the password it lacks. */
  engineJob(job: JobRecord, accountId: string, connections: number): AccountJob | MissingCredential {
    const account = this.ctx.requireAccount(accountId);
    const built = buildAccountJob(job, account, this.ctx.vault, connections, this.opts.engineRetryBaseMs);
    return typeof built === 'string' ? built : { ...built, stateKey: engineKey(accountId, job.spec.targetEpoch, account.mailboxEpoch) };
  }

  private candidates(now: number): Candidate[] {
    const out: Candidate[] = [];
    const jobs = new Map<string, JobRecord | undefined>();
    const fixing = this.pairWaits.pairsUnderFix();
    for (const a of this.ctx.accounts.listByStatus(ACTIVE)) {
      if (!jobs.has(a.jobId)) jobs.set(a.jobId, this.ctx.jobs.get(a.jobId));
      const job = jobs.get(a.jobId);
      if (!job || job.status !== 'active') continue;
      if (!isDue(a, job, now, this.opts.retryPolicy.maxMs)) continue;
      const pair = mailboxPairKey(job, a);
      // Copying the missing messages (account.fixMissing) APPENDs what its verify found: a pass
      // meanwhile, of this account or of another one between the same mailboxes (another job),
      // could copy the same new mail. A check that only waits its turn holds nothing back.
      if (this.ctx.verifyResults.isUnderWay(a.id) || fixing.has(pair)) continue;
      // One pass per mailbox pair at a time (mailbox-pair.ts): the scheduler holds back the others.
      out.push({ account: a, firstPass: a.firstPassDoneAt === null, host: sourceServerOf(job, a).host.toLowerCase(), connections: job.spec.concurrency, exclusiveKey: pair });
    }
    // The longest waiting first, so that with more accounts due than may run, each gets its turn
    // (in creation order, the syncs of the first accounts would keep the later ones out for good).
    return out.sort((x, y) => dueSince(x.account) - dueSince(y.account));
  }

  /** When the next pass of an account of an active job past its first pass (a sync, or a copy into a new target) falls due; null if none. */
  private nextSyncAt(now: number): number | null {
    const jobs = new Map<string, JobRecord | undefined>();
    let next: number | null = null;
    for (const a of this.ctx.accounts.listByStatus(ACTIVE)) {
      if (a.firstPassDoneAt === null || this.scheduler.isRunning(a.id)) continue;
      if (!jobs.has(a.jobId)) jobs.set(a.jobId, this.ctx.jobs.get(a.jobId));
      const job = jobs.get(a.jobId);
      if (job?.status !== 'active') continue;
      // Waiting for another pass between the same mailboxes: no place is kept for it meanwhile
      // (that pass may be a first pass of days); when it ends, the sync takes a place back.
      if (this.runningOverPair(a, job) !== undefined) continue;
      const at = a.nextRunAt ?? now;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  private async runAccount(accountId: string, connections: number, signal: AbortSignal, stopReason: () => StopReason | undefined): Promise<void> {
    const ctx = this.ctx;
    let account = ctx.requireAccount(accountId);
    const job = ctx.requireJob(account.jobId);
    const log = ctx.log.child({ jobId: job.id, accountId });
    this.pairWaits.started(accountId);
    const engineJob = this.engineJob(job, accountId, connections);
    if (typeof engineJob === 'string') {
      // None stored, or one stored for other server settings (it does not decrypt for these): ask again.
      ctx.save(accountId, passwordNeeded(account, [engineJob]));
      return;
    }
    // Its place in the queue, kept if the pass is stopped to make room for a sync.
    const queuedSince = dueSince(account);
    const passStartedAt = Date.now();
    account = ctx.save(accountId, runStarted(account, new Date(passStartedAt).toISOString()));
    const kind = account.status === 'syncing' ? 'sync' : account.firstPassDoneAt ? 'run' : 'first pass';
    const pass: Pass = account.firstPassDoneAt ? 'sync' : 'first';
    if (pass === 'first') ctx.jobs.setFirstPassDoneAt(job.id, null);
    log.info(`${kind} of ${account.source} -> ${account.target} started (${connections} connection(s))`);
    // Counters stay cumulative: this run's are added to what the account had when it started.
    const base: AccountCounters = account.counters ?? EMPTY_COUNTERS;
    let counters = base;
    let end: RunEnd;
    // The pass's warnings (a date the target did not keep, a folder renamed): a failed or stopped pass reports what it saw too.
    let warnings: AccountResult['warnings'] | null = null;
    // A server's words in the result (a refused folder name, an APPEND refusal) can echo the login it was sent: the
    // warnings, error and skip reasons are stored and shown, so the passwords are masked as a queue worker masks them.
    const secrets = secretsOf(engineJob.source.auth, engineJob.target.auth);
    try {
      const result = await this.opts.runner.run(
        { accountId, job: engineJob },
        {
          onProgress: (p) => {
            counters = mergeCounters(base, progressCounters(p), pass);
            this.onProgress(accountId, account.jobId, p, counters, pass);
          },
          onRetry: (err, attempt, delay) => log.warn(`retry ${attempt} of ${account.source} in ${delay} ms: [${err.code}] ${err.message}`),
          onWorker: (worker) => {
            log.info(`${account.source} runs on worker ${worker}`);
            if (!ctx.closed) ctx.accountChanged(accountId);
          },
        },
        signal,
      );
      const masked = scrubResult(result, secrets);
      warnings = masked.warnings;
      end = passEnd(base, masked, counters, pass);
    } catch (err) {
      log.error({ err }, 'the engine failed unexpectedly');
      end = { status: 'failed', error: { code: 'INTERNAL', message: scrub(`Unexpected error: ${(err as Error).message}`, secrets) }, counters };
    }
    // Its outcome, saved below, is the pass's end: the account is shown as stopping no more.
    this.finishing.add(accountId);
    this.lastProgress.delete(accountId);
    this.live.delete(accountId);
    if (ctx.closed) return;
    const current = ctx.requireAccount(accountId);
    let reason = stopReason();
    // A person restarted the account (or reimported it) while this run was stopping: queue it, do not undo that.
    if ((reason === 'pause' && current.status !== 'paused') || (reason === 'stop' && current.status !== 'closed')) reason = 'job-paused';
    // Paused or closed by a person while it stopped to make room for a sync: that is what it becomes.
    if (reason === 'make-room' && (current.status === 'paused' || current.status === 'closed')) reason = current.status === 'paused' ? 'pause' : 'stop';
    const decided = decideOutcome({ account: current, job: ctx.jobs.get(job.id)!, end, stopReason: reason, now: Date.now(), passStartedAt, queuedSince, policy: this.opts.retryPolicy });
    // Stopped because its passwords became unusable (a server change): it keeps waiting for them.
    const outcome: AccountPatch = current.status === 'password_needed' && reason ? { phase: null, nextRunAt: null, counters: end.counters } : decided.patch;
    // Kept under the key of the mailbox this pass copied into: a reimport towards another one meanwhile does not show them.
    const patch: AccountPatch = warnings ? { ...outcome, warnings: addPassWarnings(current.warnings, engineJob.stateKey!, warnings, nowIso()) } : outcome;
    // Passwords go first, so the status event of the closed account already says they are gone.
    if (decided.deleteCredentials) ctx.vault.delete(credentialOwner.account(accountId));
    const after = ctx.save(accountId, patch);
    if (reason === 'make-room') log.info(`${account.source} stopped to let a sync run; it resumes from its checkpoint when a place is free`);
    else if (reason) log.info(`${account.source} stopped (${reason}); it resumes from its checkpoint`);
    else if (end.status === 'done') {
      // The counters are the account's over all its runs: the line says what this run copied, then the whole.
      const copied = end.counters.messagesCopied - base.messagesCopied;
      log.info(`${kind} of ${account.source} done: ${copied} copied (${end.counters.messagesCopied} in all), ${end.counters.messagesAlreadyPresent} already there, ${end.counters.messagesSkipped} skipped; now ${after.status}`);
    }
    else log.warn(`${account.source} ${after.status === 'failed' ? 'failed' : 'will be retried'}: [${end.error?.code}] ${end.error?.message}`);
    if (end.status === 'done' && after.status === 'closed' && !reason) log.info(`${account.source}: the incremental sync window ended; the account is closed and its stored passwords were deleted`);
    this.checkFirstPassDone(job.id);
    if (pass === 'first' && end.status === 'done' && !reason) this.opts.afterFirstPass(accountId, engineJob, log);
  }

  private ended(accountId: string): void {
    this.finishing.delete(accountId);
  }

  /** Sends job.firstPassDone once every started account of the job is past its first pass or failed. */
  private checkFirstPassDone(jobId: string): void {
    const { jobs, accounts, log, events } = this.ctx;
    if (jobs.firstPassDoneAt(jobId)) return;
    const all = accounts.listByJob(jobId).accounts.filter((a) => !NOT_YET_STARTED.includes(a.status));
    if (!all.length) return;
    const pending = all.filter((a) => !a.firstPassDoneAt && a.status !== 'failed' && a.status !== 'closed' && a.status !== 'password_needed');
    if (pending.length) return;
    const at = nowIso();
    jobs.setFirstPassDoneAt(jobId, at);
    const job = jobs.get(jobId)!;
    const done = all.filter((a) => a.firstPassDoneAt).length;
    const failed = all.filter((a) => a.status === 'failed').length;
    log.info({ jobId }, `first pass of job "${job.spec.name}" finished: ${done} account(s) done, ${failed} failed`);
    events.emit('job.firstPassDone', { job: this.ctx.jobView(job), done, failed, at });
  }

  private onProgress(accountId: string, jobId: string, p: AccountProgress, counters: AccountCounters, pass: Pass): void {
    if (this.ctx.closed) return;
    this.live.set(accountId, counters);
    const phase = ENGINE_PHASES.has(p.phase) ? (p.phase as AccountPhase) : undefined;
    const last = this.lastProgress.get(accountId);
    const now = Date.now();
    const phaseChanged = phase !== undefined && last?.phase !== phase;
    if (phaseChanged) this.ctx.save(accountId, { phase, counters });
    if (!phase || (!phaseChanged && last && now - last.at < PROGRESS_MIN_INTERVAL_MS)) return;
    this.lastProgress.set(accountId, { at: now, phase });
    this.ctx.events.emit('account.progress', {
      accountId,
      jobId,
      phase,
      pass,
      messagesTotal: counters.messagesTotal,
      messagesCopied: counters.messagesCopied,
      messagesSkipped: counters.messagesSkipped,
      messagesAlreadyPresent: counters.messagesAlreadyPresent,
      bytesTotal: p.bytesTotal,
      bytesCopied: counters.bytesCopied,
      rate: p.rate,
      bytesPerSecond: p.bytesPerSecond,
      etaSeconds: p.etaSeconds,
      messagesSyncedSinceFirstPass: counters.messagesSyncedSinceFirstPass,
      folders: p.folders,
    });
  }
}
