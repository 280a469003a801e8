import { accountSourceRef, accountTargetRef, jobSourceAdminRef, jobTargetAdminRef, type SecretRef } from './secret-binding';
import type { ServiceContext } from './service-context';

/** The binding a stored secret gets when it was stored before secrets were bound (see CredentialVault.bindUnbound). */
export function refForOwner(ctx: Pick<ServiceContext, 'jobs' | 'accounts'>, owner: string): SecretRef | undefined {
  const m = /^(account|job):([A-Za-z0-9_-]+):(source|target|source-admin|target-admin)$/.exec(owner);
  if (!m) return undefined;
  if (m[1] === 'job') {
    const job = ctx.jobs.get(m[2]!);
    if (!job) return undefined;
    return m[3] === 'source-admin' ? jobSourceAdminRef(job) : jobTargetAdminRef(job);
  }
  const a = ctx.accounts.get(m[2]!);
  const job = a && ctx.jobs.get(a.jobId);
  if (!a || !job) return undefined;
  return m[3] === 'source' ? accountSourceRef(job, a) : accountTargetRef(job, a);
}
