import { CutoverMonitor } from '../dns/cutover-monitor';
import { StateStore } from '../engine/state-store';
import { AccountRuns } from './account-runs';
import { AccountService } from './account-service';
import { AccountVerify } from './account-verify';
import { AccountsRepo } from './accounts-repo';
import { loadOrCreateKey } from './credential-key';
import { CredentialVault } from './credential-vault';
import type { ServiceDb } from './db';
import { JobService } from './job-service';
import { JobsRepo } from './jobs-repo';
import type { Logger } from './logger';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './run-outcome';
import type { AccountRunner } from './runner/account-runner';
import { InProcessRunner } from './runner/in-process-runner';
import type { SchedulerLimits } from './scheduler';
import type { WorkersList } from '../../shared/protocol/workers';
import { refForOwner } from './secret-owner';
import { ServiceContext } from './service-context';
import { ServiceEvents, type ServiceEvent } from './service-events';
import type { SecretScrubber } from './secret-scrubber';
import { setupChecks } from './setup-checks';
import { VerifyResults } from './verify-results';

export type { ServiceEvent } from './service-events';

export interface BridgeServiceOptions {
  stateDir: string;
  /** The service's connection to the state file (openServiceDb); the caller closes it after stop(). */
  db: ServiceDb;
  logger: Logger;
  scrubber: SecretScrubber;
  limits?: Partial<SchedulerLimits>;
  retry?: Partial<RetryPolicy>;
  /** Base delay of the engine's own retries within one run. */
  engineRetryBaseMs?: number;
  tickMs?: number;
  /** Cut-over DNS checks (bridge/dns/cutover-monitor.ts): interval and DNS server. */
  cutover?: { intervalMs?: number; dnsServer?: string };
  /** Where passes run; default: in this process (runner/in-process-runner.ts). */
  runner?: (engineStore: StateStore) => AccountRunner;
}

/** An options object without its undefined entries, so that spreading it keeps the defaults. */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const DEFAULT_LIMITS: SchedulerLimits = { maxAccounts: 4, maxConnectionsPerHost: 8 };

/**
 * The bridge's application layer, assembled from its parts: jobs (job-service.ts), accounts
 * (account-service.ts), verifies (account-verify.ts), the passes (account-runs.ts, through an
 * AccountRunner), the cut-over monitor and the wizard's setup checks. Everything is persisted
 * in the state store as it changes, so a restart (or a crash) carries on where it was.
 */
export class BridgeService {
  readonly jobs: JobService;
  readonly accounts: AccountService;
  readonly verify: AccountVerify;
  /** Cut-over (切换) of each job: DNS checks, MX switch seen, checklist. */
  readonly cutover: CutoverMonitor;
  readonly setup = setupChecks;
  private readonly ctx: ServiceContext;
  private readonly runs: AccountRuns;
  private readonly events: ServiceEvents;
  private readonly runner: AccountRunner;

  constructor(opts: BridgeServiceOptions) {
    const log = opts.logger;
    const { db } = opts;
    const engineStore = StateStore.open(opts.stateDir);
    const vault = new CredentialVault(db, loadOrCreateKey(opts.stateDir), opts.scrubber);
    this.events = new ServiceEvents(log);
    this.ctx = new ServiceContext(new JobsRepo(db), new AccountsRepo(db), vault, new VerifyResults(db, opts.stateDir), engineStore, this.events, log);
    vault.primeScrubber();
    const bound = vault.bindUnbound((owner) => refForOwner(this.ctx, owner));
    if (bound) log.info(`${bound} stored password(s) bound to the servers of their jobs`);
    const runner: AccountRunner = opts.runner?.(engineStore) ?? new InProcessRunner(engineStore);
    this.runner = runner;
    if (runner.workerOf) this.ctx.workerOf = (accountId) => runner.workerOf!(accountId);
    this.runs = new AccountRuns(this.ctx, {
      runner,
      limits: { ...DEFAULT_LIMITS, ...defined(opts.limits) },
      retryPolicy: { ...DEFAULT_RETRY_POLICY, ...defined(opts.retry) },
      engineRetryBaseMs: opts.engineRetryBaseMs ?? 1000,
      tickMs: opts.tickMs,
      afterFirstPass: (accountId, job, runLog) => this.verify.afterFirstPass(accountId, job, runLog),
    });
    this.ctx.isRunning = (accountId) => this.runs.passActive(accountId);
    this.ctx.liveCounters = (accountId) => this.runs.liveCounters(accountId);
    this.verify = new AccountVerify(this.ctx, this.runs);
    this.accounts = new AccountService(this.ctx, this.runs);
    this.jobs = new JobService(this.ctx, this.accounts, this.runs);
    this.cutover = new CutoverMonitor({
      db,
      jobStatus: (jobId) => this.ctx.jobs.get(jobId)?.status,
      emit: (cutover) => this.events.emit('job.cutover', { cutover }),
      intervalMs: opts.cutover?.intervalMs,
      dnsServer: opts.cutover?.dnsServer ?? process.env.MAILMOVER_DNS_SERVER,
      onError: (err) => log.warn({ err }, 'cut-over DNS check failed'),
    });
  }

  /** Puts accounts interrupted by a stop or a crash back in the queue, then starts scheduling. */
  start(): void {
    this.runs.start();
    this.cutover.start();
  }

  /** Stops the scheduler (running accounts stop between chunks, checkpoints written), then closes the engine's store. */
  async stop(): Promise<void> {
    if (this.ctx.closed) return;
    this.cutover.stop();
    this.runner.prepareShutdown?.();
    await this.runs.stop();
    await this.cutover.settle();
    this.ctx.closed = true;
    this.events.close();
    this.ctx.engineStore.close();
    await this.runner.close?.();
  }

  /** Queue mode: the workers for the workers panel; in-process: no queue, no workers. */
  workers(): Promise<WorkersList> {
    return this.runner.workers?.() ?? Promise.resolve({ queue: null, workers: [] });
  }

  on(listener: (e: ServiceEvent) => void): () => void {
    return this.events.on(listener);
  }
}
