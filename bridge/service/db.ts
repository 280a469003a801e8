import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStateFile } from '../engine/sqlite-file';

/**
 * The service's own connection to the state store's SQLite file (the engine's
 * StateStore holds another one; WAL lets both work on the same file). Service
 * tables are prefixed `svc_` so they never collide with the engine's.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS svc_tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS svc_pairing_codes (
  hash TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS svc_trusted_origins (
  origin TEXT PRIMARY KEY,
  added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS svc_jobs (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS svc_accounts (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES svc_jobs(id),
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  phase TEXT,
  source_server TEXT,
  counters TEXT NOT NULL,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER,
  started_at TEXT,
  first_pass_done_at TEXT,
  last_sync_at TEXT,
  mailbox_epoch INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS svc_accounts_job_source ON svc_accounts (job_id, source COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS svc_accounts_status ON svc_accounts (status);
CREATE INDEX IF NOT EXISTS svc_accounts_source ON svc_accounts (source COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS svc_credentials (
  owner TEXT PRIMARY KEY,
  iv BLOB NOT NULL,
  tag BLOB NOT NULL,
  data BLOB NOT NULL,
  bound_to TEXT,
  created_at TEXT NOT NULL
);
`;

export type ServiceDb = Database.Database;

export const STATE_FILE = 'mailmover.sqlite';

export function openServiceDb(stateDir: string): ServiceDb {
  // Owner-only directory, file and companions, WAL, and a busy timeout (a `pair` or `tokens revoke`
  // run from the CLI writes while the bridge runs): the same opener as the engine's.
  const db = openStateFile(join(stateDir, STATE_FILE), SCHEMA);
  // Deleted rows (a closed account's encrypted password) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  migrate(db);
  return db;
}

/** Columns added after the first release: added in place to an older state file. */
function migrate(db: ServiceDb): void {
  const columns = new Set((db.prepare(`PRAGMA table_info(svc_accounts)`).all() as Array<{ name: string }>).map((c) => c.name));
  // When incremental sync stops by itself (ms since the epoch): end of the window after the first pass or a reopen.
  if (!columns.has('sync_until')) db.exec(`ALTER TABLE svc_accounts ADD COLUMN sync_until INTEGER`);
  // Bumped when a closed account is imported again towards another target mailbox (engineKey).
  if (!columns.has('mailbox_epoch')) db.exec(`ALTER TABLE svc_accounts ADD COLUMN mailbox_epoch INTEGER NOT NULL DEFAULT 0`);
  // The warnings of the account's passes (JSON, pass-warnings.ts StoredWarnings; NULL: none reported yet).
  if (!columns.has('warnings')) db.exec(`ALTER TABLE svc_accounts ADD COLUMN warnings TEXT`);
  // The last job.firstPassDone event sent for a job (so it is sent once per first pass).
  const jobColumns = new Set((db.prepare(`PRAGMA table_info(svc_jobs)`).all() as Array<{ name: string }>).map((c) => c.name));
  if (!jobColumns.has('first_pass_done_at')) db.exec(`ALTER TABLE svc_jobs ADD COLUMN first_pass_done_at TEXT`);
  // The server a stored password is bound to (NULL: stored before passwords were bound; see CredentialVault.bindUnbound).
  const credentialColumns = new Set((db.prepare(`PRAGMA table_info(svc_credentials)`).all() as Array<{ name: string }>).map((c) => c.name));
  if (!credentialColumns.has('bound_to')) db.exec(`ALTER TABLE svc_credentials ADD COLUMN bound_to TEXT`);
}

/** A short random id, url-safe; the prefix says what it names in logs. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

export const nowIso = (): string => new Date().toISOString();
