import type Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { ensureOwnerOnlyDir, ensureOwnerOnlyFile, restrictIfPresent } from './owner-only';
import { openDatabase } from './sqlite-native';

/** SQLite's companion files: it gives new ones the main file's mode, but an old one keeps its own. */
const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * Opens (creating if needed) a SQLite state file and applies `schema`.
 * The file and its directory are made owner-only first (0600 / 0700), whatever they were:
 * the state names mailboxes, folders and fingerprints.
 * WAL keeps readers (the dashboard) from blocking the copier; NORMAL sync is durable
 * across process crashes, which is the failure the state guards against; the busy
 * timeout lets the CLI and the bridge share the file.
 */
export function openStateFile(file: string, schema: string): Database.Database {
  const onDisk = file !== '' && file !== ':memory:' && !file.startsWith('file:');
  if (onDisk) {
    ensureOwnerOnlyDir(dirname(file));
    ensureOwnerOnlyFile(file);
  }
  const db = openDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  if (onDisk) for (const suffix of COMPANIONS) restrictIfPresent(file + suffix);
  return db;
}
