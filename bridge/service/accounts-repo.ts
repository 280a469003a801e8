import { ServerSchema, type ClassifiedError, type Server } from '../../shared/protocol/common';
import type { AccountCounters, AccountPhase, AccountStatus, ImportMode } from '../../shared/protocol/account';
import { newId, nowIso, type ServiceDb } from './db';
import { StoredWarningsSchema, type StoredWarnings } from './pass-warnings';

export interface AccountRecord {
  id: string;
  jobId: string;
  source: string;
  target: string;
  mode: ImportMode;
  status: AccountStatus;
  phase: AccountPhase | null;
  sourceServer: Server | null;
  counters: AccountCounters;
  error: ClassifiedError | null;
  attempts: number;
  /** Consecutive transient failures, for the back-off; reset by a successful run. */
  failures: number;
  /** When the scheduler may (re)start it: a retry's back-off or the next incremental sync. */
  nextRunAt: number | null;
  startedAt: string | null;
  firstPassDoneAt: string | null;
  lastSyncAt: string | null;
  /** When incremental sync stops by itself (end of the window), ms since the epoch. */
  syncUntil: number | null;
  /** Which target mailbox of the account its engine state is about: bumped when it is imported again towards another one. */
  mailboxEpoch: number;
  /** The warnings its passes reported, with the target mailbox they are about (pass-warnings.ts). */
  warnings: StoredWarnings | null;
  createdAt: string;
  updatedAt: string;
}

export const EMPTY_COUNTERS: AccountCounters = { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 };

interface AccountRow {
  id: string;
  job_id: string;
  source: string;
  target: string;
  mode: ImportMode;
  status: AccountStatus;
  phase: AccountPhase | null;
  source_server: string | null;
  counters: string;
  error: string | null;
  attempts: number;
  failures: number;
  next_run_at: number | null;
  started_at: string | null;
  first_pass_done_at: string | null;
  last_sync_at: string | null;
  sync_until: number | null;
  mailbox_epoch: number | null;
  warnings: string | null;
  created_at: string;
  updated_at: string;
}

/** Stored warnings another version wrote in a shape this one does not read are left out, not shown wrong. */
function readWarnings(text: string | null): StoredWarnings | null {
  if (!text) return null;
  try {
    const parsed = StoredWarningsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const toRecord = (r: AccountRow): AccountRecord => ({
  id: r.id,
  jobId: r.job_id,
  source: r.source,
  target: r.target,
  mode: r.mode,
  status: r.status,
  phase: r.phase,
  sourceServer: r.source_server ? ServerSchema.parse(JSON.parse(r.source_server)) : null,
  // Counters written before a field existed read it as 0.
  counters: { ...EMPTY_COUNTERS, ...(JSON.parse(r.counters) as Partial<AccountCounters>) },
  error: r.error ? (JSON.parse(r.error) as ClassifiedError) : null,
  attempts: r.attempts,
  failures: r.failures,
  nextRunAt: r.next_run_at,
  startedAt: r.started_at,
  firstPassDoneAt: r.first_pass_done_at,
  lastSyncAt: r.last_sync_at,
  syncUntil: r.sync_until ?? null,
  mailboxEpoch: r.mailbox_epoch ?? 0,
  warnings: readWarnings(r.warnings),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Columns a caller may change, and how each is written. */
export type AccountPatch = Partial<Omit<AccountRecord, 'id' | 'jobId' | 'createdAt' | 'updatedAt'>>;

const COLUMN: Record<keyof AccountPatch, [string, (v: never) => unknown]> = {
  source: ['source', (v: string) => v],
  target: ['target', (v: string) => v],
  mode: ['mode', (v: string) => v],
  status: ['status', (v: string) => v],
  phase: ['phase', (v: string | null) => v],
  sourceServer: ['source_server', (v: Server | null) => (v ? JSON.stringify(v) : null)],
  counters: ['counters', (v: AccountCounters) => JSON.stringify(v)],
  error: ['error', (v: ClassifiedError | null) => (v ? JSON.stringify(v) : null)],
  attempts: ['attempts', (v: number) => v],
  failures: ['failures', (v: number) => v],
  nextRunAt: ['next_run_at', (v: number | null) => v],
  startedAt: ['started_at', (v: string | null) => v],
  firstPassDoneAt: ['first_pass_done_at', (v: string | null) => v],
  lastSyncAt: ['last_sync_at', (v: string | null) => v],
  syncUntil: ['sync_until', (v: number | null) => v],
  mailboxEpoch: ['mailbox_epoch', (v: number) => v],
  warnings: ['warnings', (v: StoredWarnings | null) => (v ? JSON.stringify(v) : null)],
};

export class AccountsRepo {
  constructor(private readonly db: ServiceDb) {}

  insert(a: { jobId: string; source: string; target: string; mode: ImportMode; status: AccountStatus }): AccountRecord {
    const id = newId('acc');
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO svc_accounts (id, job_id, source, target, mode, status, counters, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, a.jobId, a.source, a.target, a.mode, a.status, JSON.stringify(EMPTY_COUNTERS), now, now);
    return this.get(id)!;
  }

  get(id: string): AccountRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM svc_accounts WHERE id = ?`).get(id) as AccountRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  findBySource(jobId: string, source: string): AccountRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM svc_accounts WHERE job_id = ? AND source = ? COLLATE NOCASE`).get(jobId, source) as AccountRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Accounts with this source address in other jobs that are not closed, themselves not closed. */
  openElsewhere(jobId: string, source: string): AccountRecord[] {
    const rows = this.db
      .prepare(
        `SELECT a.* FROM svc_accounts a JOIN svc_jobs j ON j.id = a.job_id
         WHERE a.source = ? COLLATE NOCASE AND a.job_id != ? AND a.status != 'closed' AND j.status != 'closed'`,
      )
      .all(source, jobId) as AccountRow[];
    return rows.map(toRecord);
  }

  /** Every account that is not closed, of the jobs other than `jobId` that are not closed. */
  openInOtherJobs(jobId: string): AccountRecord[] {
    const rows = this.db
      .prepare(`SELECT a.* FROM svc_accounts a JOIN svc_jobs j ON j.id = a.job_id WHERE a.job_id != ? AND a.status != 'closed' AND j.status != 'closed'`)
      .all(jobId) as AccountRow[];
    return rows.map(toRecord);
  }

  findByTarget(jobId: string, target: string): AccountRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM svc_accounts WHERE job_id = ? AND target = ? COLLATE NOCASE`).get(jobId, target) as AccountRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  listByJob(jobId: string, opts: { statuses?: readonly AccountStatus[]; search?: string; offset?: number; limit?: number } = {}): { accounts: AccountRecord[]; total: number } {
    const where = ['job_id = ?'];
    const args: unknown[] = [jobId];
    if (opts.statuses?.length) {
      where.push(`status IN (${opts.statuses.map(() => '?').join(',')})`);
      args.push(...opts.statuses);
    }
    if (opts.search) {
      where.push(`(instr(lower(source), lower(?)) > 0 OR instr(lower(target), lower(?)) > 0)`);
      args.push(opts.search, opts.search);
    }
    const sql = `FROM svc_accounts WHERE ${where.join(' AND ')}`;
    const total = (this.db.prepare(`SELECT COUNT(*) AS n ${sql}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * ${sql} ORDER BY created_at, rowid LIMIT ? OFFSET ?`)
      .all(...args, opts.limit ?? -1, opts.offset ?? 0) as AccountRow[];
    return { accounts: rows.map(toRecord), total };
  }

  /** Accounts in some statuses across all jobs (the scheduler's view). */
  listByStatus(statuses: readonly AccountStatus[]): AccountRecord[] {
    return (
      this.db.prepare(`SELECT * FROM svc_accounts WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY created_at, rowid`).all(...statuses) as AccountRow[]
    ).map(toRecord);
  }

  countsByStatus(jobId: string): Map<AccountStatus, number> {
    const rows = this.db.prepare(`SELECT status, COUNT(*) AS n FROM svc_accounts WHERE job_id = ? GROUP BY status`).all(jobId) as Array<{ status: AccountStatus; n: number }>;
    return new Map(rows.map((r) => [r.status, r.n]));
  }

  update(id: string, patch: AccountPatch): AccountRecord {
    const sets: string[] = [];
    const args: unknown[] = [];
    for (const [key, value] of Object.entries(patch) as Array<[keyof AccountPatch, unknown]>) {
      if (value === undefined) continue;
      const [column, encode] = COLUMN[key];
      sets.push(`${column} = ?`);
      args.push((encode as (v: unknown) => unknown)(value));
    }
    sets.push('updated_at = ?');
    args.push(nowIso());
    this.db.prepare(`UPDATE svc_accounts SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    return this.get(id)!;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
