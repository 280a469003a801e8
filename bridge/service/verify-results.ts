import { VerifySummarySchema, verifySummary, type VerifyAccount, type VerifySummary } from '../../shared/verify';
import { accountKey, type AccountJob } from '../engine/account-job';
import type { StateStore } from '../engine/state-store';
import { copyMissing, type CopyMissingResult } from '../verify/copy-missing';
import { verifyAccount } from '../verify/verify-account';
import { scrubVerifyReport, secretsOf } from '../queue/secret-scrub';
import type { ServiceDb } from './db';

/**
 * What a check was a check of: the account's engine state key (it changes with the job's
 * target server) and the target mailbox. A result of another scope says nothing about the
 * mailbox the account copies into now, and 已核验 is what an admin closes the old system on.
 */
export function verifyScope(stateKey: string, targetUser: string): string {
  return `${stateKey}\n${targetUser.toLowerCase()}`;
}

/**
 * The last verify of each account (已核验 / 有差异), in a table of its own beside the
 * service's: the report summary the monitor shows, kept until the next verify of the same
 * target (see verifyScope).
 */
export class VerifyResults {
  private readonly running = new Set<string>();
  /**
   * Accounts whose passes wait: a check (or copy) that has its turn now, and a copy of missing
   * messages from the moment it is asked for (see isUnderWay).
   */
  private readonly underWay = new Set<string>();
  /** Checks run one after another: a job-wide 核验 must not open two connections per account at once. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The check itself; a test of the bookkeeping around it (scopes, what is shown) puts a stand-in here. */
  verify: typeof verifyAccount = verifyAccount;

  constructor(
    private readonly db: ServiceDb,
    /** the engine's state dir: the folder map and skips the migration recorded */
    private readonly engineStateDir: string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS svc_verify (
      account_id TEXT PRIMARY KEY,
      checked_at TEXT NOT NULL,
      summary TEXT NOT NULL
    )`);
    const columns = new Set((db.prepare(`PRAGMA table_info(svc_verify)`).all() as Array<{ name: string }>).map((c) => c.name));
    if (!columns.has('scope')) db.exec(`ALTER TABLE svc_verify ADD COLUMN scope TEXT`);
  }

  /**
   * The last check of the account, when it was a check of `scope` (verifyScope of the account
   * as it is now). A row stored before scopes were kept (scope NULL) is shown as it was.
   */
  get(accountId: string, scope: string): VerifySummary | null {
    const row = this.db.prepare(`SELECT summary, scope FROM svc_verify WHERE account_id = ?`).get(accountId) as { summary: string; scope: string | null } | undefined;
    if (!row) return null;
    if (row.scope !== null && row.scope !== scope) return null;
    const parsed = VerifySummarySchema.safeParse(JSON.parse(row.summary));
    // A summary written by another version that no longer parses is not shown rather than shown wrong.
    return parsed.success ? parsed.data : null;
  }

  /** Whether a verify of the account is queued or under way (a second one is not started meanwhile). */
  isRunning(accountId: string): boolean {
    return this.running.has(accountId);
  }

  /**
   * Whether the account's passes must wait: a check or copy of it is reading or writing its
   * mailboxes now, or a copy of its missing messages waits its turn. A check that only waits is
   * not (behind the checks of a few hundred accounts that can be hours, too long to hold the
   * account's syncs back). A waiting copy is: a pass started meanwhile could still be running
   * when the copy's turn comes, and both would APPEND the same new mail (a copy is asked for by a
   * person, and never while a pass runs).
   */
  isUnderWay(accountId: string): boolean {
    return this.underWay.has(accountId);
  }

  /** The accounts isUnderWay is true of: their mailbox pairs' passes wait too, in whichever job (pair-waits.ts). */
  underWayIds(): string[] {
    return [...this.underWay];
  }

  /**
   * Verifies one account (read-only on both sides) and stores the summary. `job` carries the
   * account's engine state key, so the mapping and skips are those of its own migration.
   */
  async run(accountId: string, job: AccountJob, deep = false): Promise<VerifyAccount | null> {
    return this.exclusive(accountId, false, async () => {
      const report = await this.check(job, deep);
      this.store(accountId, job, report);
      return report;
    });
  }

  /**
   * "Copy the missing ones" (复制缺失邮件): verifies the account again to have the complete
   * list of what is missing (the stored summary holds only the first entries), copies exactly
   * those messages (recorded in the engine's state store, as the CLI's --fix does), then
   * verifies once more and stores that check. Returns null when a check of the account is
   * already under way.
   */
  async fix(accountId: string, job: AccountJob, engineStore: StateStore, deep = false): Promise<{ before: VerifyAccount; fixed: CopyMissingResult | null; after: VerifyAccount } | null> {
    return this.exclusive(accountId, true, async () => {
      const before = await this.check(job, false);
      if (before.status === 'failed' || before.totals.missing === 0) {
        this.store(accountId, job, before);
        return { before, fixed: null, after: before };
      }
      const fixed = await copyMissing(job, before, engineStore);
      const after = await this.check(job, deep);
      this.store(accountId, job, after);
      return { before, fixed, after };
    });
  }

  /**
   * The check, its servers' words masked of the account's passwords: the summary is stored,
   * shown and written to the report CSV, and a server can echo the login it was given.
   */
  private async check(job: AccountJob, deep: boolean): Promise<VerifyAccount> {
    const report = await this.verify(job, { deep, stateDir: this.engineStateDir });
    return scrubVerifyReport(report, secretsOf(job.source.auth, job.target.auth));
  }

  /** One check of an account at a time, and checks one after another; `holdPasses`: the account's passes wait from now on. */
  private async exclusive<T>(accountId: string, holdPasses: boolean, work: () => Promise<T>): Promise<T | null> {
    if (this.running.has(accountId)) return null;
    this.running.add(accountId);
    if (holdPasses) this.underWay.add(accountId);
    const turn = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>((resolve) => (done = resolve));
    try {
      await turn;
      this.underWay.add(accountId);
      return await work();
    } finally {
      this.running.delete(accountId);
      this.underWay.delete(accountId);
      done();
    }
  }

  /** Stored with the scope of the job it ran with: a check that ends after the target changed is kept under the old one. */
  private store(accountId: string, job: AccountJob, report: VerifyAccount): void {
    const summary = verifySummary(report);
    this.db
      .prepare(
        `INSERT INTO svc_verify (account_id, checked_at, summary, scope) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET checked_at = excluded.checked_at, summary = excluded.summary, scope = excluded.scope`,
      )
      .run(accountId, summary.checkedAt, JSON.stringify(summary), verifyScope(accountKey(job), job.target.user));
  }

  delete(accountId: string): void {
    this.db.prepare(`DELETE FROM svc_verify WHERE account_id = ?`).run(accountId);
  }
}
