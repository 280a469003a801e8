import type Database from 'better-sqlite3';
import { openStateFile } from '../engine/sqlite-file';
import type { StateStore } from '../engine/state-store';
import { skipIsFinal } from '../engine/append-refusal';
import { CheckpointRecordSchema, ReopenedCheckpointSchema, type CheckpointRecord, type ReopenedCheckpoint } from './protocol';
import { adoptReopenedRows, onlyFinalSkips, reopenedRecord } from './reopened-checkpoints';
import { POP3_UID_VALIDITY } from '../engine/pop3/pop3-source';

/**
 * An account's passes run on whichever worker is free, each with its own engine state store.
 * A worker that did not run the previous pass knew nothing of it: it planned every message
 * again and copied what it did not find in the target folder, so what the employee had moved
 * to another folder or deleted in the new mailbox since (during the sync window, after the MX
 * switch) came back, a second copy of each moved message. So the folder checkpoints travel
 * with the passes: each worker returns its checkpoints with its result, the coordinator keeps
 * the latest here, and the next pass's job carries them to whichever worker takes it, which
 * starts from them where its own store knows less (adoptCheckpoints).
 *
 * Sized by folders. A table of its own beside the engine's in the coordinator's store file:
 * the coordinator's own engine work (verify, copying missing messages) keeps its own checkpoints.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_checkpoints (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  checkpoint TEXT NOT NULL,
  PRIMARY KEY (account, source_folder)
);
`;

function open(store: StateStore): Database.Database {
  return openStateFile(store.file, SCHEMA);
}

/**
 * The coordinator's side: a worker's checkpoints replace the ones kept for those folders; a
 * reopened one (reopened-checkpoints.ts) is kept in the same row, with its rows.
 */
export function keepHandedCheckpoints(store: StateStore, account: string, checkpoints: ReadonlyArray<CheckpointRecord | ReopenedCheckpoint>): void {
  const db = open(store);
  try {
    const put = db.prepare(
      `INSERT INTO queue_checkpoints (account, source_folder, checkpoint) VALUES (?, ?, ?)
       ON CONFLICT (account, source_folder) DO UPDATE SET checkpoint = excluded.checkpoint`,
    );
    db.transaction(() => {
      for (const cp of checkpoints) put.run(account, cp.sourceFolder, JSON.stringify(cp));
    })();
  } finally {
    db.close();
  }
}

/**
 * What the next pass of the account takes along: the plain checkpoints, and those of folders
 * whose skips are all final without their rows (a worker of an earlier build takes those bare,
 * as it did before; a later one takes the reopened record first).
 */
export function handedCheckpoints(store: StateStore, account: string): CheckpointRecord[] {
  return kept(store, account).flatMap((cp) => {
    if ('skips' in cp) {
      const reopened = ReopenedCheckpointSchema.safeParse(cp);
      if (!reopened.success || !onlyFinalSkips(reopened.data)) return [];
      const { settled: _settled, skips: _skips, ...plain } = reopened.data;
      return [plain];
    }
    const parsed = CheckpointRecordSchema.safeParse(cp);
    return parsed.success ? [parsed.data] : [];
  });
}

/** …and the reopened ones, apart (an earlier worker must not take them for plain ones). */
export function handedReopened(store: StateStore, account: string): ReopenedCheckpoint[] {
  return kept(store, account).flatMap((cp) => {
    if (!('skips' in cp)) return [];
    const parsed = ReopenedCheckpointSchema.safeParse(cp);
    return parsed.success ? [parsed.data] : [];
  });
}

function kept(store: StateStore, account: string): object[] {
  const db = open(store);
  try {
    const rows = db.prepare(`SELECT checkpoint FROM queue_checkpoints WHERE account = ? ORDER BY source_folder`).all(account) as Array<{ checkpoint: string }>;
    return rows.map((r) => JSON.parse(r.checkpoint) as object);
  } finally {
    db.close();
  }
}

/**
 * A worker's store's checkpoints of an account, as they travel. Not a folder's with a skip the
 * next run tries again (a refusal that did not name the message, skipIsFinal): the checkpoint
 * lies past that message, and only the rows of the store that recorded it reopen it
 * (plan-folder.ts). Adopted bare, it would leave the message out for good; such a checkpoint
 * travels apart, with those rows (reopenedRecords), and a worker of an earlier build, which
 * would adopt it bare, does not read it. A folder with skips that are all final travels both
 * ways: bare here, for such a worker, and with its skips there.
 */
export function checkpointRecords(store: StateStore, account: string): CheckpointRecord[] {
  return records(store, account).plain;
}

/** The checkpoints checkpointRecords leaves out, each with the rows that let the next worker reopen its skips (reopened-checkpoints.ts). */
export function reopenedRecords(store: StateStore, account: string): ReopenedCheckpoint[] {
  return records(store, account).reopened;
}

function records(store: StateStore, account: string): { plain: CheckpointRecord[]; reopened: ReopenedCheckpoint[] } {
  const retried = new Set(store.skipped(account).filter((s) => !skipIsFinal(s.reason)).map((s) => s.sourceFolder));
  const plain: CheckpointRecord[] = [];
  const reopened: ReopenedCheckpoint[] = [];
  for (const full of store.checkpoints(account)) {
    const { account: _account, ...cp } = full;
    if (!retried.has(cp.sourceFolder)) plain.push(cp);
    // A maildrop's rows travel by UIDL (handed-pop3.ts); its checkpoint has no UID stretch.
    const rows = cp.uidValidity === POP3_UID_VALIDITY ? undefined : reopenedRecord(store, full);
    if (rows) reopened.push({ ...cp, ...rows });
  }
  return { plain, reopened };
}

/**
 * The worker's side, before the pass: a handed checkpoint is taken where this store has none
 * for the folder, one of another UIDVALIDITY (the handed one is from the latest pass), or a
 * lower one. The engine then resumes from it as from its own (checkpoint.ts decides whether it
 * still fits the folder, the target folder and the filters).
 */
export function adoptCheckpoints(store: StateStore, account: string, handed: readonly CheckpointRecord[], reopened: readonly ReopenedCheckpoint[] = []): void {
  for (const rec of reopened) {
    const { settled: _settled, skips: _skips, ...cp } = rec;
    if (cp.uidValidity === POP3_UID_VALIDITY) continue;
    const own = store.getCheckpoint(account, cp.sourceFolder);
    if (own && own.uidValidity === cp.uidValidity && own.lastUid >= cp.lastUid) continue;
    try {
      // Rows first: a checkpoint without them would leave the skipped message out.
      adoptReopenedRows(store, account, rec);
    } catch {
      continue; // rows that do not read: the folder is planned from this store's own state
    }
    store.putCheckpoint({ ...cp, account });
  }
  for (const cp of handed) {
    // A POP3 maildrop's checkpoint has no UID position (lastUid stays 0): what was copied is
    // in the per-message rows, which travel apart (handed-pop3.ts) and only for the messages
    // the maildrop still lists under the same key. Its target UIDNEXT would start the target
    // survey after every earlier copy, so a message the handed rows do not name (a key that
    // changed, a maildrop too big to hand over) would be copied again; without it, the survey
    // reads the whole target folder, and the handed rows' target UIDs keep their copies out.
    if (cp.uidValidity === POP3_UID_VALIDITY) continue;
    const own = store.getCheckpoint(account, cp.sourceFolder);
    if (own && own.uidValidity === cp.uidValidity && own.lastUid >= cp.lastUid) continue;
    store.putCheckpoint({ ...cp, account });
  }
}
