import type { AccountSelection, RequestParams, RequestResult } from '../../shared/protocol/requests';
import { endpointProtocol } from '../engine/endpoint';
import type { AccountJob } from '../engine/migrate';
import { runBatch } from './account-batch';
import type { AccountRuns } from './account-runs';
import type { Logger } from './logger';
import type { ServiceContext } from './service-context';
import { ServiceError } from './service-error';

/**
 * 核验 and 复制缺失邮件: the independent verify of an account (read-only on both sides), after
 * its first pass or on request, and the copy of what a verify found missing. They run beside
 * the scheduler, one account after another: a failed verify is logged and shown, it never
 * fails the account.
 */
export class AccountVerify {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly runs: Pick<AccountRuns, 'engineJob' | 'isRunning' | 'kick' | 'runningOverPair'>,
  ) {}

  /** Verifies an account in the background; its badge (已核验 / 有差异) is updated when the check ends. */
  afterFirstPass(accountId: string, job: AccountJob, log: Logger, deep = false): void {
    void this.ctx.verifyResults.run(accountId, job, deep).then(
      (report) => {
        if (!report || this.ctx.closed) return;
        const t = report.totals;
        log.info(`verify of ${report.source} -> ${report.target}: ${report.status} (${t.matched} matched, ${t.missing} missing, ${t.extra} extra, ${t.changed} changed)`);
        this.ctx.accountChanged(accountId);
      },
      (err: unknown) => {
        if (!this.ctx.closed) log.warn({ err }, 'verify failed');
      },
    );
  }

  /** 核验: the accounts verified again (deep unless asked otherwise), one after another in the background. */
  verifyAccounts(p: RequestParams<'account.verify'>): RequestResult<'account.verify'> {
    const { deep, ...sel } = p;
    const result = runBatch(
      this.ctx,
      sel,
      (a, job) => {
        if (!a.firstPassDoneAt) return { ok: false, reason: 'the account has not finished its first pass' };
        if (this.ctx.verifyResults.isRunning(a.id)) return { ok: false, reason: 'a verify of the account is already under way' };
        const engineJob = this.runs.engineJob(job, a.id, 1);
        if (typeof engineJob === 'string') return { ok: false, reason: `no usable ${engineJob} password is stored for the account` };
        this.afterFirstPass(a.id, engineJob, this.ctx.log.child({ jobId: job.id, accountId: a.id }), deep);
        return { ok: true };
      },
      { allowClosedJob: true },
    );
    this.runs.kick();
    return result;
  }

  /** 复制缺失邮件: the missing messages copied, then the account verified again, in the background. */
  fixMissing(p: RequestParams<'account.fixMissing'>): RequestResult<'account.fixMissing'> {
    const ctx = this.ctx;
    ctx.requireJob(p.jobId);
    if (p.accountIds) {
      // Only accounts of this job: an id of another job is refused, not acted on.
      const foreign = p.accountIds.filter((id) => ctx.accounts.get(id)?.jobId !== p.jobId);
      if (foreign.length) throw new ServiceError('NOT_FOUND', `No such account in the job: ${foreign.join(', ')}`);
    }
    const sel: AccountSelection = p.accountIds ? { accountIds: p.accountIds } : { jobId: p.jobId };
    const result = runBatch(
      ctx,
      sel,
      (a, job) => {
        if (!a.firstPassDoneAt) return { ok: false, reason: 'the account has not finished its first pass' };
        const last = ctx.lastVerify(a, job);
        if (!last || last.totals.missing === 0) return { ok: false, reason: 'the last verify of the account found nothing missing' };
        if (ctx.verifyResults.isRunning(a.id)) return { ok: false, reason: 'a verify of the account is already under way' };
        if (this.runs.isRunning(a.id)) return { ok: false, reason: 'the account is running a pass; try again when it ends' };
        // A pass of another job's account between the same mailboxes would copy the same new mail.
        const other = this.runs.runningOverPair(a, job);
        if (other !== undefined) return { ok: false, reason: `another account (${ctx.accounts.get(other)?.source ?? other}) is copying between the same mailboxes; try again when its pass ends` };
        const engineJob = this.runs.engineJob(job, a.id, 1);
        if (typeof engineJob === 'string') return { ok: false, reason: `no usable ${engineJob} password is stored for the account` };
        if (endpointProtocol(engineJob.source) === 'pop3') return { ok: false, reason: 'missing messages are copied from an IMAP source only; for a POP3 source start a pass again' };
        this.copyMissing(a.id, a.source, engineJob, last.depth === 'deep', ctx.log.child({ jobId: job.id, accountId: a.id }));
        return { ok: true };
      },
      { allowClosedJob: true },
    );
    this.runs.kick();
    return result;
  }

  private copyMissing(accountId: string, source: string, job: AccountJob, deep: boolean, log: Logger): void {
    void this.ctx.verifyResults.fix(accountId, job, this.ctx.engineStore, deep).then(
      (r) => {
        if (!r || this.ctx.closed) return;
        if (r.fixed) {
          for (const x of r.fixed.refused) log.warn(`copying a missing message: refused by the target: ${x.folder} UID ${x.uid}: ${x.reason}`);
          log.info(`${source}: ${r.fixed.copied} missing message(s) copied; verify after: ${r.after.status} (${r.after.totals.missing} missing)`);
        } else log.info(`${source}: nothing to copy (verify: ${r.after.status})`);
        this.ctx.accountChanged(accountId);
      },
      (err: unknown) => {
        if (!this.ctx.closed) log.warn({ err }, 'copying the missing messages failed');
      },
    );
  }
}
