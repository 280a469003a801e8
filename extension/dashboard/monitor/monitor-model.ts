/** Filtering, searching and sorting of the monitor's rows: pure, so the table stays dumb. */
import type { AccountStatus } from '../../../shared/protocol';
import type { AccountRow } from '../../db/schema';

export type SortKey = 'account' | 'status' | 'progress' | 'updated';
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

const STATUS_ORDER: Record<AccountStatus, number> = {
  failed: 0,
  password_needed: 1,
  in_progress: 2,
  paused: 3,
  syncing: 4,
  first_pass_done: 5,
  not_started: 6,
  not_enabled: 7,
  closed: 8,
};

/** Messages settled (copied or already there) over the total; over 1 while new mail arrives. */
export function progressRatio(a: Pick<AccountRow, 'counters'>): number {
  const c = a.counters;
  const done = c.messagesCopied + c.messagesAlreadyPresent + c.messagesSkipped;
  return c.messagesTotal > 0 ? done / c.messagesTotal : done > 0 ? 1 : 0;
}

/**
 * Whether the account's old mailbox was never counted: no total and nothing done, before its first
 * pass ended (a login that failed before the count, an account waiting its turn). Its "0 / 0
 * messages" would read as an empty mailbox; an empty mailbox whose first pass finished is counted.
 */
export function isUncounted(a: Pick<AccountRow, 'counters' | 'firstPassDoneAt'>): boolean {
  const c = a.counters;
  return a.firstPassDoneAt === null && c.messagesTotal === 0 && c.messagesCopied + c.messagesAlreadyPresent + c.messagesSkipped === 0;
}

export function filterRows(rows: readonly AccountRow[], statuses: ReadonlySet<AccountStatus>, search: string): AccountRow[] {
  const q = search.trim().toLowerCase();
  return rows.filter(
    (r) => (statuses.size === 0 || statuses.has(r.status)) && (!q || r.source.toLowerCase().includes(q) || r.target.toLowerCase().includes(q)),
  );
}

export function sortRows(rows: AccountRow[], sort: SortSpec): AccountRow[] {
  const m = sort.dir === 'asc' ? 1 : -1;
  const cmp = (a: AccountRow, b: AccountRow): number => {
    switch (sort.key) {
      case 'account':
        return a.source.localeCompare(b.source);
      case 'status':
        return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.source.localeCompare(b.source);
      case 'progress':
        return progressRatio(a) - progressRatio(b) || a.source.localeCompare(b.source);
      case 'updated':
        return a.updatedAt.localeCompare(b.updatedAt);
    }
  };
  return [...rows].sort((a, b) => m * cmp(a, b));
}

export function countByStatus(rows: readonly AccountRow[]): Partial<Record<AccountStatus, number>> {
  const out: Partial<Record<AccountStatus, number>> = {};
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/** Whether the engine is working on the account right now (not queued, waiting or idle between syncs). */
export function isActive(a: Pick<AccountRow, 'status' | 'phase'>): boolean {
  return (a.status === 'in_progress' || a.status === 'syncing') && a.phase !== null && a.phase !== 'queued' && a.phase !== 'waiting-retry';
}

export interface JobTotals {
  accounts: number;
  byStatus: Partial<Record<AccountStatus, number>>;
  /** Messages copied or found already on the target, and skipped ones: what needs no more work. */
  settled: number;
  copied: number;
  total: number;
  bytesCopied: number;
  /** 0..1 of the counted messages; 1 when nothing counted is left (accounts not counted yet add nothing). */
  ratio: number;
  /** Accounts past their first pass. */
  accountsDone: number;
  /** Accounts whose old mailbox was never counted (no total yet, no first pass): not in `total`. */
  uncounted: number;
  /** Of those, the ones that failed (a wrong password, …) or wait for a password. */
  uncountedFailed: number;
  /** Accounts that failed or wait for a password. */
  failing: number;
  /** Every account is past its first pass, none is failing and nothing counted is left. */
  complete: boolean;
  /** Remaining messages over the running accounts' summed rate; null when none runs. */
  etaSeconds: number | null;
}

/** The job's summary bar: the same counters as the rows, summed, so the bar and the list agree. */
export function jobTotals(rows: readonly AccountRow[]): JobTotals {
  let settled = 0;
  let copied = 0;
  let total = 0;
  let bytesCopied = 0;
  let rate = 0;
  let accountsDone = 0;
  let uncounted = 0;
  let uncountedFailed = 0;
  let failing = 0;
  for (const r of rows) {
    const failed = r.status === 'failed' || r.status === 'password_needed';
    if (failed) failing += 1;
    if (r.firstPassDoneAt !== null) accountsDone += 1;
    else if (r.counters.messagesTotal === 0) {
      uncounted += 1;
      if (failed) uncountedFailed += 1;
    }
    const c = r.counters;
    const done = c.messagesCopied + c.messagesAlreadyPresent + c.messagesSkipped;
    settled += Math.min(done, c.messagesTotal || done);
    copied += c.messagesCopied;
    total += c.messagesTotal;
    bytesCopied += c.bytesCopied;
    if (isActive(r) && r.progress && r.progress.rate > 0) rate += r.progress.rate;
  }
  const remaining = Math.max(0, total - settled);
  return {
    accounts: rows.length,
    byStatus: countByStatus(rows),
    settled,
    copied,
    total,
    bytesCopied,
    // Every account through with nothing to copy (empty mailboxes) is all done, not 0%.
    ratio: total > 0 ? settled / total : rows.length > 0 && accountsDone === rows.length && failing === 0 ? 1 : 0,
    accountsDone,
    uncounted,
    uncountedFailed,
    failing,
    complete: rows.length > 0 && accountsDone === rows.length && failing === 0 && settled >= total,
    etaSeconds: rate > 0 ? remaining / rate : null,
  };
}

/**
 * The job's headline figure and bar. The counted messages' percentage, never 100 before the job is
 * complete (a failed account's mail is not copied); while an account that failed was never
 * counted, its messages are in no total, so the share of accounts done is shown instead.
 */
export function jobHeadline(totals: JobTotals): { counted: boolean; pct: number; bar: number } {
  // Accounts waiting their turn have no total yet either, but nothing is wrong with them: the
  // messages' share (never 100 before the end) stays. Only an account that failed uncounted
  // makes it claim too much.
  const counted = totals.uncountedFailed === 0;
  const messagesPct = Math.round(totals.ratio * 100);
  const pct = !totals.complete && messagesPct >= 100 ? 99 : messagesPct;
  const bar = counted ? pct : totals.accounts > 0 ? (totals.accountsDone / totals.accounts) * 100 : 0;
  return { counted, pct, bar };
}
