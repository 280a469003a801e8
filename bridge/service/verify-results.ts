import { VerifySummarySchema, verifySummary, type VerifyAccount, type VerifySummary } from '../../shared/verify';
import type { AccountJob } from '../engine/account-job';
import type { StateStore } from '../engine/state-store';
import { copyMissing, type CopyMissingResult } from '../verify/copy-missing';
import { verifyAccount } from '../verify/verify-account';
import type { ServiceDb } from './db';

/**
 * The last verify of each account (已核验 / 有差异), in a table of its own beside the
 * service's: the report summary the monitor shows, kept until the next verify.
 */
export class VerifyResults {
  private readonly running = new Set<string>();
  /** Checks run one after another: a job-wide 核验 must not open two connections per account at once. */
  private queue: Promise<unknown> = Promise.resolve();

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
  }

  get(accountId: string): VerifySummary | null {
    const row = this.db.prepare(`SELECT summary FROM svc_verify WHERE account_id = ?`).get(accountId) as { summary: string } | undefined;
    if (!row) return null;
    const parsed = VerifySummarySchema.safeParse(JSON.parse(row.summary));
    // A summary written by another version that no longer parses is not shown rather than shown wrong.
    return parsed.success ? parsed.data : null;
  }

  /** Whether a verify of the account is queued or under way (a second one is not started meanwhile). */
  isRunning(accountId: string): boolean {
    return this.running.has(accountId);
  }

  /**
   * Verifies one account (read-only on both sides) and stores the summary. `job` carries the
   * account's engine state key, so the mapping and skips are those of its own migration.
   */
  async run(accountId: string, job: AccountJob, deep = false): Promise<VerifyAccount | null> {
    return this.exclusive(accountId, async () => {
      const report = await verifyAccount(job, { deep, stateDir: this.engineStateDir });
      this.store(accountId, report);
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
    return this.exclusive(accountId, async () => {
      const before = await verifyAccount(job, { deep: false, stateDir: this.engineStateDir });
      if (before.status === 'failed' || before.totals.missing === 0) {
        this.store(accountId, before);
        return { before, fixed: null, after: before };
      }
      const fixed = await copyMissing(job, before, engineStore);
      const after = await verifyAccount(job, { deep, stateDir: this.engineStateDir });
      this.store(accountId, after);
      return { before, fixed, after };
    });
  }

  /** One check of an account at a time, and checks one after another. */
  private async exclusive<T>(accountId: string, work: () => Promise<T>): Promise<T | null> {
    if (this.running.has(accountId)) return null;
    this.running.add(accountId);
    const turn = this.queue;
    let done!: () => void;
    this.queue = new Promise<void>((resolve) => (done = resolve));
    try {
      await turn;
      return await work();
    } finally {
      this.running.delete(accountId);
      done();
    }
  }

  private store(accountId: string, report: VerifyAccount): void {
    const summary = verifySummary(report);
    this.db
      .prepare(`INSERT INTO svc_verify (account_id, checked_at, summary) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET checked_at = excluded.checked_at, summary = excluded.summary`)
      .run(accountId, summary.checkedAt, JSON.stringify(summary));
  }

  delete(accountId: string): void {
    this.db.prepare(`DELETE FROM svc_verify WHERE account_id = ?`).run(accountId);
  }
}
