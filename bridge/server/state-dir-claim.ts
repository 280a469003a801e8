import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { ensureOwnerOnlyDir, ensureOwnerOnlyFile } from '../engine/owner-only';
import { openDatabase } from '../engine/sqlite-native';
import { processAlive, recordedBridge } from './port-record';

/**
 * One bridge per state dir. Two bridges on one store would both schedule its accounts, and
 * the second's clean stop removed the first one's port record, so `status` and `pair` then
 * pointed at the wrong port. The claim is an exclusive SQLite transaction on a file of its
 * own, held while the bridge runs: the operating system drops the lock when the process
 * ends, crash included, so nothing stale is left to clean up and a reused process id cannot
 * fake a running bridge.
 */
export const CLAIM_FILE = 'bridge.lock';

export class StateDirInUseError extends Error {
  constructor(
    readonly stateDir: string,
    /** That bridge's process and port, when it has recorded them yet. */
    readonly holder: { pid: number; port: number } | null,
  ) {
    super(`a bridge already runs on the state dir ${stateDir}${holder ? ` (process ${holder.pid}, listening on 127.0.0.1:${holder.port})` : ''}`);
    this.name = 'StateDirInUseError';
  }
}

export interface StateDirClaim {
  release(): void;
}

export function claimStateDir(stateDir: string): StateDirClaim {
  ensureOwnerOnlyDir(stateDir);
  const file = join(stateDir, CLAIM_FILE);
  ensureOwnerOnlyFile(file);
  // No busy wait: a bridge holds the lock for as long as it runs.
  const db: Database.Database = openDatabase(file, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    const record = recordedBridge(stateDir);
    throw new StateDirInUseError(stateDir, record && processAlive(record.pid) ? record : null);
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}
