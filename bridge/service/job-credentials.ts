import type { Server } from '../../shared/protocol/common';
import type { LoginInput } from '../../shared/protocol/job';
import { missingCredentials, type MissingCredential } from './account-endpoints';
import { passwordNeeded, queued } from './account-transitions';
import type { RunControl } from './account-runs';
import type { JobRecord, StoredLogin } from './jobs-repo';
import { jobSourceAdminRef, jobTargetAdminRef } from './secret-binding';
import type { ServiceContext } from './service-context';

/** A login as the job stores it: the admin's password goes to the vault, not the spec. */
export function storedLogin(login: LoginInput): StoredLogin {
  return login.kind === 'admin' ? { kind: 'admin', adminUser: login.adminUser, form: login.form ?? 'authzid' } : { kind: 'per-account' };
}

/** The settings of a server that its stored passwords are bound to, as one comparable text. */
export function serverKey(s: Server): string {
  return JSON.stringify([s.host.toLowerCase(), s.port, s.security, s.allowPlaintext, s.insecureTls]);
}

/**
 * A job's passwords as its accounts see them: the admin logins stored bound to the job's servers,
 * and after a change of servers or logins, which accounts lost a usable password or got one.
 */
export class JobCredentials {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly runs: RunControl,
  ) {}

  /** Stores a side's admin password bound to the job's server as it is now (per-account: removes it). */
  storeAdmin(job: JobRecord, side: 'source' | 'target', login: LoginInput): void {
    const ref = side === 'source' ? jobSourceAdminRef(job) : jobTargetAdminRef(job);
    if (login.kind === 'admin') this.ctx.vault.put(ref, login.password);
    else this.ctx.vault.delete(ref.owner);
  }

  /** Per account of a job: the passwords it is missing now (before a change, to see what the change took away). */
  missingByAccount(job: JobRecord): Map<string, MissingCredential[]> {
    return new Map(this.ctx.accounts.listByJob(job.id).accounts.map((a) => [a.id, missingCredentials(job, a, this.ctx.vault)]));
  }

  /**
   * After a change to a job's servers or stored passwords: an account that lost a usable password
   * waits for it again (password_needed; a running one is stopped between chunks), and one that
   * was waiting and has all it needs now is queued.
   */
  settle(jobId: string, before: Map<string, MissingCredential[]>): void {
    const { ctx } = this;
    const job = ctx.requireJob(jobId);
    for (const a of ctx.accounts.listByJob(jobId).accounts) {
      if (a.status === 'closed') continue;
      const now = missingCredentials(job, a, ctx.vault);
      const lost = now.filter((side) => !(before.get(a.id) ?? []).includes(side));
      if (lost.length && a.status !== 'password_needed') {
        ctx.save(a.id, passwordNeeded(a, now), job);
        if (this.runs.isRunning(a.id)) void this.runs.abort(a.id, 'job-paused');
        ctx.log.warn({ jobId, accountId: a.id }, `${a.source}: the stored ${now.join(' and ')} password was entered for other server settings; it waits until it is entered again`);
      } else if (!now.length && a.status === 'password_needed') {
        ctx.save(a.id, queued(), job);
      }
    }
  }
}
