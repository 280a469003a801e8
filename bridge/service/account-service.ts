import type { AccountSelection, RequestParams, RequestResult, TypedForServer } from '../../shared/protocol/requests';
import { missingCredentials } from './account-endpoints';
import { recordedFolders, recordedSkips } from './account-records';
import { runBatch, type BatchAction } from './account-batch';
import { planImport, sameMailboxErrors } from './account-import';
import { sameServer } from '../../shared/csv/same-mailbox';
import type { RunControl } from './account-runs';
import { engineKey } from './engine-key';
import { forgetUnreadableRetries } from '../engine/unreadable-retries';
import { mailboxPairKey } from './mailbox-pair';
import { otherLayoutConflicts, otherLayoutHolder, otherLayoutWords } from './other-layout-conflicts';
import { ACTIVE, closed, credentialsReceived, importedStatus, paused, queued, reimported, reopened } from './account-transitions';
import type { AccountRecord } from './accounts-repo';
import { credentialOwner } from './credential-owner';
import type { JobRecord } from './jobs-repo';
import { accountSourceRef, accountTargetRef, assertTypedFor, sourceServerOf } from './secret-binding';
import type { ServiceContext } from './service-context';
import { ServiceError } from './service-error';

type ImportParams = Omit<RequestParams<'accounts.import'>, 'jobId'>;
type ImportResult = RequestResult<'accounts.import'>;

/** The accounts of the jobs: import, the batch actions, the employee's credentials, and what the engine recorded for one. */
export class AccountService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly runs: RunControl,
  ) {}

  importAccounts(p: RequestParams<'accounts.import'>): ImportResult {
    const job = this.ctx.requireJob(p.jobId, { open: true });
    const result = this.ctx.accounts.transaction(() => this.importInto(job, p));
    return this.announceImport(job, p, result);
  }

  /**
   * Checks the file and writes its accounts (with their passwords) to the job; nothing is
   * written when a row is bad. Runs inside the caller's transaction and emits nothing, so a job
   * created in the same transaction disappears with it when anything here throws.
   */
  importInto(job: JobRecord, p: ImportParams): ImportResult & { touched: string[] } {
    const { ctx } = this;
    const plan = planImport(Buffer.from(p.csvBase64, 'base64'), p.mode, { source: job.spec.sourceLogin, target: job.spec.targetLogin });
    if (plan.errors.length) return { imported: 0, updated: 0, errors: plan.errors, accounts: [], touched: [] };
    if (sameServer(job.spec.source, job.spec.target)) {
      const open = ctx.accounts.listByJob(job.id).accounts.filter((a) => a.status !== 'closed' && sameServer(sourceServerOf(job, a), job.spec.target));
      const both = sameMailboxErrors(plan.rows, open, `${job.spec.target.host}:${job.spec.target.port}`);
      if (both.length) return { imported: 0, updated: 0, errors: both, accounts: [], touched: [] };
    }
    // An account being migrated keeps its target mailbox: a row naming another one would have its
    // passwords stored for, and sent as, the account's target address.
    const moved = plan.rows.flatMap((row) => {
      const open = ctx.accounts.findBySource(job.id, row.source);
      return open && open.status !== 'closed' && open.target.toLowerCase() !== row.target.toLowerCase()
        ? [{
            line: row.line,
            message: `${row.source} is already being migrated to ${open.target}, not ${row.target}: close that account first to move it to another mailbox.`,
            messageZh: `${row.source} 正在搬往 ${open.target}，不是 ${row.target}：如需改搬到其他邮箱，请先关闭该账号。`,
          }]
        : [];
    });
    if (moved.length) return { imported: 0, updated: 0, errors: moved, accounts: [], touched: [] };
    const doubled = otherLayoutConflicts(ctx, job, plan.rows);
    if (doubled.length) return { imported: 0, updated: 0, errors: doubled, accounts: [], touched: [] };
    let imported = 0;
    let updated = 0;
    const touched: string[] = [];
    for (const row of plan.rows) {
      const existing = ctx.accounts.findBySource(job.id, row.source);
      let a: AccountRecord;
      if (existing && existing.status !== 'closed') a = existing;
      else if (existing) a = ctx.accounts.update(existing.id, reimported(existing, row.target, p.mode));
      else a = ctx.accounts.insert({ jobId: job.id, source: row.source, target: row.target, mode: p.mode, status: 'not_started' });
      if (existing) updated++;
      else imported++;
      if (row.sourcePassword) ctx.vault.put(accountSourceRef(job, a), row.sourcePassword);
      if (row.targetPassword) ctx.vault.put(accountTargetRef(job, a), row.targetPassword);
      touched.push(a.id);
      const ready = missingCredentials(job, a, ctx.vault).length === 0;
      if (existing && existing.status !== 'closed') {
        // New passwords for an account that failed on them, or that waited for them: try again.
        if ((existing.status === 'failed' || existing.status === 'password_needed') && (row.sourcePassword || row.targetPassword) && ready) {
          ctx.accounts.update(a.id, queued({ keepError: true }));
        }
        continue;
      }
      ctx.accounts.update(a.id, importedStatus(p.mode, ready, p.autoStart));
    }
    return { imported, updated, errors: [], accounts: [], touched };
  }

  /** After the import's transaction: the accounts' views, events and the scheduler told. */
  announceImport(job: JobRecord, p: ImportParams, r: ImportResult & { touched: string[] }): ImportResult {
    const { ctx } = this;
    if (r.errors.length) {
      ctx.log.warn({ jobId: job.id, errors: r.errors.length }, `account import refused: ${r.errors.length} bad row(s)`);
      return { imported: 0, updated: 0, errors: r.errors, accounts: [] };
    }
    const views = r.touched.map((id) => ctx.accountView(ctx.accounts.get(id)!, job));
    for (const account of views) ctx.events.emit('account.status', { account });
    ctx.jobChanged(job.id);
    ctx.log.info({ jobId: job.id, imported: r.imported, updated: r.updated, mode: p.mode }, `imported ${r.imported} account(s), updated ${r.updated}`);
    this.runs.kick();
    return { imported: r.imported, updated: r.updated, errors: [], accounts: views };
  }

  listAccounts(p: RequestParams<'account.list'>): RequestResult<'account.list'> {
    const job = this.ctx.requireJob(p.jobId);
    const { accounts, total } = this.ctx.accounts.listByJob(p.jobId, p);
    return { accounts: accounts.map((a) => this.ctx.accountView(a, job)), total };
  }

  private batch(sel: AccountSelection, action: Parameters<typeof runBatch>[2], opts: { allowClosedJob?: boolean } = {}): RequestResult<'account.start'> {
    const result = runBatch(this.ctx, sel, action, opts);
    this.runs.kick();
    return result;
  }

  startAccounts(sel: AccountSelection): RequestResult<'account.start'> {
    return this.batch(sel, (a, job) => {
      if (ACTIVE.includes(a.status)) return { ok: true };
      if (a.status === 'closed') return { ok: false, reason: 'the account is closed; reopen it (account.reopen) or import it again' };
      const missing = missingCredentials(job, a, this.ctx.vault);
      if (missing.length) return { ok: false, reason: `waiting for the ${missing.join(' and ')} password` };
      this.ctx.save(a.id, queued());
      this.ctx.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} started`);
      return { ok: true };
    });
  }

  pauseAccounts(sel: AccountSelection): RequestResult<'account.pause'> {
    return this.batch(sel, (a) => {
      if (a.status === 'paused') return { ok: true };
      if (!ACTIVE.includes(a.status) && a.status !== 'failed') return { ok: false, reason: `a ${a.status} account cannot be paused` };
      // With the running pass's counters: the stored ones are those of its last phase change, and
      // the paused row would show its count going back until the pass has stopped.
      const live = this.runs.liveCounters(a.id);
      this.ctx.save(a.id, live ? { ...paused(), counters: live } : paused());
      void this.runs.abort(a.id, 'pause');
      this.ctx.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} paused`);
      return { ok: true };
    });
  }

  /** 关闭搬家 for accounts: closed for good, stored passwords deleted at once. */
  stopAccounts(sel: AccountSelection, opts: { allowClosedJob?: boolean } = {}): RequestResult<'account.stop'> {
    return this.batch(
      sel,
      (a) => {
        this.ctx.vault.delete(credentialOwner.account(a.id));
        if (a.status !== 'closed') {
          const live = this.runs.liveCounters(a.id);
          this.ctx.save(a.id, live ? { ...closed(), counters: live } : closed());
          void this.runs.abort(a.id, 'stop');
        }
        this.ctx.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} closed; its stored passwords were deleted`);
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
    const passwords: { sourcePassword?: string; targetPassword?: string; sourceServer?: TypedForServer; targetServer?: TypedForServer } =
      'sourcePassword' in p || 'targetPassword' in p ? p : {};
    if ('accountIds' in p && (passwords.sourcePassword || passwords.targetPassword)) {
      // Checked before anything is stored; passwords come with one account only (the schema's rule).
      const a = this.ctx.requireAccount(p.accountIds[0]!);
      const job = this.ctx.requireJob(a.jobId);
      if (passwords.sourcePassword) assertTypedFor('source', passwords.sourceServer, sourceServerOf(job, a), job.spec.source.protocol);
      if (passwords.targetPassword) assertTypedFor('target', passwords.targetServer, job.spec.target, 'imap');
    }
    const sel: AccountSelection = 'accountIds' in p ? { accountIds: p.accountIds } : p;
    return this.batch(sel, (a, job) => this.reopenOne(a, job, passwords));
  }

  /** Every closed account of a job reopened where its passwords allow (job.reopen). */
  reopenClosed(jobId: string): RequestResult<'account.reopen'> {
    return this.batch({ jobId, statuses: ['closed'] }, (a, j) => this.reopenOne(a, j, {}));
  }

  private reopenOne(a: AccountRecord, job: JobRecord, passwords: { sourcePassword?: string; targetPassword?: string }): ReturnType<BatchAction> {
    const { ctx } = this;
    if (a.status !== 'closed') return { ok: false, reason: `only closed accounts are reopened (this one is ${a.status})` };
    const holder = otherLayoutHolder(ctx, job.id, a.source, mailboxPairKey(job, a), job.spec.storage);
    if (holder) return { ok: false, reason: otherLayoutWords(holder, a.source, a.target, job.spec.storage).en, otherLayoutJob: holder.job.spec.name };
    if (passwords.sourcePassword) ctx.vault.put(accountSourceRef(job, a), passwords.sourcePassword);
    if (passwords.targetPassword) ctx.vault.put(accountTargetRef(job, a), passwords.targetPassword);
    const missing = missingCredentials(job, a, ctx.vault);
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
    ctx.save(a.id, reopened(a, job.spec.incremental, Date.now()));
    // Reopened to copy what the old server could not read before (repaired since, say): the next run tries it.
    forgetUnreadableRetries(ctx.engineStore, engineKey(a.id, job.spec.targetEpoch, a.mailboxEpoch));
    ctx.log.info({ jobId: a.jobId, accountId: a.id }, `account ${a.source} reopened`);
    return { ok: true };
  }

  retryAccounts(sel: AccountSelection): RequestResult<'account.retry'> {
    return this.batch(sel, (a, job) => {
      const waiting = ACTIVE.includes(a.status) && a.phase === 'waiting-retry';
      if (a.status !== 'failed' && !waiting) return { ok: false, reason: `only failed accounts are retried (this one is ${a.status})` };
      const missing = missingCredentials(job, a, this.ctx.vault);
      if (missing.length) return { ok: false, reason: `waiting for the ${missing.join(' and ')} password` };
      this.ctx.save(a.id, queued({ keepError: true, status: a.status === 'syncing' ? 'syncing' : 'in_progress' }));
      return { ok: true };
    });
  }

  /** The employee's own credentials (self-service, or the admin's batch without passwords). */
  setCredentials(p: RequestParams<'account.credentials'>): RequestResult<'account.credentials'> {
    const { ctx } = this;
    const found = 'accountId' in p ? ctx.requireAccount(p.accountId) : ctx.accounts.findByTarget(ctx.requireJob(p.jobId).id, p.target);
    if (!found) throw new ServiceError('NOT_FOUND', 'No account for this address in the job; ask the administrator to add it.');
    const job = ctx.requireJob(found.jobId, { open: true });
    if (found.status === 'closed') throw new ServiceError('CONFLICT', 'The migration of this account was closed by the administrator.');
    // Before anything changes: a password typed for a server the account no longer uses is not stored.
    if (p.sourcePassword) assertTypedFor('source', p.sourceServer, sourceServerOf(job, found), job.spec.source.protocol);
    if (p.targetPassword) assertTypedFor('target', p.targetServer, job.spec.target, 'imap');
    let a = found;
    if (p.sourceUser && p.sourceUser.toLowerCase() !== a.source.toLowerCase()) {
      if (a.mode !== 'self-service') throw new ServiceError('CONFLICT', 'The old address is fixed for this account (it must be the same as the new one).');
      const other = ctx.accounts.findBySource(job.id, p.sourceUser);
      if (other && other.id !== a.id) throw new ServiceError('CONFLICT', `${p.sourceUser} is already migrated by another account of this job.`);
      a = ctx.accounts.update(a.id, { source: p.sourceUser });
    }
    if (p.sourcePassword) ctx.vault.put(accountSourceRef(job, a), p.sourcePassword);
    if (p.targetPassword) ctx.vault.put(accountTargetRef(job, a), p.targetPassword);
    a = ctx.save(a.id, credentialsReceived(a, missingCredentials(job, a, ctx.vault), Date.now()));
    ctx.log.info({ jobId: job.id, accountId: a.id }, `credentials received for ${a.source}`);
    this.runs.kick();
    return { account: ctx.accountView(a, job) };
  }

  /** One account with what the engine recorded per folder (checkpoints and outcome counts; a queue worker's as it reported them). */
  getAccount(p: RequestParams<'account.get'>): RequestResult<'account.get'> {
    const a = this.ctx.requireAccount(p.accountId);
    return { account: this.ctx.accountView(a), folders: recordedFolders(this.ctx.engineStore, engineKey(a.id, this.ctx.requireJob(a.jobId).spec.targetEpoch, a.mailboxEpoch)) };
  }

  /** Messages the engine left out for an account (here or on a queue worker), with its reasons, a page at a time. */
  skippedMessages(p: RequestParams<'account.skipped'>): RequestResult<'account.skipped'> {
    const a = this.ctx.requireAccount(p.accountId);
    const all = recordedSkips(this.ctx.engineStore, engineKey(a.id, this.ctx.requireJob(a.jobId).spec.targetEpoch, a.mailboxEpoch));
    return { items: all.slice(p.offset, p.offset + p.limit).map((r) => ({ folder: r.sourceFolder, uid: r.uid, reason: r.reason })), total: all.length };
  }
}
