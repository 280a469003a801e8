import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { openDatabase } from '../engine/sqlite-native';

/** What the migration recorded for one account that verify needs: its folder map and its skips. */
export interface RecordedState {
  /** source folder -> target folder, as the engine named it (possibly changed at CREATE time) */
  folderMap: Map<string, string>;
  /** skipped messages per source folder and UIDVALIDITY: `${folder}\n${uidValidity}` -> uid -> reason */
  skips: Map<string, Map<number, string>>;
}

const FolderMapRow = z.object({ source_folder: z.string(), target_folder: z.string() });
const SkipRow = z.object({ source_folder: z.string(), uid_validity: z.number().int(), uid: z.number().int(), reason: z.string().nullable() });

export const skipKey = (folder: string, uidValidity: number) => `${folder}\n${uidValidity}`;

/**
 * Reads the state store of a migration (`<stateDir>/mailmover.sqlite`) read-only: verify
 * checks a migration, it must not change the engine's memory of it. No file: nothing
 * recorded (the mapping is computed as the migration would compute it).
 */
export function readRecordedState(stateDir: string | undefined, account: string): RecordedState {
  const state: RecordedState = { folderMap: new Map(), skips: new Map() };
  if (!stateDir) return state;
  const file = join(stateDir, 'mailmover.sqlite');
  if (!existsSync(file)) return state;
  const db = openDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const has = (table: string) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
    if (has('folder_map')) {
      for (const row of db.prepare(`SELECT source_folder, target_folder FROM folder_map WHERE account = ?`).all(account)) {
        const r = FolderMapRow.parse(row);
        state.folderMap.set(r.source_folder, r.target_folder);
      }
    }
    if (has('messages')) {
      const rows = db.prepare(`SELECT source_folder, uid_validity, uid, reason FROM messages WHERE account = ? AND outcome = 'skipped'`).all(account);
      for (const row of rows) {
        const r = SkipRow.parse(row);
        const key = skipKey(r.source_folder, r.uid_validity);
        let m = state.skips.get(key);
        if (!m) state.skips.set(key, (m = new Map()));
        m.set(r.uid, r.reason ?? 'skipped by the migration');
      }
    }
  } finally {
    db.close();
  }
  return state;
}

const FingerprintRow = z.object({ uid: z.number().int(), fingerprint: z.string() });

/**
 * The fingerprints the migration recorded for `uids` of a source folder (rows of messages it
 * copied or found on the target), read-only: for messages the source can no longer read
 * (folder-meta.ts), whose fingerprint verify cannot make from their headers.
 */
export function recordedFingerprints(stateDir: string | undefined, account: string, folder: string, uidValidity: number, uids: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  if (!stateDir || uids.length === 0) return out;
  const file = join(stateDir, 'mailmover.sqlite');
  if (!existsSync(file)) return out;
  const db = openDatabase(file, { readonly: true, fileMustExist: true });
  try {
    if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'`).get() === undefined) return out;
    const row = db.prepare(`SELECT uid, fingerprint FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid = ? AND outcome IN ('copied', 'present')`);
    for (const uid of uids) {
      const found = row.get(account, folder, uidValidity, uid);
      if (found === undefined) continue;
      const r = FingerprintRow.parse(found);
      if (r.fingerprint) out.set(r.uid, r.fingerprint);
    }
  } finally {
    db.close();
  }
  return out;
}
