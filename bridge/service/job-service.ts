import type { Server } from '../../shared/protocol/common';
import type { JobSpec, JobView } from '../../shared/protocol/job';
import type { RequestParams, RequestResult } from '../../shared/protocol/requests';
import { sourceServerOf } from './account-endpoints';
import { assertTypedFor } from './secret-binding';
import type { AccountService } from './account-service';
import type { RunControl } from './account-runs';
import { ACTIVE, NOT_YET_STARTED, queued, sourceServerChanged, syncTurnedOn, windowMoved } from './account-transitions';
import type { AccountPatch } from './accounts-repo';
import { credentialOwner } from './credential-owner';
import { JobCredentials, serverKey, storedLogin } from './job-credentials';
import type { StoredJobSpec } from './jobs-repo';
import { reportCsv, reportFilename, type ReportLanguage } from './report-csv';
import { assertStorageChangeAllowed, assertStorageChangeLeavesNoSecondLayout } from './storage-change';
import type { ServiceContext } from './service-context';

/** The jobs: create (with its accounts or not), change, pause, close and reopen, the source server change, snapshot and report. */
export class JobService {
  private readonly credentials: JobCredentials;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly accounts: AccountService,
    private readonly runs: RunControl,
  ) {
    this.credentials = new JobCredentials(ctx, runs);
  }

  createJob(spec: JobSpec): JobView {
    const job = this.ctx.accounts.transaction(() => this.insertJob(spec));
    return this.announceCreated(job.id, spec.name);
  }

  /**
   * job.create with `accounts`: the job and its accounts in one transaction. A file with a bad
   * row creates nothing (the errors are returned with job null), so no empty job is left behind.
   */
  createJobWithAccounts(p: RequestParams<'job.createWithAccounts'>): RequestResult<'job.createWithAccounts'> {
    const { accounts: imports, ...spec } = p;
    let done;
    try {
      done = this.ctx.accounts.transaction(() => {
        const job = this.insertJob(spec);
        const results = imports.map((imp) => this.accounts.importInto(job, imp));
        // Throwing rolls the job and every account back.
        if (results.some((r) => r.errors.length)) throw new ImportRefused(results.map((r) => r.errors));
        return { job, results };
      });
    } catch (err) {
      if (!(err instanceof ImportRefused)) throw err;
      this.ctx.log.warn(`job "${spec.name}" not created: its account list has bad rows`);
      return { job: null, imports: err.errors.map((errors) => ({ imported: 0, updated: 0, errors, accounts: [] })) };
    }
    const view = this.announceCreated(done.job.id, spec.name);
    const job = this.ctx.requireJob(done.job.id);
    const results = done.results.map((r, i) => this.accounts.announceImport(job, imports[i]!, r));
    return { job: view, imports: results };
  }

  private insertJob(spec: JobSpec) {
    const stored: StoredJobSpec = {
      name: spec.name,
      source: spec.source,
      sourceLogin: storedLogin(spec.sourceLogin),
      target: spec.target,
      targetLogin: storedLogin(spec.targetLogin),
      storage: spec.storage,
      filters: spec.filters,
      incremental: spec.incremental,
      concurrency: spec.concurrency,
      batchMessages: spec.batchMessages,
      provider: spec.provider ?? null,
      targetEpoch: 0,
    };
    const job = this.ctx.jobs.create(stored);
    this.credentials.storeAdmin(job, 'source', spec.sourceLogin);
    this.credentials.storeAdmin(job, 'target', spec.targetLogin);
    return job;
  }

  private announceCreated(jobId: string, name: string): JobView {
    this.ctx.log.info({ jobId }, `job "${name}" created`);
    return this.ctx.jobStatus(jobId);
  }

  updateJob({ jobId, patch, sourceServer, targetServer }: RequestParams<'job.update'>): JobView {
    const { ctx } = this;
    const job = ctx.requireJob(jobId, { open: true });
    // Before anything changes: an admin password is stored for the job's server as it will be
    // after this patch, which must be the one it was typed for (a target in the patch is).
    if (patch.sourceLogin?.kind === 'admin') assertTypedFor('source', sourceServer, job.spec.source, job.spec.source.protocol);
    if (patch.targetLogin?.kind === 'admin' && (targetServer || !patch.target)) assertTypedFor('target', targetServer, patch.target ?? job.spec.target, 'imap');
    assertStorageChangeAllowed(job.spec, patch, ctx.accounts.listByJob(jobId).accounts);
    assertStorageChangeLeavesNoSecondLayout(ctx, job, patch);
    const spec: StoredJobSpec = { ...job.spec };
    if (patch.name !== undefined) spec.name = patch.name;
    if (patch.target !== undefined) spec.target = patch.target;
    if (patch.storage !== undefined) spec.storage = patch.storage;
    if (patch.filters !== undefined) spec.filters = patch.filters;
    if (patch.incremental !== undefined) {
      for (const a of ctx.accounts.listByJob(jobId).accounts) {
        const moved = windowMoved(a, job.spec.incremental.windowDays, patch.incremental.windowDays);
        if (moved) ctx.accounts.update(a.id, moved);
        const on = patch.incremental.intervalMinutes > 0 ? syncTurnedOn(a, patch.incremental.windowDays, Date.now()) : undefined;
        if (on) ctx.save(a.id, on);
      }
      spec.incremental = patch.incremental;
    }
    if (patch.concurrency !== undefined) spec.concurrency = patch.concurrency;
    if (patch.batchMessages !== undefined) spec.batchMessages = patch.batchMessages;
    if (patch.provider !== undefined) spec.provider = patch.provider;
    if (patch.sourceLogin) spec.sourceLogin = storedLogin(patch.sourceLogin);
    if (patch.targetLogin) spec.targetLogin = storedLogin(patch.targetLogin);
    const targetMoved = serverKey(job.spec.target) !== serverKey(spec.target);
    // The engine's checkpoints say what the old target holds: the new one starts from nothing.
    if (targetMoved) spec.targetEpoch = job.spec.targetEpoch + 1;
    const before = this.credentials.missingByAccount(job);
    const updated = ctx.jobs.updateSpec(jobId, spec);
    // Passwords stored for the old target do not decrypt for a new one (see secret-binding.ts); they
    // are deleted so nothing suggests otherwise. Logins in this same patch are stored for the new target.
    if (targetMoved) {
      for (const a of ctx.accounts.listByJob(jobId).accounts) ctx.vault.delete(credentialOwner.accountTarget(a.id));
      if (!patch.targetLogin) ctx.vault.delete(credentialOwner.jobTargetAdmin(jobId));
    }
    if (patch.sourceLogin) this.credentials.storeAdmin(updated, 'source', patch.sourceLogin);
    if (patch.targetLogin) this.credentials.storeAdmin(updated, 'target', patch.targetLogin);
    // New logins or a new target can cure a permanent failure: those accounts get another try.
    if (patch.sourceLogin || patch.targetLogin || patch.target) {
      for (const a of ctx.accounts.listByJob(jobId, { statuses: ['failed'] }).accounts) ctx.save(a.id, queued({ keepError: true }));
    }
    this.credentials.settle(jobId, before);
    // A pass still copying to the old target stops between chunks and is queued again, for the new one.
    if (targetMoved) {
      const running = ctx.accounts.listByJob(jobId, { statuses: ACTIVE }).accounts.filter((a) => this.runs.isRunning(a.id));
      for (const a of running) void this.runs.abort(a.id, 'job-paused');
    }
    ctx.log.info({ jobId }, `job "${spec.name}" updated`);
    const view = ctx.jobStatus(jobId);
    this.runs.kick();
    return view;
  }

  pauseJob(jobId: string): JobView {
    const { ctx } = this;
    ctx.requireJob(jobId, { open: true });
    const job = ctx.jobs.setStatus(jobId, 'paused');
    ctx.events.emit('job.status', { job: ctx.jobView(job) });
    ctx.log.info({ jobId }, `job "${job.spec.name}" paused`);
    const running = ctx.accounts.listByJob(jobId, { statuses: ACTIVE }).accounts.filter((a) => this.runs.isRunning(a.id));
    // Answered now, not when the passes have stopped: a pass finishes the chunk it copies first,
    // which over a slow link outlasts a client's patience (the extension gave up after 30 s and
    // said the pause had failed). Their rows say they are stopping until each has.
    for (const a of running) {
      ctx.accountChanged(a.id);
      void this.runs.abort(a.id, 'job-paused');
    }
    return ctx.jobView(ctx.requireJob(jobId));
  }

  resumeJob(jobId: string): JobView {
    const { ctx } = this;
    ctx.requireJob(jobId, { open: true });
    const job = ctx.jobs.setStatus(jobId, 'active');
    ctx.log.info({ jobId }, `job "${job.spec.name}" resumed`);
    const view = ctx.jobStatus(jobId);
    this.runs.kick();
    return view;
  }

  /** 关闭搬家 for a whole job: every account closed and every stored password of the job deleted. */
  async closeJob(jobId: string): Promise<JobView> {
    const { ctx } = this;
    const job = ctx.requireJob(jobId);
    if (job.status !== 'closed') {
      ctx.jobs.setStatus(jobId, 'closed');
      const open = ctx.accounts.listByJob(jobId).accounts.filter((a) => a.status !== 'closed');
      await this.accounts.stopAccounts({ accountIds: open.map((a) => a.id) }, { allowClosedJob: true });
      ctx.vault.delete(credentialOwner.job(jobId));
      ctx.log.info({ jobId }, `job "${job.spec.name}" closed; its stored passwords were deleted`);
    }
    return ctx.jobStatus(jobId);
  }

  /** 到期可重新开启 for a job: active again, admin logins stored again, closed accounts reopened where possible. */
  reopenJob(p: RequestParams<'job.reopen'>): RequestResult<'job.reopen'> {
    const { ctx } = this;
    const job = ctx.requireJob(p.jobId);
    // Refused before the job changes: an admin password is stored for the job's server of today.
    if (p.sourceLogin?.kind === 'admin') assertTypedFor('source', p.sourceServer, job.spec.source, job.spec.source.protocol);
    if (p.targetLogin?.kind === 'admin') assertTypedFor('target', p.targetServer, job.spec.target, 'imap');
    if (job.status === 'closed') ctx.jobs.setStatus(job.id, 'active');
    const spec: StoredJobSpec = { ...job.spec };
    if (p.sourceLogin) spec.sourceLogin = storedLogin(p.sourceLogin);
    if (p.targetLogin) spec.targetLogin = storedLogin(p.targetLogin);
    if (p.sourceLogin || p.targetLogin) {
      const updated = ctx.jobs.updateSpec(job.id, spec);
      if (p.sourceLogin) this.credentials.storeAdmin(updated, 'source', p.sourceLogin);
      if (p.targetLogin) this.credentials.storeAdmin(updated, 'target', p.targetLogin);
    }
    const { results } = this.accounts.reopenClosed(job.id);
    ctx.log.info({ jobId: job.id }, `job "${spec.name}" reopened`);
    return { job: ctx.jobStatus(job.id), results };
  }

  listJobs(): JobView[] {
    return this.ctx.jobs.list().map((j) => this.ctx.jobView(j));
  }

  /** 修改服务器地址和端口, for accounts starting from now on or for all (异常处理流程). */
  async changeServer(p: RequestParams<'server.change'>): Promise<RequestResult<'server.change'>> {
    const { ctx } = this;
    const job = ctx.requireJob(p.jobId, { open: true });
    const old = job.spec.source;
    // A certificate exception was given for one host's certificate: a new host without its own
    // answer gets none (the extension always sends it; a script may not). Plaintext goes with the
    // security mode the request keeps or sets, and stays as it is.
    const newHost = p.host !== undefined && p.host.toLowerCase() !== old.host.toLowerCase();
    const next = {
      ...old,
      ...(newHost ? { insecureTls: false } : {}),
      ...(p.host !== undefined ? { host: p.host } : {}),
      ...(p.port !== undefined ? { port: p.port } : {}),
      ...(p.security !== undefined ? { security: p.security } : {}),
      ...(p.allowPlaintext !== undefined ? { allowPlaintext: p.allowPlaintext } : {}),
      ...(p.insecureTls !== undefined ? { insecureTls: p.insecureTls } : {}),
    };
    // Passwords stored for the old server do not decrypt for the new one (secret-binding.ts);
    // those of the accounts that move are deleted, and the accounts wait for them again.
    const moved = serverKey(old) !== serverKey(next);
    const all = ctx.accounts.listByJob(job.id).accounts;
    const before = this.credentials.missingByAccount(job);
    let changed = 0;
    const restart: string[] = [];
    ctx.accounts.transaction(() => {
      for (const a of all) {
        if (p.scope === 'new-accounts') {
          if (NOT_YET_STARTED.includes(a.status)) {
            changed++;
            if (moved && !a.sourceServer) ctx.vault.delete(credentialOwner.accountSource(a.id));
          }
          // Accounts already started keep the server they were started with.
          else if (!a.sourceServer) ctx.accounts.update(a.id, { sourceServer: { host: old.host, port: old.port, security: old.security, allowPlaintext: old.allowPlaintext, insecureTls: old.insecureTls } as Server });
          continue;
        }
        if (a.status === 'closed') continue;
        changed++;
        if (moved && serverKey(sourceServerOf(job, a)) !== serverKey(next)) ctx.vault.delete(credentialOwner.accountSource(a.id));
        const patch: AccountPatch = sourceServerChanged(a, Date.now());
        ctx.accounts.update(a.id, patch);
        if (this.runs.isRunning(a.id)) restart.push(a.id);
      }
      // Every account now reads the new server: the admin password stored for the old one is of no use.
      if (moved && p.scope === 'all-accounts') ctx.vault.delete(credentialOwner.jobSourceAdmin(job.id));
      const updated = ctx.jobs.updateSpec(job.id, { ...job.spec, source: next, ...(p.sourceLogin ? { sourceLogin: storedLogin(p.sourceLogin) } : {}) });
      // A login given with the change is the one entered for the new server.
      if (p.sourceLogin) this.credentials.storeAdmin(updated, 'source', p.sourceLogin);
    });
    ctx.log.info({ jobId: job.id, scope: p.scope, host: next.host, port: next.port }, `source server changed to ${next.host}:${next.port} for ${p.scope}`);
    this.credentials.settle(job.id, before);
    const current = ctx.requireJob(job.id);
    for (const a of ctx.accounts.listByJob(job.id).accounts) ctx.events.emit('account.status', { account: ctx.accountView(a, current) });
    // Running accounts move to the new server: stopped between chunks, queued again.
    await Promise.all(restart.map((id) => this.runs.abort(id, 'job-paused')));
    const view = ctx.jobStatus(job.id);
    this.runs.kick();
    return { job: view, accountsChanged: changed };
  }

  snapshot(jobId?: string): RequestResult<'subscribe'> {
    const { ctx } = this;
    const jobs = jobId ? [ctx.requireJob(jobId)] : ctx.jobs.list();
    return {
      jobs: jobs.map((j) => ctx.jobView(j)),
      accounts: jobs.flatMap((j) => ctx.accounts.listByJob(j.id).accounts.map((a) => ctx.accountView(a, j))),
    };
  }

  report(jobId: string, language: ReportLanguage = 'en'): { filename: string; csv: string } {
    const job = this.ctx.requireJob(jobId);
    const accounts = this.ctx.accounts.listByJob(jobId).accounts.map((a) => this.ctx.accountView(a, job));
    return { filename: reportFilename(job.spec.name), csv: reportCsv(accounts, language) };
  }
}

/** A refused account list inside job creation: rolls the transaction back, then is answered as errors. */
class ImportRefused extends Error {
  constructor(readonly errors: RequestResult<'accounts.import'>['errors'][]) {
    super('account list refused');
  }
}
