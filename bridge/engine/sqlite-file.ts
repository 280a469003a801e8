import Database from 'better-sqlite3';

/**
 * Opens (creating if needed) the engine's SQLite state file and applies `schema`.
 * WAL keeps readers (the dashboard) from blocking the copier; NORMAL sync is durable
 * across process crashes, which is the failure the state guards against; the busy
 * timeout lets the CLI and the bridge share the file.
 */
export function openStateFile(file: string, schema: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  return db;
}
