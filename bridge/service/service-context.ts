import type { AccountCounters, AccountView } from '../../shared/protocol/account';
import type { JobView } from '../../shared/protocol/job';
import type { StateStore } from '../engine/state-store';
import type { AccountPatch, AccountRecord, AccountsRepo } from './accounts-repo';
import type { CredentialVault } from './credential-vault';
import type { JobRecord, JobsRepo } from './jobs-repo';
import type { Logger } from './logger';
import { ServiceError } from './service-error';
import type { ServiceEvents } from './service-events';
import { engineKey } from './engine-key';
import { verifyScope, type VerifyResults } from './verify-results';
import { toAccountView, toJobView } from './views';

/**
 * What the service's parts (jobs, accounts, verify, runs) share: the repositories, the vault,
 * the event hub and the few lookups and writes every part makes the same way. Nothing here
 * decides anything; the parts do.
 */
export class ServiceContext {
  closed = false;
  /** Queue mode: the worker that runs or last ran an account (undefined: passes run in-process). */
  workerOf: (accountId: string) => string | null | undefined = () => undefined;
  /** Whether a pass of the account still copies now (set by the runs part once it exists). */
  isRunning: (accountId: string) => boolean = () => false;
  /** A running pass's counters as its last progress gave them (stored only at phase changes and at its end). */
  liveCounters: (accountId: string) => AccountCounters | undefined = () => undefined;

  constructor(
    readonly jobs: JobsRepo,
    readonly accounts: AccountsRepo,
    readonly vault: CredentialVault,
    readonly verifyResults: VerifyResults,
    readonly engineStore: StateStore,
    readonly events: ServiceEvents,
    readonly log: Logger,
  ) {}

  jobView(job: JobRecord): JobView {
    return toJobView(job, this.accounts.countsByStatus(job.id), this.vault);
  }

  accountView(a: AccountRecord, job: JobRecord = this.requireJob(a.jobId)): AccountView {
    // Paused or closed, by itself or with its job, while its pass finishes the chunk it copies.
    const stopping = (a.status === 'paused' || a.status === 'closed' || job.status !== 'active') && this.isRunning(a.id);
    // A view built between two stores of a running pass (the monitor opened, a list fetched) shows
    // where the pass is, not where it was at its last phase change.
    const live = this.liveCounters(a.id);
    return toAccountView(live ? { ...a, counters: live } : a, job, this.vault, this.lastVerify(a, job), this.workerOf(a.id), stopping);
  }

  /** The account's last verify, when it checked the mailbox the account copies into now. */
  lastVerify(a: AccountRecord, job: JobRecord = this.requireJob(a.jobId)) {
    return this.verifyResults.get(a.id, verifyScope(engineKey(a.id, job.spec.targetEpoch, a.mailboxEpoch), a.target));
  }

  requireJob(jobId: string, opts: { open?: boolean } = {}): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw new ServiceError('NOT_FOUND', `No job ${jobId}.`);
    if (opts.open && job.status === 'closed') throw new ServiceError('CONFLICT', `Job "${job.spec.name}" is closed.`);
    return job;
  }

  requireAccount(accountId: string): AccountRecord {
    const a = this.accounts.get(accountId);
    if (!a) throw new ServiceError('NOT_FOUND', `No account ${accountId}.`);
    return a;
  }

  /** Emits the job's status now. */
  jobStatus(jobId: string): JobView {
    const view = this.jobView(this.requireJob(jobId));
    this.events.emit('job.status', { job: view });
    return view;
  }

  /** Emits the job's status soon, once for many account changes. */
  jobChanged(jobId: string): void {
    this.events.coalesce(jobId, () => {
      const job = this.jobs.get(jobId);
      if (job) this.events.emit('job.status', { job: this.jobView(job) });
    });
  }

  /** Writes an account's change and tells the clients. */
  save(id: string, patch: AccountPatch, job?: JobRecord): AccountRecord {
    const a = this.accounts.update(id, patch);
    this.events.emit('account.status', { account: this.accountView(a, job) });
    this.jobChanged(a.jobId);
    return a;
  }

  /** Tells the clients an account changed outside save() (a verify ended). */
  accountChanged(accountId: string): void {
    const a = this.accounts.get(accountId);
    if (a) this.events.emit('account.status', { account: this.accountView(a) });
  }
}
