import { errorRemedy, type ErrorInfo } from '../../shared/errors';
import { ACCOUNT_STATUSES, type AccountStatus, type AccountView } from '../../shared/protocol/account';
import type { ClassifiedError } from '../../shared/protocol/common';
import type { VerifySummary } from '../../shared/verify';
import type { JobView, LoginView } from '../../shared/protocol/job';
import type { AccountRecord } from './accounts-repo';
import { engineKey } from './engine-key';
import { shownWarnings } from './pass-warnings';
import type { CredentialVault } from './credential-vault';
import { accountSourceRef, accountTargetRef, jobSourceAdminRef, jobTargetAdminRef } from './secret-binding';
import type { JobRecord, StoredLogin } from './jobs-repo';

/** An engine error as the UI shows it: with the remedy from shared/errors.ts. */
export function classified(info: ErrorInfo): ClassifiedError {
  const remedy = errorRemedy(info);
  return {
    code: info.code,
    message: info.message,
    ...(info.side ? { side: info.side } : {}),
    remedy: { en: remedy.en, zh: remedy.zh },
    transient: remedy.transient,
    ...(info.facts ? { facts: info.facts } : {}),
  };
}

function loginView(login: StoredLogin, hasPassword: boolean): LoginView {
  return login.kind === 'admin' ? { kind: 'admin', adminUser: login.adminUser, form: login.form, hasPassword } : { kind: 'per-account' };
}

export function toJobView(job: JobRecord, counts: Map<AccountStatus, number>, vault: CredentialVault): JobView {
  const s = job.spec;
  return {
    id: job.id,
    name: s.name,
    status: job.status,
    source: s.source,
    sourceLogin: loginView(s.sourceLogin, vault.has(jobSourceAdminRef(job))),
    target: s.target,
    targetLogin: loginView(s.targetLogin, vault.has(jobTargetAdminRef(job))),
    storage: s.storage,
    filters: s.filters,
    incremental: s.incremental,
    concurrency: s.concurrency,
    batchMessages: s.batchMessages,
    provider: s.provider,
    counts: Object.fromEntries(ACCOUNT_STATUSES.map((st) => [st, counts.get(st) ?? 0])) as Record<AccountStatus, number>,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

/** hasSourcePassword / hasTargetPassword: a password usable with the account's current servers (one entered for other settings is not). */
export function toAccountView(
  a: AccountRecord,
  job: JobRecord,
  vault: CredentialVault,
  verify: VerifySummary | null = null,
  worker?: string | null,
  stopping = false,
): AccountView {
  return {
    id: a.id,
    jobId: a.jobId,
    source: a.source,
    target: a.target,
    mode: a.mode,
    status: a.status,
    phase: a.phase,
    hasSourcePassword: vault.has(accountSourceRef(job, a)),
    hasTargetPassword: vault.has(accountTargetRef(job, a)),
    sourceServer: a.sourceServer,
    counters: a.counters,
    error: a.error,
    attempts: a.attempts,
    // Queued for a place, a time kept there is only its turn in the queue (one stopped to make
    // room for a sync keeps the one it had, long gone by): it runs when a place is free.
    nextRunAt: a.nextRunAt === null || a.phase === 'queued' ? null : new Date(a.nextRunAt).toISOString(),
    startedAt: a.startedAt,
    firstPassDoneAt: a.firstPassDoneAt,
    lastSyncAt: a.lastSyncAt,
    syncEndsAt: a.syncUntil === null || !['syncing', 'in_progress', 'paused', 'failed', 'password_needed'].includes(a.status) || !a.firstPassDoneAt ? null : new Date(a.syncUntil).toISOString(),
    updatedAt: a.updatedAt,
    verify,
    ...shownWarnings(a.warnings, engineKey(a.id, job.spec.targetEpoch, a.mailboxEpoch)),
    // Only in queue mode, so in-process views stay as they were.
    ...(worker !== undefined ? { worker } : {}),
    stopping,
  };
}
