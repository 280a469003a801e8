/**
 * The extension's Dexie database: a mirror of what the bridge last said, so the dashboard
 * opens instantly and still shows the last known state while the bridge is down. The
 * background worker writes it; pages read it live (dexie-react-hooks' useLiveQuery, which
 * Dexie keeps current across the worker and the pages of the same origin).
 *
 * Never a password or a token here: job views carry only `hasPassword` flags, and the
 * pairing token stays in chrome.storage.local.
 */
import { Dexie, type DexieOptions, type EntityTable } from 'dexie';
import type { AccountStatus, AccountView, FolderProgress, JobView } from '../../shared/protocol';

export interface ProgressSnapshot {
  phase: string;
  bytesTotal: number;
  /** Messages per second. */
  rate: number;
  etaSeconds: number | null;
  folders: FolderProgress[];
  at: string;
}

export interface AccountRow extends AccountView {
  progress: ProgressSnapshot | null;
  /** When the bridge last told us about this account. */
  syncedAt: string;
}

export interface JobRow extends JobView {
  syncedAt: string;
}

export type EventKind = 'status' | 'first-pass-done' | 'failed' | 'job-first-pass-done';

export interface EventRow {
  seq?: number;
  time: string;
  kind: EventKind;
  jobId: string;
  accountId: string | null;
  from: AccountStatus | null;
  to: AccountStatus | null;
  /** Error code of a failure. */
  code: string | null;
}

export type SettingKey = 'bridge' | 'lastSnapshotAt' | 'notifiedJobs';

export interface SettingRow {
  key: SettingKey;
  value: unknown;
}

export type MailmoverDb = Dexie & {
  settings: EntityTable<SettingRow, 'key'>;
  jobs: EntityTable<JobRow, 'id'>;
  accounts: EntityTable<AccountRow, 'id'>;
  events: EntityTable<EventRow, 'seq'>;
};

export const DB_NAME = 'mailmover';

export function openDb(name = DB_NAME, options?: DexieOptions): MailmoverDb {
  const db = (options ? new Dexie(name, options) : new Dexie(name)) as MailmoverDb;
  db.version(1).stores({
    settings: 'key',
    jobs: 'id, updatedAt',
    accounts: 'id, jobId, [jobId+status], status, updatedAt',
    events: '++seq, time, jobId, accountId, kind',
  });
  // The webmail panel looks an employee's migration up by the new address (thousands of accounts in a company's jobs).
  db.version(2).stores({
    accounts: 'id, jobId, [jobId+status], status, updatedAt, target',
  });
  return db;
}

let shared: MailmoverDb | undefined;

/** The database of this extension context (one connection per page or worker). */
export function db(): MailmoverDb {
  shared ??= openDb();
  return shared;
}

/**
 * For a page that cannot use the extension's IndexedDB: the migration panel framed in a web page
 * (third-party storage there is blocked or partitioned) installs an in-memory copy that the
 * background feeds (extension/panel/mirror-relay.ts). Called before anything reads db().
 */
export function installDb(d: MailmoverDb): void {
  shared = d;
}
