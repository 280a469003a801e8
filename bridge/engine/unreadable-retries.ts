import { openStateFile } from './sqlite-file';
import type { StateStore } from './state-store';

/**
 * When a folder's messages the source server could not read (SOURCE_UNREADABLE skips) were
 * last tried again. Each try goes through them one at a time: a server that drops the session
 * over a damaged message (Dovecot) costs about a login per message, so a damaged stretch of
 * a few hundred messages tried by every sync of the window (every few minutes) would be tens
 * of thousands of logins a day, and providers block an address for far fewer. A run given
 * `MigrationOptions.unreadableRetryMs` tries them at most that often per folder; the others
 * stay skipped meanwhile, as the last try left them.
 *
 * A table of its own in the state store's file (an in-memory store keeps none: every run tries).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS unreadable_retries (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  tried_at INTEGER NOT NULL,
  PRIMARY KEY (account, source_folder, uid_validity)
);
`;

/**
 * Whether this run tries the folder's unreadable messages again: none tried yet by a run that
 * asks, the last try is `everyMs` old, or the clock went back. When it tries, the try is
 * recorded as of `now`.
 */
export function takeUnreadableRetry(store: StateStore, account: string, sourceFolder: string, uidValidity: number, everyMs: number, now = Date.now()): boolean {
  const db = openStateFile(store.file, SCHEMA);
  try {
    const row = db.prepare(`SELECT tried_at FROM unreadable_retries WHERE account = ? AND source_folder = ? AND uid_validity = ?`).get(account, sourceFolder, uidValidity) as { tried_at: number } | undefined;
    if (row && now >= row.tried_at && now - row.tried_at < everyMs) return false;
    db.prepare(
      `INSERT INTO unreadable_retries (account, source_folder, uid_validity, tried_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account, source_folder, uid_validity) DO UPDATE SET tried_at = excluded.tried_at`,
    ).run(account, sourceFolder, uidValidity, now);
    return true;
  } finally {
    db.close();
  }
}

/** Forgets the account's tries: its next run tries every unreadable message again (a person reopened it, say). */
export function forgetUnreadableRetries(store: StateStore, account: string): void {
  const db = openStateFile(store.file, SCHEMA);
  try {
    db.prepare(`DELETE FROM unreadable_retries WHERE account = ?`).run(account);
  } finally {
    db.close();
  }
}
