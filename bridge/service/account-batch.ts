import type { AccountSelection, RequestResult } from '../../shared/protocol/requests';
import type { AccountRecord } from './accounts-repo';
import type { JobRecord } from './jobs-repo';
import type { ServiceContext } from './service-context';

export type BatchResult = RequestResult<'account.start'>;
export type BatchAction = (a: AccountRecord, job: JobRecord) => { ok: boolean; reason?: string; otherLayoutJob?: string };

/** The accounts a batch request names: by id, or a job's accounts (in some statuses). */
export function selectAccounts(ctx: ServiceContext, sel: AccountSelection): AccountRecord[] {
  if ('accountIds' in sel) return sel.accountIds.map((id) => ctx.requireAccount(id));
  ctx.requireJob(sel.jobId);
  return ctx.accounts.listByJob(sel.jobId, { statuses: sel.statuses }).accounts;
}

/**
 * One action per selected account, each reported on its own (an account in the wrong state is
 * a result, not an error). Accounts of a closed job are refused unless `allowClosedJob`.
 */
export function runBatch(ctx: ServiceContext, sel: AccountSelection, action: BatchAction, opts: { allowClosedJob?: boolean } = {}): BatchResult {
  const results: BatchResult['results'] = [];
  for (const a of selectAccounts(ctx, sel)) {
    const job = ctx.requireJob(a.jobId);
    if (job.status === 'closed' && !opts.allowClosedJob) {
      results.push({ accountId: a.id, ok: false, status: a.status, reason: 'the job is closed' });
      continue;
    }
    const r = action(a, job);
    results.push({
      accountId: a.id,
      ok: r.ok,
      status: ctx.accounts.get(a.id)!.status,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.otherLayoutJob ? { otherLayoutJob: r.otherLayoutJob } : {}),
    });
  }
  return { results };
}
