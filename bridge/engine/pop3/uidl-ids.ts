import type Database from 'better-sqlite3';
import type { StateStore } from '../state-store';
import { openStateFile } from '../sqlite-file';

/**
 * POP3 identifies a message by its UIDL, a string; the engine's state (StateStore's
 * `messages` rows, FolderRun, the skipped list of the report) is keyed by integer UIDs.
 * This table gives every UIDL of an account a stable integer the first time it is seen,
 * in message order, so the POP3 path keeps its per-message rows in the engine's own table
 * (uid_validity 0, source folder 'INBOX') and reuses recordMessages / settledAbove /
 * targetUidsRecorded / outcomeCounts / skipped as they are. POP3 message numbers cannot
 * serve: they are per session and shift when a message is removed.
 *
 * The table lives in the state store's SQLite file, written through its own connection
 * (WAL and busy_timeout make two connections in one process safe; better-sqlite3 is
 * synchronous, so no transaction interleaves with the store's).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS pop3_uidl (
  account TEXT NOT NULL,
  uidl TEXT NOT NULL,
  id INTEGER NOT NULL,
  first_seen TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (account, uidl),
  UNIQUE (account, id)
);
`;

export class UidlIds {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openStateFile(file, SCHEMA);
  }

  /**
   * Opens the table in the file of `store` (an in-memory store gets an in-memory table:
   * its state ends with the process anyway).
   */
  static forStore(store: StateStore): UidlIds {
    return new UidlIds(store.file);
  }

  /** The integer of each UIDL (same order), assigning new ones after the account's highest. */
  idsFor(account: string, uidls: string[]): number[] {
    const get = this.db.prepare('SELECT id FROM pop3_uidl WHERE account = ? AND uidl = ?');
    const max = this.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM pop3_uidl WHERE account = ?');
    const insert = this.db.prepare('INSERT INTO pop3_uidl (account, uidl, id) VALUES (?, ?, ?)');
    return this.db.transaction(() => {
      let next = (max.get(account) as { m: number }).m + 1;
      return uidls.map((u) => {
        const row = get.get(account, u) as { id: number } | undefined;
        if (row) return row.id;
        insert.run(account, u, next);
        return next++;
      });
    }).immediate();
  }

  /**
   * Records UIDL -> id pairs another store assigned (a queue worker's), replacing any row of
   * this account that holds either the UIDL or the id, so the ids mean what they meant there.
   */
  remember(account: string, pairs: ReadonlyArray<{ uidl: string; id: number }>): void {
    const put = this.db.prepare('INSERT OR REPLACE INTO pop3_uidl (account, uidl, id) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const p of pairs) put.run(account, p.uidl, p.id);
    }).immediate();
  }

  /** The UIDL behind an id (for messages in the report). */
  uidlOf(account: string, id: number): string | undefined {
    const row = this.db.prepare('SELECT uidl FROM pop3_uidl WHERE account = ? AND id = ?').get(account, id) as { uidl: string } | undefined;
    return row?.uidl;
  }

  /** Every key of the account by its id (a handover names messages by key: handed-messages.ts). */
  keysById(account: string): Map<number, string> {
    const rows = this.db.prepare('SELECT id, uidl FROM pop3_uidl WHERE account = ?').all(account) as Array<{ id: number; uidl: string }>;
    return new Map(rows.map((r) => [r.id, r.uidl]));
  }

  close(): void {
    this.db.close();
  }
}
