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
