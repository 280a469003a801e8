import type { AccountProgress } from '../../shared/migration';
import { CutoverMonitor } from '../dns/cutover-monitor';
import type { AccountCounters, AccountPhase, AccountStatus, AccountView, FolderState, Pass } from '../../shared/protocol/account';
import type { Server } from '../../shared/protocol/common';
import type { EventData, EventName } from '../../shared/protocol/events';
import { PROGRESS_MIN_INTERVAL_MS } from '../../shared/protocol/events';
import type { JobSpec, JobView, LoginInput } from '../../shared/protocol/job';
import type { AccountSelection, RequestParams, RequestResult } from '../../shared/protocol/requests';
import { planMappings, type AccountJob } from '../engine/migrate-account';
import { migrate } from '../engine/migrate';
import { closeQuietly, connectImap } from '../engine/connect';
import { discoverLayout, type MailboxLayout } from '../engine/discover';
import { endpointProtocol, type Endpoint } from '../engine/endpoint';
import { classifyError } from '../engine/errors';
import { guardReadOnly } from '../engine/read-only-guard';
import { detectProvider } from '../diagnose/detect-provider';
import { MigrationOptionsSchema } from '../../shared/migration';
import { StateStore } from '../engine/state-store';
import { buildAccountJob, missingCredentials, sourceServerOf, type MissingCredential } from './account-endpoints';
import { planImport } from './account-import';
import { EMPTY_COUNTERS, AccountsRepo, type AccountPatch, type AccountRecord } from './accounts-repo';
import { loadOrCreateKey } from './credential-key';
import { CredentialVault, credentialOwner } from './credential-vault';
import { nowIso, openServiceDb, type ServiceDb } from './db';
import { testEndpoint, verificationAuth } from './endpoint-test';
import { accountSourceRef, accountTargetRef, jobSourceAdminRef, jobTargetAdminRef, type SecretRef } from './secret-binding';
import { JobsRepo, type JobRecord, type StoredJobSpec, type StoredLogin } from './jobs-repo';
import type { Logger } from './logger';
import { PairingCodes } from './pairing-codes';
import { reportCsv, reportFilename } from './report-csv';
import { DEFAULT_RETRY_POLICY, decideOutcome, mergeCounters, type RetryPolicy, type RunEnd } from './run-outcome';
import { Scheduler, type Candidate, type SchedulerLimits, type StopReason } from './scheduler';
import type { SecretScrubber } from './secret-scrubber';
import { ServiceError } from './service-error';
import { TokenStore } from './tokens';
import { TrustedOrigins } from './trusted-origins';
import { classified, toAccountView, toJobView } from './views';
import { VerifyResults } from './verify-results';

export interface ServiceEvent<E extends EventName = EventName> {
  event: E;
  data: EventData<E>;
}

export interface BridgeServiceOptions {
  stateDir: string;
  logger: Logger;
  scrubber: SecretScrubber;
  limits?: Partial<SchedulerLimits>;
  retry?: Partial<RetryPolicy>;
  /** Base delay of the engine's own retries within one run. */
  engineRetryBaseMs?: number;
  tickMs?: number;
  /** Cut-over DNS checks (bridge/dns/cutover-monitor.ts): interval and DNS server. */
  cutover?: { intervalMs?: number; dnsServer?: string };
}

/** An options object without its undefined entries, so that spreading it keeps the defaults. */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const DEFAULT_LIMITS: SchedulerLimits = { maxAccounts: 4, maxConnectionsPerHost: 8 };

/** Statuses whose account is (or will soon be) run by the scheduler. */
const ACTIVE: readonly AccountStatus[] = ['in_progress', 'syncing'];
/** Statuses of accounts that never started: a source server change for "new accounts" applies to them. */
const NOT_YET_STARTED: readonly AccountStatus[] = ['not_enabled', 'not_started'];

const ENGINE_PHASES = new Set<string>(['connecting', 'discovering', 'creating-folders', 'planning', 'copying', 'retrying']);

function countersOf(p: AccountProgress) {
  return {
    messagesTotal: p.messagesTotal,
    messagesCopied: p.messagesCopied,
    messagesSkipped: p.messagesSkipped,
    messagesAlreadyPresent: p.messagesAlreadyPresent,
    bytesCopied: p.bytesCopied,
  };
}

/** The settings of a server that its stored passwords are bound to, as one comparable text. */
function serverKey(s: Server): string {
  return JSON.stringify([s.host.toLowerCase(), s.port, s.security, s.allowPlaintext, s.insecureTls]);
}

/** The error an account waiting for a password again shows. */
function passwordNeeded(a: AccountRecord, missing: readonly MissingCredential[]): ReturnType<typeof classified> {
  return classified({
    code: 'CONFIG_INVALID',
    message: `The ${missing.join(' and ')} password for ${a.source} must be entered again: none is stored for the current server settings (a password is only used with the server, port and security it was entered for).`,
  });
}

/** The engine's state store key of a service account (see AccountJob.stateKey). */
export const engineKey = (accountId: string): string => `account:${accountId}`;

/**
 * The bridge's application layer: jobs and accounts, their
 * credentials, the scheduler that runs them with the engine, and the events the
 * WebSocket pushes. Everything is persisted in the state store as it changes, so
 * a restart (or a crash) carries on where it was.
 */
export class BridgeService {
  readonly db: ServiceDb;
  readonly tokens: TokenStore;
  readonly pairing: PairingCodes;
  readonly origins: TrustedOrigins;
  readonly vault: CredentialVault;
  private readonly jobs: JobsRepo;
  private readonly accounts: AccountsRepo;
  private readonly engineStore: StateStore;
  private readonly verifyResults: VerifyResults;
  private readonly scheduler: Scheduler;
  private readonly log: Logger;
  private readonly listeners = new Set<(e: ServiceEvent) => void>();
  private readonly jobEventTimers = new Map<string, NodeJS.Timeout>();
  private readonly lastProgress = new Map<string, { at: number; phase: string }>();
  private readonly retryPolicy: RetryPolicy;
  private readonly engineRetryBaseMs: number;
  private closed = false;
  /** Cut-over (切换) of each job: DNS checks, MX switch seen, checklist. */
  readonly cutover: CutoverMonitor;

  constructor(private readonly opts: BridgeServiceOptions) {
    this.log = opts.logger;
    this.db = openServiceDb(opts.stateDir);
    this.engineStore = StateStore.open(opts.stateDir);
    this.vault = new CredentialVault(this.db, loadOrCreateKey(opts.stateDir), opts.scrubber);
    this.tokens = new TokenStore(this.db);
    this.pairing = new PairingCodes(this.db);
    this.origins = new TrustedOrigins(this.db);
    this.jobs = new JobsRepo(this.db);
    this.accounts = new AccountsRepo(this.db);
    this.verifyResults = new VerifyResults(this.db, opts.stateDir);
    this.vault.primeScrubber();
    const bound = this.vault.bindUnbound((owner) => this.refForOwner(owner));
    if (bound) this.log.info(`${bound} stored password(s) bound to the servers of their jobs`);
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...defined(opts.retry) };
    this.engineRetryBaseMs = opts.engineRetryBaseMs ?? 1000;
    this.scheduler = new Scheduler({
      limits: { ...DEFAULT_LIMITS, ...defined(opts.limits) },
      tickMs: opts.tickMs,
      candidates: (now) => this.candidates(now),
      run: (c, connections, signal, reason) => this.runAccount(c.account.id, connections, signal, reason),
      onError: (err) => this.log.error({ err }, 'scheduler error'),
    });
    this.cutover = new CutoverMonitor({
      db: this.db,
      jobStatus: (jobId) => this.jobs.get(jobId)?.status,
      emit: (cutover) => this.emit('job.cutover', { cutover }),
      intervalMs: opts.cutover?.intervalMs,
      dnsServer: opts.cutover?.dnsServer ?? process.env.MAILMOVER_DNS_SERVER,
      onError: (err) => this.log.warn({ err }, 'cut-over DNS check failed'),
    });
  }

  /** Puts accounts interrupted by a stop or a crash back in the queue, then starts scheduling. */
  start(): void {
    const interrupted = this.accounts.listByStatus(['in_progress']).filter((a) => a.phase !== 'queued' && a.phase !== 'waiting-retry');
    for (const a of interrupted) this.accounts.update(a.id, { phase: 'queued' });
    const resumed = this.accounts.listByStatus(ACTIVE).length;
    if (resumed) this.log.info({ accounts: resumed }, `resuming ${resumed} account(s) from the state store`);
    this.scheduler.start();
    this.cutover.start();
  }

  /** Stops the scheduler (running accounts stop between chunks, checkpoints written), then closes the store. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.cutover.stop();
    await this.scheduler.stop('shutdown');
    await this.cutover.settle();
    this.closed = true;
    for (const t of this.jobEventTimers.values()) clearTimeout(t);
    this.engineStore.close();
    this.db.close();
  }

  on(listener: (e: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const l of this.listeners) {
      try {
        l({ event, data } as ServiceEvent);
      } catch (err) {
        this.log.error({ err }, 'event listener failed');
      }
    }
  }

  // ---------------------------------------------------------------- views

  jobView(job: JobRecord): JobView {
    return toJobView(job, this.accounts.countsByStatus(job.id), this.vault);
  }

  accountView(a: AccountRecord, job: JobRecord = this.requireJob(a.jobId)): AccountView {
    return toAccountView(a, job, this.vault, this.verifyResults.get(a.id));
  }

  /** The binding a stored secret gets when it was stored before secrets were bound (see CredentialVault.bindUnbound). */
  private refForOwner(owner: string): SecretRef | undefined {
    const m = /^(account|job):([A-Za-z0-9_-]+):(source|target|source-admin|target-admin)$/.exec(owner);
    if (!m) return undefined;
    if (m[1] === 'job') {
      const job = this.jobs.get(m[2]!);
      if (!job) return undefined;
      return m[3] === 'source-admin' ? jobSourceAdminRef(job) : jobTargetAdminRef(job);
    }
    const a = this.accounts.get(m[2]!);
    const job = a && this.jobs.get(a.jobId);
    if (!a || !job) return undefined;
    return m[3] === 'source' ? accountSourceRef(job, a) : accountTargetRef(job, a);
  }

  private requireJob(jobId: string, opts: { open?: boolean } = {}): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw new ServiceError('NOT_FOUND', `No job ${jobId}.`);
    if (opts.open && job.status === 'closed') throw new ServiceError('CONFLICT', `Job "${job.spec.name}" is closed.`);
    return job;
  }

  private requireAccount(accountId: string): AccountRecord {
    const a = this.accounts.get(accountId);
    if (!a) throw new ServiceError('NOT_FOUND', `No account ${accountId}.`);
    return a;
  }

  /** Coalesces the job's status event (an import changes hundreds of accounts at once). */
  private jobChanged(jobId: string): void {
    if (this.jobEventTimers.has(jobId) || this.closed) return;
    this.jobEventTimers.set(
      jobId,
      setTimeout(() => {
        this.jobEventTimers.delete(jobId);
        if (this.closed) return;
        const job = this.jobs.get(jobId);
        if (job) this.emit('job.status', { job: this.jobView(job) });
      }, 100),
    );
  }

  private save(id: string, patch: AccountPatch, job?: JobRecord): AccountRecord {
    const a = this.accounts.update(id, patch);
    this.emit('account.status', { account: this.accountView(a, job) });
    this.jobChanged(a.jobId);
    return a;
  }

  // ---------------------------------------------------------------- jobs

  private static loginSpec(login: LoginInput): StoredLogin {
    return login.kind === 'admin' ? { kind: 'admin', adminUser: login.adminUser, form: login.form ?? 'authzid' } : { kind: 'per-account' };
  }

  /** Stores a side's admin password bound to the job's server as it is now (per-account: removes it). */
  private storeAdminSecret(job: JobRecord, side: 'source' | 'target', login: LoginInput): void {
    const ref = side === 'source' ? jobSourceAdminRef(job) : jobTargetAdminRef(job);
    if (login.kind === 'admin') this.vault.put(ref, login.password);
    else this.vault.delete(ref.owner);
  }

  /** Per account of a job: the passwords it is missing now (before a change, to see what the change took away). */
  private missingByAccount(job: JobRecord): Map<string, MissingCredential[]> {
    return new Map(this.accounts.listByJob(job.id).accounts.map((a) => [a.id, missingCredentials(job, a, this.vault)]));
  }

  /**
   * After a change to a job's servers or stored passwords: an account that lost a usable password
   * waits for it again (password_needed; a running one is stopped between chunks), and one that
   * was waiting and has all it needs now is queued.
   */
  private settlePasswords(jobId: string, before: Map<string, MissingCredential[]>): void {
    const job = this.requireJob(jobId);
    for (const a of this.accounts.listByJob(jobId).accounts) {
      if (a.status === 'closed') continue;
      const now = missingCredentials(job, a, this.vault);
      const lost = now.filter((side) => !(before.get(a.id) ?? []).includes(side));
      if (lost.length && a.status !== 'password_needed') {
        this.save(a.id, { status: 'password_needed', phase: null, nextRunAt: null, error: passwordNeeded(a, now) }, job);
        if (this.scheduler.isRunning(a.id)) void this.scheduler.abort(a.id, 'job-paused');
        this.log.warn({ jobId, accountId: a.id }, `${a.source}: the stored ${now.join(' and ')} password was entered for other server settings; it waits until it is entered again`);
      } else if (!now.length && a.status === 'password_needed') {
        this.save(a.id, { status: 'in_progress', phase: 'queued', error: null, failures: 0, nextRunAt: null }, job);
      }
    }
  }

  createJob(spec: JobSpec): JobView {
    const stored: StoredJobSpec = {
      name: spec.name,
      source: spec.source,
      sourceLogin: BridgeService.loginSpec(spec.sourceLogin),
      target: spec.target,
      targetLogin: BridgeService.loginSpec(spec.targetLogin),
      storage: spec.storage,
      filters: spec.filters,
      incremental: spec.incremental,
      concurrency: spec.concurrency,
      batchMessages: spec.batchMessages,
      provider: spec.provider ?? null,
    };
    const job = this.jobs.create(stored);
    this.storeAdminSecret(job, 'source', spec.sourceLogin);
    this.storeAdminSecret(job, 'target', spec.targetLogin);
    this.log.info({ jobId: job.id }, `job "${spec.name}" created`);
    const view = this.jobView(job);
    this.emit('job.status', { job: view });
    return view;
  }

  updateJob({ jobId, patch }: RequestParams<'job.update'>): JobView {
    const job = this.requireJob(jobId, { open: true });
    const spec: StoredJobSpec = { ...job.spec };
    if (patch.name !== undefined) spec.name = patch.name;
    if (patch.target !== undefined) spec.target = patch.target;
    if (patch.storage !== undefined) spec.storage = patch.storage;
    if (patch.filters !== undefined) spec.filters = patch.filters;
    if (patch.incremental !== undefined) {
      this.moveWindows(jobId, job.spec.incremental.windowDays, patch.incremental.windowDays);
      spec.incremental = patch.incremental;
    }
    if (patch.concurrency !== undefined) spec.concurrency = patch.concurrency;
    if (patch.batchMessages !== undefined) spec.batchMessages = patch.batchMessages;
    if (patch.provider !== undefined) spec.provider = patch.provider;
    if (patch.sourceLogin) spec.sourceLogin = BridgeService.loginSpec(patch.sourceLogin);
    if (patch.targetLogin) spec.targetLogin = BridgeService.loginSpec(patch.targetLogin);
    const before = this.missingByAccount(job);
    const updated = this.jobs.updateSpec(jobId, spec);
    // Passwords stored for the old target do not decrypt for a new one (see secret-binding.ts); they
    // are deleted so nothing suggests otherwise. Logins in this same patch are stored for the new target.
    if (serverKey(job.spec.target) !== serverKey(updated.spec.target)) {
      for (const a of this.accounts.listByJob(jobId).accounts) this.vault.delete(credentialOwner.accountTarget(a.id));
      if (!patch.targetLogin) this.vault.delete(credentialOwner.jobTargetAdmin(jobId));
    }
    if (patch.sourceLogin) this.storeAdminSecret(updated, 'source', patch.sourceLogin);
    if (patch.targetLogin) this.storeAdminSecret(updated, 'target', patch.targetLogin);
    // New logins or a new target can cure a permanent failure: those accounts get another try.
    if (patch.sourceLogin || patch.targetLogin || patch.target) this.requeueFailed(jobId);
    this.settlePasswords(jobId, before);
    this.log.info({ jobId }, `job "${spec.name}" updated`);
    const view = this.jobView(updated);
    this.emit('job.status', { job: view });
    this.scheduler.kick();
    return view;
  }

  /** A changed window length moves the end of the running windows (their start stays). */
  private moveWindows(jobId: string, oldDays: number, newDays: number): void {
    if (oldDays === newDays) return;
    const delta = Math.round((newDays - oldDays) * 86_400_000);
    for (const a of this.accounts.listByJob(jobId).accounts) {
      if (a.syncUntil === null || a.status === 'closed') continue;
      const syncUntil = a.syncUntil + delta;
      this.accounts.update(a.id, { syncUntil, ...(a.status === 'syncing' && a.nextRunAt !== null && a.nextRunAt > syncUntil ? { nextRunAt: syncUntil } : {}) });
    }
  }

  private requeueFailed(jobId: string): void {
    for (const a of this.accounts.listByJob(jobId, { statuses: ['failed'] }).accounts) {
      this.save(a.id, { status: 'in_progress', phase: 'queued', failures: 0, nextRunAt: null });
    }
  }

  async pauseJob(jobId: string): Promise<JobView> {
    this.requireJob(jobId, { open: true });
    const job = this.jobs.setStatus(jobId, 'paused');
    this.emit('job.status', { job: this.jobView(job) });
    this.log.info({ jobId }, `job "${job.spec.name}" paused`);
    const running = this.accounts.listByJob(jobId, { statuses: ACTIVE }).accounts.filter((a) => this.scheduler.isRunning(a.id));
    await Promise.all(running.map((a) => this.scheduler.abort(a.id, 'job-paused')));
    return this.jobView(this.jobs.get(jobId)!);
  }

  resumeJob(jobId: string): JobView {
    this.requireJob(jobId, { open: true });
    const job = this.jobs.setStatus(jobId, 'active');
    this.log.info({ jobId }, `job "${job.spec.name}" resumed`);
    const view = this.jobView(job);
    this.emit('job.status', { job: view });
    this.scheduler.kick();
    return view;
  }

  /** 关闭搬家 for a whole job: every account closed and every stored password of the job deleted. */
  async closeJob(jobId: string): Promise<JobView> {
    const job = this.requireJob(jobId);
    if (job.status !== 'closed') {
      this.jobs.setStatus(jobId, 'closed');
      const open = this.accounts.listByJob(jobId).accounts.filter((a) => a.status !== 'closed');
      await this.stopAccounts({ accountIds: open.map((a) => a.id) }, { allowClosedJob: true });
      this.vault.delete(credentialOwner.job(jobId));
      this.log.info({ jobId }, `job "${job.spec.name}" closed; its stored passwords were deleted`);
    }
    const view = this.jobView(this.jobs.get(jobId)!);
    this.emit('job.status', { job: view });
    return view;
  }

  listJobs(): JobView[] {
    return this.jobs.list().map((j) => this.jobView(j));
  }

  // ---------------------------------------------------------------- accounts

  importAccounts(p: RequestParams<'accounts.import'>): RequestResult<'accounts.import'> {
    const job = this.requireJob(p.jobId, { open: true });
    const bytes = Buffer.from(p.csvBase64, 'base64');
    const plan = planImport(bytes, p.mode, { source: job.spec.sourceLogin, target: job.spec.targetLogin });
    if (plan.errors.length) {
      this.log.warn({ jobId: job.id, errors: plan.errors.length }, `account import refused: ${plan.errors.length} bad row(s)`);
      return { imported: 0, updated: 0, errors: plan.errors, accounts: [] };
    }
    let imported = 0;
    let updated = 0;
    const touched: string[] = [];
    this.accounts.transaction(() => {
      for (const row of plan.rows) {
        const existing = this.accounts.findBySource(job.id, row.source);
        let a: AccountRecord;
        if (existing && existing.status !== 'closed') {
          a = existing;
          updated++;
        } else if (existing) {
          // A closed account imported again is reopened from scratch.
          // Its next run is a first pass again, with a new incremental window after it.
          a = this.accounts.update(existing.id, { target: row.target, mode: p.mode, status: 'not_started', phase: null, error: null, failures: 0, nextRunAt: null, firstPassDoneAt: null, syncUntil: null });
          updated++;
        } else {
          a = this.accounts.insert({ jobId: job.id, source: row.source, target: row.target, mode: p.mode, status: 'not_started' });
          imported++;
        }
        if (row.sourcePassword) this.vault.put(accountSourceRef(job, a), row.sourcePassword);
        if (row.targetPassword) this.vault.put(accountTargetRef(job, a), row.targetPassword);
        touched.push(a.id);
        if (existing && existing.status !== 'closed') {
          // New passwords for an account that failed on them, or that waited for them: try again.
          if ((existing.status === 'failed' || existing.status === 'password_needed') && (row.sourcePassword || row.targetPassword) && missingCredentials(job, a, this.vault).length === 0) {
            this.accounts.update(a.id, { status: 'in_progress', phase: 'queued', failures: 0, nextRunAt: null });
          }
          continue;
        }
        const ready = missingCredentials(job, a, this.vault).length === 0;
        const status: AccountStatus =
          p.mode === 'admin-without-passwords' ? 'not_enabled' : p.mode === 'self-service' ? 'not_started' : ready && p.autoStart ? 'in_progress' : 'not_started';
        this.accounts.update(a.id, { status, phase: status === 'in_progress' ? 'queued' : null });
      }
    });
    const views = touched.map((id) => this.accountView(this.accounts.get(id)!, job));
    for (const account of views) this.emit('account.status', { account });
    this.jobChanged(job.id);
    this.log.info({ jobId: job.id, imported, updated, mode: p.mode }, `imported ${imported} account(s), updated ${updated}`);
    this.scheduler.kick();
    return { imported, updated, errors: [], accounts: views };
  }

  listAccounts(p: RequestParams<'account.list'>): RequestResult<'account.list'> {
    this.requireJob(p.jobId);
    const { accounts, total } = this.accounts.listByJob(p.jobId, p);
    const job = this.requireJob(p.jobId);
    return { accounts: accounts.map((a) => this.accountView(a, job)), total };
  }

  private select(sel: AccountSelection): AccountRecord[] {
    if ('accountIds' in sel) return sel.accountIds.map((id) => this.requireAccount(id));
    this.requireJob(sel.jobId);
    return this.accounts.listByJob(sel.jobId, { statuses: sel.statuses }).accounts;
  }

  private batch(sel: AccountSelection, action: (a: AccountRecord, job: JobRecord) => { ok: boolean; reason?: string }, opts: { allowClosedJob?: boolean } = {}): RequestResult<'account.start'> {
    const results: RequestResult<'account.start'>['results'] = [];
    for (const a of this.select(sel)) {
      const job = this.requireJob(a.jobId);
      if (job.status === 'closed' && !opts.allowClosedJob) {
        results.push({ accountId: a.id, ok: false, status: a.status, reason: 'the job is closed' });
        continue;
      }
      const r = action(a, job);
      results.push({ accountId: a.id, ok: r.ok, status: this.accounts.get(a.id)!.status, ...(r.reason ? { reason: r.reason } : {}) });
    }
    this.scheduler.kick();
    return { results };
  }

  startAccounts(sel: AccountSelection): RequestResult<'account.start'> {
    return this.batch(sel, (a, job) => {
      if (ACTIVE.includes(a.status)) return { ok: true };
      if (a.status === 'closed') return { ok: false, reason: 'the account is closed; reopen it (account.reopen) or import it again' };
      const missing = missingCredentials(job, a, this.vault);
      if (missing.length) return { ok: false, reason: `waiting for the ${missing.join(' and ')} password` };
      this.save(a.id, { status: 'in_progress', phase: 'queued', error: null, failures: 0, nextRunAt: null });
      this.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} started`);
      return { ok: true };
    });
  }

  pauseAccounts(sel: AccountSelection): RequestResult<'account.pause'> {
    return this.batch(sel, (a) => {
      if (a.status === 'paused') return { ok: true };
      if (!ACTIVE.includes(a.status) && a.status !== 'failed') return { ok: false, reason: `a ${a.status} account cannot be paused` };
      this.save(a.id, { status: 'paused', phase: null, nextRunAt: null });
      void this.scheduler.abort(a.id, 'pause');
      this.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} paused`);
      return { ok: true };
    });
  }

  /** 关闭搬家 for accounts: closed for good, stored passwords deleted at once. */
  stopAccounts(sel: AccountSelection, opts: { allowClosedJob?: boolean } = {}): RequestResult<'account.stop'> {
    return this.batch(
      sel,
      (a) => {
        this.vault.delete(credentialOwner.account(a.id));
        if (a.status !== 'closed') {
          this.save(a.id, { status: 'closed', phase: null, nextRunAt: null });
          void this.scheduler.abort(a.id, 'stop');
        }
        this.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} closed; its stored passwords were deleted`);
        return { ok: true };
      },
      opts,
    );
  }

  /**
   * 到期可重新开启: a closed account syncs again for a new window from now (or resumes its
   * first pass if it never finished one). Its passwords were deleted when it closed: they
   * come with the request (one account) or it is refused naming what is missing.
   */
  reopenAccounts(p: RequestParams<'account.reopen'>): RequestResult<'account.reopen'> {
    const passwords = 'sourcePassword' in p || 'targetPassword' in p ? (p as { sourcePassword?: string; targetPassword?: string }) : {};
    const sel: AccountSelection = 'accountIds' in p ? { accountIds: p.accountIds } : p;
    return this.batch(sel, (a, job) => this.reopenOne(a, job, passwords));
  }

  private reopenOne(a: AccountRecord, job: JobRecord, passwords: { sourcePassword?: string; targetPassword?: string }): { ok: boolean; reason?: string } {
    if (a.status !== 'closed') return { ok: false, reason: `only closed accounts are reopened (this one is ${a.status})` };
    if (passwords.sourcePassword) this.vault.put(accountSourceRef(job, a), passwords.sourcePassword);
    if (passwords.targetPassword) this.vault.put(accountTargetRef(job, a), passwords.targetPassword);
    const missing = missingCredentials(job, a, this.vault);
    if (missing.length) {
      const how = missing
        .map((side) =>
          (side === 'source' ? job.spec.sourceLogin : job.spec.targetLogin).kind === 'admin'
            ? `the ${side} admin password (job.reopen or job.update with ${side}Login)`
            : `the ${side} password (account.reopen with ${side}Password)`,
        )
        .join(' and ');
      return { ok: false, reason: `the stored passwords were deleted when the account was closed: supply ${how} to reopen it` };
    }
    const now = Date.now();
    const { intervalMinutes, windowDays } = job.spec.incremental;
    if (a.firstPassDoneAt && intervalMinutes > 0) {
      this.save(a.id, { status: 'syncing', phase: null, error: null, failures: 0, nextRunAt: now, syncUntil: now + Math.round(windowDays * 86_400_000) });
    } else if (a.firstPassDoneAt) {
      // Incremental sync is off for the job: one more pass, then "first pass done" again.
      this.save(a.id, { status: 'in_progress', phase: 'queued', error: null, failures: 0, nextRunAt: null, syncUntil: null });
    } else {
      this.save(a.id, { status: 'in_progress', phase: 'queued', error: null, failures: 0, nextRunAt: null, syncUntil: null });
    }
    this.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} reopened`);
    return { ok: true };
  }

  /** 到期可重新开启 for a job: active again, admin logins stored again, closed accounts reopened where possible. */
  reopenJob(p: RequestParams<'job.reopen'>): RequestResult<'job.reopen'> {
    const job = this.requireJob(p.jobId);
    if (job.status === 'closed') this.jobs.setStatus(job.id, 'active');
    const spec: StoredJobSpec = { ...job.spec };
    if (p.sourceLogin) spec.sourceLogin = BridgeService.loginSpec(p.sourceLogin);
    if (p.targetLogin) spec.targetLogin = BridgeService.loginSpec(p.targetLogin);
    if (p.sourceLogin || p.targetLogin) {
      const updated = this.jobs.updateSpec(job.id, spec);
      if (p.sourceLogin) this.storeAdminSecret(updated, 'source', p.sourceLogin);
      if (p.targetLogin) this.storeAdminSecret(updated, 'target', p.targetLogin);
    }
    const { results } = this.batch({ jobId: job.id, statuses: ['closed'] }, (a, j) => this.reopenOne(a, j, {}));
    this.log.info({ jobId: job.id }, `job "${spec.name}" reopened`);
    const view = this.jobView(this.jobs.get(job.id)!);
    this.emit('job.status', { job: view });
    return { job: view, results };
  }

  /** One account with what the engine's store holds per folder (checkpoints and outcome counts). */
  getAccount(accountId: string): RequestResult<'account.get'> {
    const a = this.requireAccount(accountId);
    const rows = this.db
      .prepare(
        `SELECT f.source_folder AS source, f.target_folder AS target, f.last_uid AS lastUid, f.updated_at AS updatedAt,
                (SELECT COUNT(*) FROM messages m WHERE m.account = f.account AND m.source_folder = f.source_folder AND m.uid_validity = f.uid_validity AND m.outcome = 'copied') AS copied,
                (SELECT COUNT(*) FROM messages m WHERE m.account = f.account AND m.source_folder = f.source_folder AND m.uid_validity = f.uid_validity AND m.outcome = 'present') AS alreadyPresent,
                (SELECT COUNT(*) FROM messages m WHERE m.account = f.account AND m.source_folder = f.source_folder AND m.uid_validity = f.uid_validity AND m.outcome = 'skipped') AS skipped
         FROM folders f WHERE f.account = ? ORDER BY f.source_folder`,
      )
      .all(engineKey(a.id)) as FolderState[];
    return { account: this.accountView(a), folders: rows.map((r) => ({ ...r, updatedAt: r.updatedAt ?? null })) };
  }

  /** Messages the engine left out for an account, with its reasons, a page at a time. */
  skippedMessages(p: RequestParams<'account.skipped'>): RequestResult<'account.skipped'> {
    this.requireAccount(p.accountId);
    const all = this.engineStore.skipped(engineKey(p.accountId));
    return { items: all.slice(p.offset, p.offset + p.limit).map((r) => ({ folder: r.sourceFolder, uid: r.uid, reason: r.reason })), total: all.length };
  }

  async detectProvider(address: string): Promise<RequestResult<'provider.detect'>> {
    return { detection: await detectProvider(address) };
  }

  /** The folder mapping a migration would use, from a verification account's folders (nothing is written). */
  async previewFolders(p: RequestParams<'folders.preview'>): Promise<RequestResult<'folders.preview'>> {
    const ep = (side: NonNullable<typeof p.target>): Endpoint => ({
      host: side.server.host,
      port: side.server.port,
      security: side.server.security,
      user: side.user,
      auth: verificationAuth(side),
      allowPlaintext: side.server.allowPlaintext,
      insecureTls: side.server.insecureTls,
    });
    const source = ep(p.source);
    let src;
    let tgt;
    let sideNow: 'source' | 'target' = 'source';
    try {
      src = guardReadOnly(await connectImap(source, { side: 'source', id: 'preview-src' }));
      const srcLayout = await discoverLayout(src);
      let tgtLayout: MailboxLayout = { delimiter: '/', prefix: '', folders: [], capabilities: [] };
      if (p.target) {
        sideNow = 'target';
        // Read-only on the target too: a preview writes nothing anywhere.
        tgt = guardReadOnly(await connectImap(ep(p.target), { side: 'target', id: 'preview-tgt' }));
        tgtLayout = await discoverLayout(tgt);
      }
      const job: AccountJob = {
        source,
        target: p.target ? ep(p.target) : source,
        options: MigrationOptionsSchema.parse({ mode: p.storage, includeFolders: p.includeFolders, excludeFolders: p.excludeFolders, providerHint: p.provider }),
      };
      const mappings = planMappings(srcLayout, tgtLayout, job).map((m) => ({ source: m.source, target: m.target, reason: m.reason, role: m.role ?? null, sanitized: m.sanitized.length > 0 }));
      return { ok: true, error: null, targetChecked: Boolean(p.target), mappings };
    } catch (err) {
      const side = sideNow === 'source' ? p.source : p.target!;
      const e = classifyError(err, { side: sideNow, account: side.user, host: side.server.host, port: side.server.port });
      return { ok: false, error: classified(e.toInfo()), targetChecked: false, mappings: [] };
    } finally {
      await closeQuietly(src);
      await closeQuietly(tgt);
    }
  }

  /** 核验: the accounts verified again (deep unless asked otherwise), one after another in the background. */
  verifyAccounts(p: RequestParams<'account.verify'>): RequestResult<'account.verify'> {
    const { deep, ...sel } = p;
    return this.batch(
      sel,
      (a, job) => {
        if (!a.firstPassDoneAt) return { ok: false, reason: 'the account has not finished its first pass' };
        if (this.verifyResults.isRunning(a.id)) return { ok: false, reason: 'a verify of the account is already under way' };
        const built = buildAccountJob(job, a, this.vault, 1, this.engineRetryBaseMs);
        if (typeof built === 'string') return { ok: false, reason: `no usable ${built} password is stored for the account` };
        this.verifyAfterFirstPass(a.id, { ...built, stateKey: engineKey(a.id) }, this.log.child({ jobId: job.id, accountId: a.id }), deep);
        return { ok: true };
      },
      { allowClosedJob: true },
    );
  }

  /** 复制缺失邮件: the missing messages copied, then the account verified again, in the background. */
  fixMissing(p: RequestParams<'account.fixMissing'>): RequestResult<'account.fixMissing'> {
    this.requireJob(p.jobId);
    if (p.accountIds) {
      // Only accounts of this job: an id of another job is refused, not acted on.
      const foreign = p.accountIds.filter((id) => this.accounts.get(id)?.jobId !== p.jobId);
      if (foreign.length) throw new ServiceError('NOT_FOUND', `No such account in the job: ${foreign.join(', ')}`);
    }
    const sel: AccountSelection = p.accountIds ? { accountIds: p.accountIds } : { jobId: p.jobId };
    return this.batch(
      sel,
      (a, job) => {
        if (!a.firstPassDoneAt) return { ok: false, reason: 'the account has not finished its first pass' };
        const last = this.verifyResults.get(a.id);
        if (!last || last.totals.missing === 0) return { ok: false, reason: 'the last verify of the account found nothing missing' };
        if (this.verifyResults.isRunning(a.id)) return { ok: false, reason: 'a verify of the account is already under way' };
        if (this.scheduler.isRunning(a.id)) return { ok: false, reason: 'the account is running a pass; try again when it ends' };
        const built = buildAccountJob(job, a, this.vault, 1, this.engineRetryBaseMs);
        if (typeof built === 'string') return { ok: false, reason: `no usable ${built} password is stored for the account` };
        if (endpointProtocol(built.source) === 'pop3') return { ok: false, reason: 'missing messages are copied from an IMAP source only; for a POP3 source start a pass again' };
        const log = this.log.child({ jobId: job.id, accountId: a.id });
        const deep = last.depth === 'deep';
        void this.verifyResults.fix(a.id, { ...built, stateKey: engineKey(a.id) }, this.engineStore, deep).then(
          (r) => {
            if (!r || this.closed) return;
            if (r.fixed) {
              for (const x of r.fixed.refused) log.warn(`copying a missing message: refused by the target: ${x.folder} UID ${x.uid}: ${x.reason}`);
              log.info(`${a.source}: ${r.fixed.copied} missing message(s) copied; verify after: ${r.after.status} (${r.after.totals.missing} missing)`);
            } else log.info(`${a.source}: nothing to copy (verify: ${r.after.status})`);
            const now = this.accounts.get(a.id);
            if (now) this.emit('account.status', { account: this.accountView(now) });
          },
          (err: unknown) => {
            if (!this.closed) log.warn({ err }, 'copying the missing messages failed');
          },
        );
        return { ok: true };
      },
      { allowClosedJob: true },
    );
  }

  retryAccounts(sel: AccountSelection): RequestResult<'account.retry'> {
    return this.batch(sel, (a, job) => {
      const waiting = ACTIVE.includes(a.status) && a.phase === 'waiting-retry';
      if (a.status !== 'failed' && !waiting) return { ok: false, reason: `only failed accounts are retried (this one is ${a.status})` };
      const missing = missingCredentials(job, a, this.vault);
      if (missing.length) return { ok: false, reason: `waiting for the ${missing.join(' and ')} password` };
      this.save(a.id, { status: a.status === 'syncing' ? 'syncing' : 'in_progress', phase: 'queued', failures: 0, nextRunAt: null });
      return { ok: true };
    });
  }

  /** The employee's own credentials (self-service, or the admin's batch without passwords). */
  setCredentials(p: RequestParams<'account.credentials'>): RequestResult<'account.credentials'> {
    const found = 'accountId' in p ? this.requireAccount(p.accountId) : this.accounts.findByTarget(this.requireJob(p.jobId).id, p.target);
    if (!found) throw new ServiceError('NOT_FOUND', 'No account for this address in the job; ask the administrator to add it.');
    const job = this.requireJob(found.jobId, { open: true });
    if (found.status === 'closed') throw new ServiceError('CONFLICT', 'The migration of this account was closed by the administrator.');
    let a = found;
    if (p.sourceUser && p.sourceUser.toLowerCase() !== a.source.toLowerCase()) {
      if (a.mode !== 'self-service') throw new ServiceError('CONFLICT', 'The old address is fixed for this account (it must be the same as the new one).');
      const other = this.accounts.findBySource(job.id, p.sourceUser);
      if (other && other.id !== a.id) throw new ServiceError('CONFLICT', `${p.sourceUser} is already migrated by another account of this job.`);
      a = this.accounts.update(a.id, { source: p.sourceUser });
    }
    if (p.sourcePassword) this.vault.put(accountSourceRef(job, a), p.sourcePassword);
    if (p.targetPassword) this.vault.put(accountTargetRef(job, a), p.targetPassword);
    const missing = missingCredentials(job, a, this.vault);
    let patch: AccountPatch;
    if (a.status === 'paused') patch = {};
    else if (a.status === 'syncing') patch = { nextRunAt: Date.now(), error: null, failures: 0 };
    else if (missing.length) patch = {};
    else patch = { status: 'in_progress', phase: 'queued', error: null, failures: 0, nextRunAt: null };
    a = this.save(a.id, patch);
    this.log.info({ jobId: job.id, accountId: a.id }, `credentials received for ${a.source}`);
    this.scheduler.kick();
    return { account: this.accountView(a, job) };
  }

  /** 修改服务器地址和端口, for accounts starting from now on or for all (异常处理流程). */
  async changeServer(p: RequestParams<'server.change'>): Promise<RequestResult<'server.change'>> {
    const job = this.requireJob(p.jobId, { open: true });
    const old = job.spec.source;
    const next = {
      ...old,
      ...(p.host !== undefined ? { host: p.host } : {}),
      ...(p.port !== undefined ? { port: p.port } : {}),
      ...(p.security !== undefined ? { security: p.security } : {}),
      ...(p.allowPlaintext !== undefined ? { allowPlaintext: p.allowPlaintext } : {}),
      ...(p.insecureTls !== undefined ? { insecureTls: p.insecureTls } : {}),
    };
    // Passwords stored for the old server do not decrypt for the new one (secret-binding.ts);
    // those of the accounts that move are deleted, and the accounts wait for them again.
    const moved = serverKey(old) !== serverKey(next);
    const all = this.accounts.listByJob(job.id).accounts;
    const before = this.missingByAccount(job);
    let changed = 0;
    const restart: string[] = [];
    this.accounts.transaction(() => {
      for (const a of all) {
        if (p.scope === 'new-accounts') {
          if (NOT_YET_STARTED.includes(a.status)) {
            changed++;
            if (moved && !a.sourceServer) this.vault.delete(credentialOwner.accountSource(a.id));
          }
          // Accounts already started keep the server they were started with.
          else if (!a.sourceServer) this.accounts.update(a.id, { sourceServer: { host: old.host, port: old.port, security: old.security, allowPlaintext: old.allowPlaintext, insecureTls: old.insecureTls } as Server });
          continue;
        }
        if (a.status === 'closed') continue;
        changed++;
        if (moved && serverKey(sourceServerOf(job, a)) !== serverKey(next)) this.vault.delete(credentialOwner.accountSource(a.id));
        const patch: AccountPatch = { sourceServer: null };
        if (a.status === 'failed') Object.assign(patch, { status: 'in_progress', phase: 'queued', failures: 0, nextRunAt: null });
        else if (ACTIVE.includes(a.status) && a.phase === 'waiting-retry') patch.nextRunAt = Date.now();
        this.accounts.update(a.id, patch);
        if (this.scheduler.isRunning(a.id)) restart.push(a.id);
      }
      // Every account now reads the new server: the admin password stored for the old one is of no use.
      if (moved && p.scope === 'all-accounts') this.vault.delete(credentialOwner.jobSourceAdmin(job.id));
      const updated = this.jobs.updateSpec(job.id, {
        ...job.spec,
        source: next,
        ...(p.sourceLogin ? { sourceLogin: BridgeService.loginSpec(p.sourceLogin) } : {}),
      });
      // A login given with the change is the one entered for the new server.
      if (p.sourceLogin) this.storeAdminSecret(updated, 'source', p.sourceLogin);
    });
    this.log.info({ jobId: job.id, scope: p.scope, host: next.host, port: next.port }, `source server changed to ${next.host}:${next.port} for ${p.scope}`);
    this.settlePasswords(job.id, before);
    const current = this.requireJob(job.id);
    for (const a of this.accounts.listByJob(job.id).accounts) this.emit('account.status', { account: this.accountView(a, current) });
    // Running accounts move to the new server: stopped between chunks, queued again.
    await Promise.all(restart.map((id) => this.scheduler.abort(id, 'job-paused')));
    const view = this.jobView(this.jobs.get(job.id)!);
    this.emit('job.status', { job: view });
    this.scheduler.kick();
    return { job: view, accountsChanged: changed };
  }

  snapshot(jobId?: string): RequestResult<'subscribe'> {
    const jobs = jobId ? [this.requireJob(jobId)] : this.jobs.list();
    return {
      jobs: jobs.map((j) => this.jobView(j)),
      accounts: jobs.flatMap((j) => this.accounts.listByJob(j.id).accounts.map((a) => this.accountView(a, j))),
    };
  }

  report(jobId: string): { filename: string; csv: string } {
    const job = this.requireJob(jobId);
    const accounts = this.accounts.listByJob(jobId).accounts.map((a) => this.accountView(a, job));
    return { filename: reportFilename(job.spec.name), csv: reportCsv(accounts) };
  }

  testEndpoint(p: RequestParams<'endpoint.test'>): Promise<RequestResult<'endpoint.test'>> {
    return testEndpoint(p);
  }

  // ---------------------------------------------------------------- scheduling

  private candidates(now: number): Candidate[] {
    const out: Candidate[] = [];
    const jobs = new Map<string, JobRecord | undefined>();
    for (const a of this.accounts.listByStatus(ACTIVE)) {
      if (a.nextRunAt !== null && a.nextRunAt > now) continue;
      if (a.status === 'syncing' && a.nextRunAt === null) continue;
      if (!jobs.has(a.jobId)) jobs.set(a.jobId, this.jobs.get(a.jobId));
      const job = jobs.get(a.jobId);
      if (!job || job.status !== 'active') continue;
      out.push({ account: a, host: sourceServerOf(job, a).host.toLowerCase(), connections: job.spec.concurrency });
    }
    // Due retries and syncs interleave with first passes in the order they became due.
    return out;
  }

  private async runAccount(accountId: string, connections: number, signal: AbortSignal, stopReason: () => StopReason | undefined): Promise<void> {
    let account = this.requireAccount(accountId);
    const job = this.requireJob(account.jobId);
    const log = this.log.child({ jobId: job.id, accountId });
    const built = buildAccountJob(job, account, this.vault, connections, this.engineRetryBaseMs);
    if (typeof built === 'string') {
      // None stored, or one stored for other server settings (it does not decrypt for these): ask again.
      this.save(accountId, { status: 'password_needed', phase: null, nextRunAt: null, error: passwordNeeded(account, [built]) });
      return;
    }
    account = this.save(accountId, {
      phase: 'connecting',
      attempts: account.attempts + 1,
      startedAt: account.startedAt ?? nowIso(),
      nextRunAt: null,
    });
    const kind = account.status === 'syncing' ? 'sync' : account.firstPassDoneAt ? 'run' : 'first pass';
    const pass: Pass = account.firstPassDoneAt ? 'sync' : 'first';
    if (pass === 'first') this.jobs.setFirstPassDoneAt(job.id, null);
    log.info(`${kind} of ${account.source} -> ${account.target} started (${connections} connection(s))`);
    // Counters stay cumulative: this run's are added to what the account had when it started.
    const base: AccountCounters = account.counters ?? EMPTY_COUNTERS;
    let counters = base;
    let end: RunEnd;
    try {
      const result = await migrate({ ...built, stateKey: engineKey(account.id) }, this.engineStore, {
        signal,
        onProgress: (p) => {
          counters = mergeCounters(base, countersOf(p), pass);
          this.onProgress(account, p, counters, pass);
        },
        onRetry: (err, attempt, delay) => log.warn(`retry ${attempt} of ${account.source} in ${delay} ms: [${err.code}] ${err.message}`),
      });
      const total = result.folders.reduce((s, f) => s + f.total, 0);
      end = {
        status: result.status,
        error: result.error,
        counters: mergeCounters(
          base,
          {
            messagesTotal: total || counters.messagesTotal,
            messagesCopied: result.messagesCopied,
            messagesSkipped: result.messagesSkipped,
            messagesAlreadyPresent: result.messagesAlreadyPresent,
            bytesCopied: result.bytesCopied,
          },
          pass,
        ),
      };
      // A finished run knows the source's real size: messages deleted on the source since leave the total.
      if (result.status === 'done' && total) end.counters.messagesTotal = total;
    } catch (err) {
      log.error({ err }, 'the engine failed unexpectedly');
      end = { status: 'failed', error: { code: 'INTERNAL', message: `Unexpected error: ${(err as Error).message}` }, counters };
    }
    this.lastProgress.delete(accountId);
    if (this.closed) return;
    const current = this.requireAccount(accountId);
    let reason = stopReason();
    // A person restarted the account (or reimported it) while this run was stopping: queue it, do not undo that.
    if ((reason === 'pause' && current.status !== 'paused') || (reason === 'stop' && current.status !== 'closed')) reason = 'job-paused';
    const decided = decideOutcome({ account: current, job: this.jobs.get(job.id)!, end, stopReason: reason, now: Date.now(), policy: this.retryPolicy });
    const { deleteCredentials } = decided;
    // Stopped because its passwords became unusable (a server change): it keeps waiting for them.
    const patch: AccountPatch = current.status === 'password_needed' && reason ? { phase: null, nextRunAt: null, counters: end.counters } : decided.patch;
    // Passwords go first, so the status event of the closed account already says they are gone.
    if (deleteCredentials) this.vault.delete(credentialOwner.account(accountId));
    const after = this.save(accountId, patch);
    if (reason) log.info(`${account.source} stopped (${reason}); it resumes from its checkpoint`);
    else if (end.status === 'done') log.info(`${kind} of ${account.source} done: ${end.counters.messagesCopied} copied, ${end.counters.messagesAlreadyPresent} already there, ${end.counters.messagesSkipped} skipped; now ${after.status}`);
    else log.warn(`${account.source} ${after.status === 'failed' ? 'failed' : 'will be retried'}: [${end.error?.code}] ${end.error?.message}`);
    if (end.status === 'done' && after.status === 'closed' && !reason) log.info(`${account.source}: the incremental sync window ended; the account is closed and its stored passwords were deleted`);
    this.checkFirstPassDone(job.id);
    if (pass === 'first' && end.status === 'done' && !reason) this.verifyAfterFirstPass(accountId, { ...built, stateKey: engineKey(account.id) }, log);
  }

  /**
   * After an account's first pass, an independent metadata verify (read-only on both sides);
   * the account's badge (已核验 / 有差异) is updated when it ends. It runs beside the scheduler:
   * a failed verify is logged and shown, it never fails the account.
   */
  private verifyAfterFirstPass(accountId: string, job: AccountJob, log: Logger, deep = false): void {
    void this.verifyResults.run(accountId, job, deep).then(
      (report) => {
        if (!report || this.closed) return;
        const t = report.totals;
        log.info(`verify of ${report.source} -> ${report.target}: ${report.status} (${t.matched} matched, ${t.missing} missing, ${t.extra} extra, ${t.changed} changed)`);
        const a = this.accounts.get(accountId);
        if (a) this.emit('account.status', { account: this.accountView(a) });
      },
      (err: unknown) => {
        if (!this.closed) log.warn({ err }, 'verify failed');
      },
    );
  }

  /** Sends job.firstPassDone once every started account of the job is past its first pass or failed. */
  private checkFirstPassDone(jobId: string): void {
    if (this.jobs.firstPassDoneAt(jobId)) return;
    const all = this.accounts.listByJob(jobId).accounts.filter((a) => !NOT_YET_STARTED.includes(a.status));
    if (!all.length) return;
    const pending = all.filter((a) => !a.firstPassDoneAt && a.status !== 'failed' && a.status !== 'closed' && a.status !== 'password_needed');
    if (pending.length) return;
    const at = nowIso();
    this.jobs.setFirstPassDoneAt(jobId, at);
    const job = this.jobs.get(jobId)!;
    const done = all.filter((a) => a.firstPassDoneAt).length;
    const failed = all.filter((a) => a.status === 'failed').length;
    this.log.info({ jobId }, `first pass of job "${job.spec.name}" finished: ${done} account(s) done, ${failed} failed`);
    this.emit('job.firstPassDone', { job: this.jobView(job), done, failed, at });
  }

  private onProgress(account: AccountRecord, p: AccountProgress, counters: AccountCounters, pass: Pass): void {
    if (this.closed) return;
    const phase = ENGINE_PHASES.has(p.phase) ? (p.phase as AccountPhase) : undefined;
    const last = this.lastProgress.get(account.id);
    const now = Date.now();
    const phaseChanged = phase !== undefined && last?.phase !== phase;
    if (phaseChanged) this.save(account.id, { phase, counters });
    if (!phase || (!phaseChanged && last && now - last.at < PROGRESS_MIN_INTERVAL_MS)) return;
    this.lastProgress.set(account.id, { at: now, phase });
    this.emit('account.progress', {
      accountId: account.id,
      jobId: account.jobId,
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
