import type { AccountRecord } from './accounts-repo';
import { mailboxPairKey } from './mailbox-pair';
import type { ServiceContext } from './service-context';

/**
 * What the service shows and checks around the rule that one mailbox pair has one pass at a time
 * (mailbox-pair.ts, enforced by the scheduler): a pass held back for another account's pass says
 * so once (log line, "queued" on the monitor), and a copy of missing messages holds back the
 * passes of every account over its pair, not only its own account's.
 */
export class PairWaits {
  /** Accounts held back now, with the account they wait for (to say it once per wait). */
  private readonly waiting = new Map<string, string>();

  constructor(private readonly ctx: ServiceContext) {}

  /**
   * The scheduler did not start `account` because `holder` runs over the same mailboxes. A sync
   * waiting for its turn shows "queued" rather than an overdue next-sync time: it is not stuck,
   * it runs when the other pass ends, and finds that pass's copies on the target.
   */
  heldBack(account: AccountRecord, holder: string): void {
    if (this.waiting.get(account.id) === holder || this.ctx.closed) return;
    this.waiting.set(account.id, holder);
    const other = this.ctx.accounts.get(holder);
    const job = other && this.ctx.jobs.get(other.jobId);
    const by = other ? `account ${other.source} of job "${job?.spec.name ?? other.jobId}"` : `account ${holder}`;
    this.ctx.log.child({ jobId: account.jobId, accountId: account.id }).info(`${account.source} -> ${account.target} waits: ${by} is copying between the same mailboxes; it runs when that pass ends`);
    if (account.status === 'syncing' && account.phase === null) this.ctx.save(account.id, { phase: 'queued' });
  }

  /** The account's pass started (or it left the queue): a later wait is said again. */
  started(accountId: string): void {
    this.waiting.delete(accountId);
  }

  /** The mailbox pairs of the accounts whose missing messages are being copied (or wait their turn to be). */
  pairsUnderFix(): Set<string> {
    const keys = new Set<string>();
    for (const id of this.ctx.verifyResults.underWayIds()) {
      const a = this.ctx.accounts.get(id);
      const job = a && this.ctx.jobs.get(a.jobId);
      if (a && job) keys.add(mailboxPairKey(job, a));
    }
    return keys;
  }
}
