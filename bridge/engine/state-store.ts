import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { ensureOwnerOnlyDir } from './owner-only';
import { openStateFile } from './sqlite-file';
import { serializeSyncedFlags } from './flag-delta';
import { FolderLayoutSchema, type FolderLayout } from '../../shared/folders/layout';

/**
 * The engine's memory between runs: per account and source folder the UIDVALIDITY,
 * the highest UID below which everything is copied (the checkpoint), and per copied
 * message its fingerprint and target UID. Rows are written only after the target
 * confirmed the APPEND, so a crash can lose a row (the fingerprint scan then finds the
 * message on the target) but never claims a message that is not there.
 */
export interface FolderCheckpoint {
  account: string;
  sourceFolder: string;
  targetFolder: string;
  uidValidity: number;
  /** Every source UID <= lastUid is copied, already present, or skipped. */
  lastUid: number;
  /** The filters (since date, deleted policy) under which lastUid was reached. */
  filterKey: string;
  /** The target folder's UIDVALIDITY / UIDNEXT when the last pass over the folder ended. */
  targetUidValidity: number | null;
  targetUidNext: number | null;
  /**
   * A running tally of outcomes settled since the checkpoint last started the folder over
   * (checkpoint.ts resets it with lastUid, e.g. when a run resumes a folder no pass completed):
   * not the folder's count over all runs. That is its rows' (outcomeCounts, folderSummaries),
   * which `status` and the account view show.
   */
  copied: number;
  skipped: number;
  alreadyPresent: number;
}

export type MessageOutcome = 'copied' | 'present' | 'skipped';

export interface MessageRecord {
  uid: number;
  fingerprint: string;
  outcome: MessageOutcome;
  targetUid: number | null;
  size: number;
  reason?: string | null;
  /**
   * A copy's body hash (body-hash.ts), kept only where the target did not say where it stored
   * the copy and the message has no Message-ID: a later survey tells that copy from a look-alike
   * of the same fingerprint by it (unplacedCopies).
   */
  bodyHash?: string | null;
  /**
   * The carried flags (carriedFlags) a copy was APPENDed with: what a later pass compares the
   * source's flags with to tell what changed there since (flag-sync.ts). Null where unknown (a
   * row an older build wrote, a copy found on the target): the next flag pass takes the source's
   * flags then as the baseline.
   */
  syncedFlags?: string[] | null;
}

/** A message on the target as a flag pass sees it (flag-sync.ts): where its copy is, and the flags last carried to it. */
export interface SyncedCopy {
  uid: number;
  targetUid: number;
  fingerprint: string;
  /** The synced_flags column as stored (parsed by flag-delta.ts). */
  syncedFlags: string | null;
}

/** One of our copies whose target UID the server never said (unplacedCopies). */
export interface UnplacedCopy {
  fingerprint: string;
  size: number;
  /** Its body hash where it has no Message-ID; null for one with a Message-ID, or one a version before body hashes copied. */
  bodyHash: string | null;
}

export interface SkippedRecord {
  sourceFolder: string;
  uid: number;
  reason: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS folders (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  target_folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  last_uid INTEGER NOT NULL DEFAULT 0,
  filter_key TEXT NOT NULL DEFAULT '',
  target_uid_validity INTEGER,
  target_uid_next INTEGER,
  copied INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  already_present INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (account, source_folder)
);
CREATE TABLE IF NOT EXISTS messages (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('copied','present','skipped')),
  target_uid INTEGER,
  size INTEGER NOT NULL,
  reason TEXT,
  body_hash TEXT,
  synced_flags TEXT,
  PRIMARY KEY (account, source_folder, uid_validity, uid)
);
CREATE TABLE IF NOT EXISTS target_survey (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  target_uid INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  exact TEXT NOT NULL,
  PRIMARY KEY (account, source_folder, target_uid)
);
CREATE TABLE IF NOT EXISTS append_marks (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  marked_at INTEGER NOT NULL,
  command_bytes INTEGER NOT NULL,
  PRIMARY KEY (account, source_folder, uid_validity, uid)
);
CREATE INDEX IF NOT EXISTS target_survey_exact ON target_survey (account, source_folder, exact, target_uid);
CREATE INDEX IF NOT EXISTS target_survey_loose ON target_survey (account, source_folder, fingerprint, target_uid);
CREATE INDEX IF NOT EXISTS messages_unplaced ON messages (account, source_folder, uid_validity) WHERE outcome = 'copied' AND target_uid IS NULL;
CREATE INDEX IF NOT EXISTS messages_placed_by_fingerprint ON messages (account, fingerprint) WHERE outcome IN ('copied','present') AND target_uid IS NOT NULL;
CREATE TABLE IF NOT EXISTS flag_sync (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  highest_modseq TEXT NOT NULL,
  PRIMARY KEY (account, source_folder, uid_validity)
);
CREATE TABLE IF NOT EXISTS folder_map (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  target_folder TEXT NOT NULL,
  sanitized TEXT,
  PRIMARY KEY (account, source_folder)
);
CREATE TABLE IF NOT EXISTS account_layouts (
  account TEXT NOT NULL PRIMARY KEY,
  layout TEXT NOT NULL,
  recorded_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS reported_folders (
  account TEXT NOT NULL,
  source_folder TEXT NOT NULL,
  target_folder TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  last_uid INTEGER NOT NULL,
  copied INTEGER NOT NULL,
  already_present INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  updated_at TEXT,
  reported_at TEXT NOT NULL,
  PRIMARY KEY (account, source_folder)
);
`;

/** A message's row with its place on the target (StateStore.placedElsewhere). */
export interface PlacedRow {
  sourceFolder: string;
  uidValidity: number;
  uid: number;
  fingerprint: string;
  targetUid: number;
  /** The synced_flags column as stored (parsed by flag-delta.ts). */
  syncedFlags: string | null;
}

/** One source folder of an account as the bridge's account view shows it. */
export interface FolderSummary {
  source: string;
  target: string;
  lastUid: number;
  copied: number;
  alreadyPresent: number;
  skipped: number;
  updatedAt: string | null;
}

/** A folder as a queue worker's store summed it up, kept by the coordinator; `reportedAt`: when it got here (this store's clock). */
export interface ReportedFolder extends FolderSummary {
  reportedAt: string;
}

/** What a queue worker's store holds of an account, as the coordinator keeps it (bridge/queue/verify-record.ts). */
export interface WorkerReport {
  /** The folders the worker has a checkpoint for, with their UIDVALIDITY. */
  folders: ReadonlyArray<{ folder: string; uidValidity: number }>;
  /** The skips of those folders (every one the worker's store knows). */
  skips: ReadonlyArray<{ sourceFolder: string; uidValidity: number; uid: number; reason: string }>;
  /** Their per-folder figures, when the worker sent them. */
  summaries?: ReadonlyArray<FolderSummary>;
}

export class StateStore {
  private readonly db: Database.Database;
  private readonly surveyFinders = new Map<string, Database.Statement>();
  private surveyDelete: Database.Statement | undefined;
  private readonly markStatements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = openStateFile(file, SCHEMA);
    addBodyHashColumn(this.db);
    addSyncedFlagsColumn(this.db);
  }

  static open(stateDir: string): StateStore {
    ensureOwnerOnlyDir(stateDir);
    return new StateStore(join(stateDir, 'mailmover.sqlite'));
  }

  /** The SQLite file, for modules that keep their own tables beside the engine's. */
  get file(): string {
    return this.db.name;
  }

  close(): void {
    this.db.close();
  }

  getCheckpoint(account: string, sourceFolder: string): FolderCheckpoint | undefined {
    const row = this.db
      .prepare(`SELECT * FROM folders WHERE account = ? AND source_folder = ?`)
      .get(account, sourceFolder) as Record<string, unknown> | undefined;
    return row ? checkpointOf(account, row) : undefined;
  }

  /** Messages of an account with a recorded outcome, over all folders. */
  settledCount(account: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE account = ?`).get(account) as { n: number }).n;
  }

  /** Messages of an account recorded as on the target (copied there, or found there), over all folders. */
  placedCount(account: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE account = ? AND outcome IN ('copied','present')`).get(account) as { n: number }).n;
  }

  /**
   * The folder layout (mode, unified folder) the account's runs copy in (folder-layout.ts);
   * undefined for an account no run of this version started, as in a file an older version wrote.
   */
  recordedLayout(account: string): FolderLayout | undefined {
    const row = this.db.prepare(`SELECT layout FROM account_layouts WHERE account = ?`).get(account) as { layout: string } | undefined;
    if (!row) return undefined;
    try {
      const parsed = FolderLayoutSchema.safeParse(JSON.parse(row.layout));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  recordLayout(account: string, layout: FolderLayout): void {
    this.db
      .prepare(
        `INSERT INTO account_layouts (account, layout, recorded_at) VALUES (?, ?, datetime('now'))
         ON CONFLICT (account) DO UPDATE SET layout = excluded.layout, recorded_at = excluded.recorded_at`,
      )
      .run(account, JSON.stringify(layout));
  }

  /** Every folder checkpoint of an account. */
  checkpoints(account: string): FolderCheckpoint[] {
    const rows = this.db.prepare(`SELECT * FROM folders WHERE account = ?`).all(account) as Array<Record<string, unknown>>;
    return rows.map((row) => checkpointOf(account, row));
  }

  /** Up to `limit` messages of a folder that are on the target, with their fingerprints. */
  sampleCopied(account: string, sourceFolder: string, uidValidity: number, limit: number): Array<{ uid: number; fingerprint: string }> {
    return this.db
      .prepare(
        `SELECT uid, fingerprint FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome IN ('copied','present')
         ORDER BY uid LIMIT ?`,
      )
      .all(account, sourceFolder, uidValidity, limit) as Array<{ uid: number; fingerprint: string }>;
  }

  /** The highest source UID the folder (this UIDVALIDITY) has a row for, any outcome; 0 with none. */
  highestRecordedUid(account: string, sourceFolder: string, uidValidity: number): number {
    const row = this.db
      .prepare(`SELECT MAX(uid) AS uid FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ?`)
      .get(account, sourceFolder, uidValidity) as { uid: number | null } | undefined;
    return row?.uid ?? 0;
  }

  /** Which of `fingerprints` a row of the folder (this UIDVALIDITY, any outcome) holds. */
  recordedFingerprints(account: string, sourceFolder: string, uidValidity: number, fingerprints: readonly string[]): Set<string> {
    const wanted = [...new Set(fingerprints.filter((f) => f !== ''))];
    if (wanted.length === 0) return new Set();
    const rows = this.db
      .prepare(
        `SELECT DISTINCT fingerprint FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND fingerprint IN (${wanted.map(() => '?').join(',')})`,
      )
      .all(account, sourceFolder, uidValidity, ...wanted) as Array<{ fingerprint: string }>;
    return new Set(rows.map((r) => r.fingerprint));
  }

  /**
   * Moves a source folder's checkpoint and message rows to its new name (the folder was
   * renamed on the source), pointing them at `targetFolder`.
   */
  renameSourceFolder(account: string, from: string, to: string, targetFolder: string): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM folders WHERE account = ? AND source_folder = ?`).run(account, to);
      this.db.prepare(`DELETE FROM messages WHERE account = ? AND source_folder = ?`).run(account, to);
      this.db.prepare(`UPDATE folders SET source_folder = ?, target_folder = ? WHERE account = ? AND source_folder = ?`).run(to, targetFolder, account, from);
      this.db.prepare(`UPDATE messages SET source_folder = ? WHERE account = ? AND source_folder = ?`).run(to, account, from);
      this.db.prepare(`DELETE FROM append_marks WHERE account = ? AND source_folder = ?`).run(account, to);
      this.db.prepare(`UPDATE append_marks SET source_folder = ? WHERE account = ? AND source_folder = ?`).run(to, account, from);
      this.db.prepare(`DELETE FROM folder_map WHERE account = ? AND source_folder = ?`).run(account, from);
      // The next flag pass over either name reads every copy's flags again (flag-sync.ts).
      this.db.prepare(`DELETE FROM flag_sync WHERE account = ? AND source_folder IN (?, ?)`).run(account, from, to);
    })();
  }

  /** After a target folder was renamed: checkpoints that pointed into it point at the new path. */
  retargetTree(account: string, from: string, to: string, delimiter: string): void {
    const rows = this.db.prepare(`SELECT source_folder, target_folder FROM folders WHERE account = ?`).all(account) as Array<{ source_folder: string; target_folder: string }>;
    const update = this.db.prepare(`UPDATE folders SET target_folder = ? WHERE account = ? AND source_folder = ?`);
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.target_folder === from) update.run(to, account, r.source_folder);
        else if (r.target_folder.startsWith(from + delimiter)) update.run(to + r.target_folder.slice(from.length), account, r.source_folder);
      }
    })();
  }

  putCheckpoint(cp: FolderCheckpoint): void {
    this.db
      .prepare(
        `INSERT INTO folders (account, source_folder, target_folder, uid_validity, last_uid, filter_key, target_uid_validity, target_uid_next, copied, skipped, already_present, updated_at)
         VALUES (@account, @sourceFolder, @targetFolder, @uidValidity, @lastUid, @filterKey, @targetUidValidity, @targetUidNext, @copied, @skipped, @alreadyPresent, datetime('now'))
         ON CONFLICT (account, source_folder) DO UPDATE SET
           target_folder = excluded.target_folder, uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, filter_key = excluded.filter_key,
           target_uid_validity = excluded.target_uid_validity, target_uid_next = excluded.target_uid_next,
           copied = excluded.copied, skipped = excluded.skipped, already_present = excluded.already_present,
           updated_at = excluded.updated_at`,
      )
      .run(cp);
  }

  /** Records confirmed outcomes in one transaction (one fsync per batch, not per message). */
  recordMessages(account: string, sourceFolder: string, uidValidity: number, records: MessageRecord[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO messages (account, source_folder, uid_validity, uid, fingerprint, outcome, target_uid, size, reason, body_hash, synced_flags)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of records) {
        const synced = r.syncedFlags ? serializeSyncedFlags(r.syncedFlags) : null;
        insert.run(account, sourceFolder, uidValidity, r.uid, r.fingerprint, r.outcome, r.targetUid, r.size, r.reason ?? null, r.bodyHash ?? null, synced);
      }
    })();
  }

  /**
   * The messages of a folder (this UIDVALIDITY) that are on the target at a known UID, copied
   * or found there, what a flag pass looks at (flag-sync.ts): in source UID order, `limit` at a
   * time, those above `afterUid`. A large folder's rows are read in such windows, not all at once.
   */
  copiesAfter(account: string, sourceFolder: string, uidValidity: number, afterUid: number, limit: number): SyncedCopy[] {
    return this.db
      .prepare(
        `SELECT uid, target_uid AS targetUid, fingerprint, synced_flags AS syncedFlags FROM messages
         WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome IN ('copied','present') AND target_uid IS NOT NULL AND uid > ?
         ORDER BY uid LIMIT ?`,
      )
      .all(account, sourceFolder, uidValidity, afterUid, limit) as SyncedCopy[];
  }

  /** The lowest and highest source UID of the folder's copies on the target; undefined when it has none. */
  copiesSpan(account: string, sourceFolder: string, uidValidity: number): { first: number; last: number } | undefined {
    // One end at a time, in the primary key's order: each stops at its first row that is a copy.
    const end = (order: 'ASC' | 'DESC') =>
      this.db
        .prepare(
          `SELECT uid FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome IN ('copied','present') AND target_uid IS NOT NULL
           ORDER BY uid ${order} LIMIT 1`,
        )
        .get(account, sourceFolder, uidValidity) as { uid: number } | undefined;
    const first = end('ASC');
    const last = end('DESC');
    return first && last ? { first: first.uid, last: last.uid } : undefined;
  }

  /** The folder's copies on the target among these source UIDs (those that have one). */
  copiesWithUids(account: string, sourceFolder: string, uidValidity: number, uids: readonly number[]): SyncedCopy[] {
    const out: SyncedCopy[] = [];
    // SQLite's limit of bound parameters (999 in older builds) caps one statement's list.
    for (let i = 0; i < uids.length; i += 500) {
      const part = uids.slice(i, i + 500);
      out.push(
        ...(this.db
          .prepare(
            `SELECT uid, target_uid AS targetUid, fingerprint, synced_flags AS syncedFlags FROM messages
             WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome IN ('copied','present') AND target_uid IS NOT NULL
             AND uid IN (${part.map(() => '?').join(',')})`,
          )
          .all(account, sourceFolder, uidValidity, ...part) as SyncedCopy[]),
      );
    }
    return out;
  }

  /** Whether some copy of the folder on the target has no synced flags yet (a flag pass takes its baseline). */
  hasUnsyncedCopies(account: string, sourceFolder: string, uidValidity: number): boolean {
    return (
      this.db
        .prepare(
          `SELECT 1 FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome IN ('copied','present') AND target_uid IS NOT NULL AND synced_flags IS NULL LIMIT 1`,
        )
        .get(account, sourceFolder, uidValidity) !== undefined
    );
  }

  /**
   * The source folder's HIGHESTMODSEQ (CONDSTORE, RFC 7162) when the last complete flag pass
   * over it read its flags: a later one asks only for the messages changed since (flag-sync.ts).
   */
  flagSyncModseq(account: string, sourceFolder: string, uidValidity: number): bigint | undefined {
    const row = this.db
      .prepare(`SELECT highest_modseq FROM flag_sync WHERE account = ? AND source_folder = ? AND uid_validity = ?`)
      .get(account, sourceFolder, uidValidity) as { highest_modseq: string } | undefined;
    return row && /^\d+$/.test(row.highest_modseq) ? BigInt(row.highest_modseq) : undefined;
  }

  /** Sets (or, with null, forgets) what flagSyncModseq returns; a folder keeps one, of its current UIDVALIDITY. */
  putFlagSyncModseq(account: string, sourceFolder: string, uidValidity: number, modseq: bigint | null): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM flag_sync WHERE account = ? AND source_folder = ?`).run(account, sourceFolder);
      if (modseq !== null) {
        this.db.prepare(`INSERT INTO flag_sync (account, source_folder, uid_validity, highest_modseq) VALUES (?, ?, ?, ?)`).run(account, sourceFolder, uidValidity, modseq.toString());
      }
    })();
  }

  /** Records the flags last carried to (or found as the baseline of) these copies, in one transaction. */
  recordSyncedFlags(account: string, sourceFolder: string, uidValidity: number, entries: ReadonlyArray<{ uid: number; flags: readonly string[] }>): void {
    if (entries.length === 0) return;
    const update = this.db.prepare(`UPDATE messages SET synced_flags = ? WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid = ?`);
    this.db.transaction(() => {
      for (const e of entries) update.run(serializeSyncedFlags(e.flags), account, sourceFolder, uidValidity, e.uid);
    })();
  }

  /** Source UIDs above the checkpoint that a previous (interrupted) run already settled. */
  settledAbove(account: string, sourceFolder: string, uidValidity: number, lastUid: number): Map<number, MessageRecord> {
    const rows = this.db
      .prepare(
        `SELECT uid, fingerprint, outcome, target_uid, size, reason FROM messages
         WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid > ?`,
      )
      .all(account, sourceFolder, uidValidity, lastUid) as Array<Record<string, unknown>>;
    const out = new Map<number, MessageRecord>();
    for (const r of rows) out.set(r.uid as number, recordOf(r));
    return out;
  }

  /** Source UIDs in [fromUid, toUid] that a previous (interrupted) run already settled: one planning window's share of settledAbove. */
  settledBetween(account: string, sourceFolder: string, uidValidity: number, fromUid: number, toUid: number): Map<number, MessageRecord> {
    const rows = this.db
      .prepare(
        `SELECT uid, fingerprint, outcome, target_uid, size, reason FROM messages
         WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid >= ? AND uid <= ?`,
      )
      .all(account, sourceFolder, uidValidity, fromUid, Number.isFinite(toUid) ? toUid : Number.MAX_SAFE_INTEGER) as Array<Record<string, unknown>>;
    const out = new Map<number, MessageRecord>();
    for (const r of rows) out.set(r.uid as number, recordOf(r));
    return out;
  }

  /**
   * The target survey of a source folder's pass (target-survey.ts): the target messages no
   * row accounts for, kept here instead of in memory so a big target folder costs disk, not
   * RAM. Cleared when a survey starts and when the folder's last window is planned.
   */
  clearSurvey(account: string, sourceFolder: string): void {
    this.db.prepare(`DELETE FROM target_survey WHERE account = ? AND source_folder = ?`).run(account, sourceFolder);
  }

  addToSurvey(account: string, sourceFolder: string, entries: ReadonlyArray<{ uid: number; fingerprint: string; exactFingerprint: string }>): void {
    const insert = this.db.prepare(`INSERT OR REPLACE INTO target_survey (account, source_folder, target_uid, fingerprint, exact) VALUES (?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const e of entries) insert.run(account, sourceFolder, e.uid, e.fingerprint, e.exactFingerprint);
    })();
  }

  /**
   * Takes out of the survey the target UIDs our rows name (at or above `fromTargetUid`).
   * Returns how many entries are left. Our copies without a known target UID are taken out
   * after, by ourUnplacedCopies (unplaced-copies.ts) and takeSurveyUid.
   */
  dropRecordedFromSurvey(account: string, sourceFolder: string, fromTargetUid: number): number {
    this.db
      .prepare(
        `DELETE FROM target_survey WHERE account = ? AND source_folder = ? AND target_uid IN (
           SELECT target_uid FROM messages WHERE account = ? AND source_folder = ? AND outcome IN ('copied','present') AND target_uid >= ?)`,
      )
      .run(account, sourceFolder, account, sourceFolder, fromTargetUid);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM target_survey WHERE account = ? AND source_folder = ?`).get(account, sourceFolder) as { n: number }).n;
  }

  /**
   * The messages of a source folder (this UIDVALIDITY) that we copied to a target which did
   * not say where it stored them (no UIDPLUS, RFC 4315): their copies are somewhere in the
   * target folder, and only their fingerprints (and, without a Message-ID, their body hashes)
   * can keep an identical source message from being taken for one of them.
   */
  unplacedCopies(account: string, sourceFolder: string, uidValidity: number): UnplacedCopy[] {
    return this.db
      .prepare(
        `SELECT fingerprint, size, body_hash AS bodyHash FROM messages
         WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome = 'copied' AND target_uid IS NULL`,
      )
      .all(account, sourceFolder, uidValidity) as UnplacedCopy[];
  }

  /**
   * Takes the lowest surveyed target UID with this fingerprint out of the survey. `by`:
   * 'exact' (header bytes as they are) or 'loose' (8-bit bytes as 'X'); `withoutEightBit`
   * restricts a loose take to target copies whose headers hold no 8-bit byte (exact form
   * equal to the loose one).
   */
  takeFromSurvey(account: string, sourceFolder: string, by: 'exact' | 'loose', fp: string, withoutEightBit = false): number | undefined {
    // Called once or twice per planned message while a survey is not empty: statements prepared once.
    const key = `${by}${withoutEightBit ? '-7bit' : ''}`;
    let find = this.surveyFinders.get(key);
    if (!find) {
      const column = by === 'exact' ? 'exact' : 'fingerprint';
      find = this.db.prepare(
        `SELECT target_uid FROM target_survey WHERE account = ? AND source_folder = ? AND ${column} = ?${withoutEightBit ? ' AND exact = fingerprint' : ''}
         ORDER BY target_uid LIMIT 1`,
      );
      this.surveyFinders.set(key, find);
    }
    const row = find.get(account, sourceFolder, fp) as { target_uid: number } | undefined;
    if (!row) return undefined;
    this.surveyDelete ??= this.db.prepare(`DELETE FROM target_survey WHERE account = ? AND source_folder = ? AND target_uid = ?`);
    this.surveyDelete.run(account, sourceFolder, row.target_uid);
    return row.target_uid;
  }

  /**
   * The surveyed target UIDs with this fingerprint, lowest first, without taking them
   * (content-match.ts confirms a match lacking a Message-ID by body hash first).
   */
  surveyCandidates(account: string, sourceFolder: string, by: 'exact' | 'loose', fp: string, withoutEightBit = false): number[] {
    const column = by === 'exact' ? 'exact' : 'fingerprint';
    const rows = this.db
      .prepare(
        `SELECT target_uid FROM target_survey WHERE account = ? AND source_folder = ? AND ${column} = ?${withoutEightBit ? ' AND exact = fingerprint' : ''} ORDER BY target_uid`,
      )
      .all(account, sourceFolder, fp) as Array<{ target_uid: number }>;
    return rows.map((r) => r.target_uid);
  }

  /** Takes this target UID out of the survey; whether it was still there. */
  takeSurveyUid(account: string, sourceFolder: string, targetUid: number): boolean {
    this.surveyDelete ??= this.db.prepare(`DELETE FROM target_survey WHERE account = ? AND source_folder = ? AND target_uid = ?`);
    return this.surveyDelete.run(account, sourceFolder, targetUid).changes > 0;
  }

  /** Target UIDs already matched to a source message of this folder (copied there, or found present). */
  targetUidsRecorded(account: string, sourceFolder: string, fromTargetUid: number): Set<number> {
    const rows = this.db
      .prepare(
        `SELECT target_uid FROM messages WHERE account = ? AND source_folder = ? AND outcome IN ('copied','present') AND target_uid >= ?`,
      )
      .all(account, sourceFolder, fromTargetUid) as Array<{ target_uid: number }>;
    return new Set(rows.map((r) => r.target_uid));
  }

  /** How many messages of a folder (this UIDVALIDITY) ended in each outcome, over all runs. */
  outcomeCounts(account: string, sourceFolder: string, uidValidity: number): Record<MessageOutcome, number> {
    const rows = this.db
      .prepare(
        `SELECT outcome, COUNT(*) AS n FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? GROUP BY outcome`,
      )
      .all(account, sourceFolder, uidValidity) as Array<{ outcome: MessageOutcome; n: number }>;
    const out: Record<MessageOutcome, number> = { copied: 0, present: 0, skipped: 0 };
    for (const r of rows) out[r.outcome] = r.n;
    return out;
  }

  /**
   * Forgets the skips of a folder that `isFinal` does not accept as final, so they are
   * planned again, and moves the folder's checkpoint below the lowest of them in the same
   * transaction: a pass that fails before its first checkpoint write must still find them.
   * Returns that lowest source UID, or null.
   */
  reopenSkips(account: string, sourceFolder: string, uidValidity: number, isFinal: (reason: string | null, uid: number) => boolean): number | null {
    const rows = this.db
      .prepare(`SELECT uid, reason FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome = 'skipped'`)
      .all(account, sourceFolder, uidValidity) as Array<{ uid: number; reason: string | null }>;
    const reopen = rows.filter((r) => !isFinal(r.reason, r.uid)).map((r) => r.uid);
    if (reopen.length === 0) return null;
    const lowest = Math.min(...reopen);
    const del = this.db.prepare(`DELETE FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid = ?`);
    this.db.transaction(() => {
      for (const uid of reopen) del.run(account, sourceFolder, uidValidity, uid);
      this.db
        .prepare(`UPDATE folders SET last_uid = MIN(last_uid, ?) WHERE account = ? AND source_folder = ? AND uid_validity = ?`)
        .run(lowest - 1, account, sourceFolder, uidValidity);
    })();
    return lowest;
  }

  /** UIDs of a folder's skipped rows whose reason starts with `reasonPrefix`, ascending. */
  skippedWithReason(account: string, sourceFolder: string, uidValidity: number, reasonPrefix: string): number[] {
    const rows = this.db
      .prepare(`SELECT uid, reason FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND outcome = 'skipped' ORDER BY uid`)
      .all(account, sourceFolder, uidValidity) as Array<{ uid: number; reason: string | null }>;
    return rows.filter((r) => (r.reason ?? '').startsWith(reasonPrefix)).map((r) => r.uid);
  }

  /**
   * Messages of the account's other source folders that are on the target at a known UID and
   * have one of these fingerprints: where a message that looks new in `exceptFolder` may have
   * been moved from (moved-copies.ts).
   */
  placedElsewhere(account: string, exceptFolder: string, fingerprints: readonly string[]): PlacedRow[] {
    if (fingerprints.length === 0) return [];
    const find = this.db.prepare(
      // Named: without statistics the planner took the primary key (a scan of the account's rows
      // for `source_folder != ?`), about 9 ms per look-up on 100,000 rows instead of microseconds.
      `SELECT source_folder AS sourceFolder, uid_validity AS uidValidity, uid, fingerprint, target_uid AS targetUid, synced_flags AS syncedFlags
       FROM messages INDEXED BY messages_placed_by_fingerprint
       WHERE account = ? AND fingerprint = ? AND outcome IN ('copied','present') AND target_uid IS NOT NULL AND source_folder != ?
       ORDER BY source_folder, uid`,
    );
    return [...new Set(fingerprints)].flatMap((fp) => find.all(account, fp, exceptFolder) as PlacedRow[]);
  }

  /**
   * The row of a copy moved on the target to follow its message's move on the source: the old
   * folder's row goes, the new folder's is written (as found on the target, with the flags the
   * old row had carried), in one transaction.
   */
  moveRow(account: string, from: Pick<PlacedRow, 'sourceFolder' | 'uidValidity' | 'uid'>, to: { sourceFolder: string; uidValidity: number; record: MessageRecord }): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid = ?`).run(account, from.sourceFolder, from.uidValidity, from.uid);
      this.recordMessages(account, to.sourceFolder, to.uidValidity, [to.record]);
    })();
  }

  /** Forgets the rows of these UIDs (POP3: messages the maildrop no longer lists). */
  forgetMessages(account: string, sourceFolder: string, uidValidity: number, uids: readonly number[]): void {
    if (uids.length === 0) return;
    const del = this.db.prepare(`DELETE FROM messages WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid = ?`);
    this.db.transaction(() => {
      for (const uid of uids) del.run(account, sourceFolder, uidValidity, uid);
    })();
  }

  /** Forget per-message rows of an old UIDVALIDITY: those UIDs mean nothing any more. */
  dropMessagesOfOtherValidity(account: string, sourceFolder: string, uidValidity: number): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM messages WHERE account = ? AND source_folder = ? AND uid_validity != ?`).run(account, sourceFolder, uidValidity);
      this.db.prepare(`DELETE FROM append_marks WHERE account = ? AND source_folder = ? AND uid_validity != ?`).run(account, sourceFolder, uidValidity);
    })();
  }

  /**
   * Marks messages as sent to the target with no answer yet (written before their APPEND
   * goes out, with the command's size, taken off when it is answered): a mark left behind is
   * an APPEND whose answer was lost with its connection or its process, which the server may
   * still store later (late-appends.ts).
   */
  markAppending(account: string, sourceFolder: string, uidValidity: number, uids: readonly number[], sending: boolean, commandBytes = 0): void {
    if (uids.length === 0) return;
    const key = sending ? 'mark' : 'unmark';
    let st = this.markStatements.get(key);
    if (!st) {
      // One statement per APPEND command, its UIDs as one JSON array, rather than one per message:
      // this runs twice for every command of a migration (5,000 messages in commands of 34: 12 ms
      // against 22-26 ms with a statement per message).
      st = this.db.prepare(
        sending
          ? `INSERT OR REPLACE INTO append_marks (account, source_folder, uid_validity, uid, marked_at, command_bytes)
             SELECT ?, ?, ?, value, ?, ? FROM json_each(?)`
          : `DELETE FROM append_marks WHERE account = ? AND source_folder = ? AND uid_validity = ? AND uid IN (SELECT value FROM json_each(?))`,
      );
      this.markStatements.set(key, st);
    }
    const list = JSON.stringify(uids);
    if (sending) st.run(account, sourceFolder, uidValidity, Date.now(), commandBytes, list);
    else st.run(account, sourceFolder, uidValidity, list);
  }

  /**
   * The source UIDs of a folder whose APPEND an earlier attempt or run sent without hearing
   * the answer (markAppending), each with when its command went out and how big it was.
   */
  unansweredAppends(account: string, sourceFolder: string, uidValidity: number): Map<number, { markedAt: number; commandBytes: number }> {
    const rows = this.db
      .prepare(`SELECT uid, marked_at, command_bytes FROM append_marks WHERE account = ? AND source_folder = ? AND uid_validity = ?`)
      .all(account, sourceFolder, uidValidity) as Array<{ uid: number; marked_at: number; command_bytes: number }>;
    return new Map(rows.map((r) => [r.uid, { markedAt: r.marked_at, commandBytes: r.command_bytes }]));
  }

  /** Forgets a folder's marks once its pass settled every message (a mark left is of a message no longer copied). */
  clearAppendMarks(account: string, sourceFolder: string): void {
    this.db.prepare(`DELETE FROM append_marks WHERE account = ? AND source_folder = ?`).run(account, sourceFolder);
  }

  skipped(account: string): SkippedRecord[] {
    return this.skippedUnder(account, 'folders');
  }

  /** The skipped rows whose UIDVALIDITY is that of the folder's entry in `folderTable` (older ones mean nothing). */
  private skippedUnder(account: string, folderTable: 'folders' | 'reported_folders'): SkippedRecord[] {
    const rows = this.db
      .prepare(
        `SELECT m.source_folder, m.uid, m.reason FROM messages m
         JOIN ${folderTable} f ON f.account = m.account AND f.source_folder = m.source_folder AND f.uid_validity = m.uid_validity
         WHERE m.account = ? AND m.outcome = 'skipped' ORDER BY m.source_folder, m.uid`,
      )
      .all(account) as Array<{ source_folder: string; uid: number; reason: string | null }>;
    return rows.map((r) => ({ sourceFolder: r.source_folder, uid: r.uid, reason: r.reason ?? '' }));
  }

  /** Per source folder of an account: its checkpoint and how many messages were copied, found present or skipped. */
  folderSummaries(account: string): FolderSummary[] {
    const rows = this.db
      .prepare(
        `SELECT f.source_folder AS source, f.target_folder AS target, f.last_uid AS lastUid, f.updated_at AS updatedAt,
                (SELECT COUNT(*) FROM messages m WHERE m.account = f.account AND m.source_folder = f.source_folder AND m.uid_validity = f.uid_validity AND m.outcome = 'copied') AS copied,
                (SELECT COUNT(*) FROM messages m WHERE m.account = f.account AND m.source_folder = f.source_folder AND m.uid_validity = f.uid_validity AND m.outcome = 'present') AS alreadyPresent,
                (SELECT COUNT(*) FROM messages m WHERE m.account = f.account AND m.source_folder = f.source_folder AND m.uid_validity = f.uid_validity AND m.outcome = 'skipped') AS skipped
         FROM folders f WHERE f.account = ? ORDER BY f.source_folder`,
      )
      .all(account) as Array<Omit<FolderSummary, 'updatedAt'> & { updatedAt: string | null | undefined }>;
    return rows.map((r) => ({ ...r, updatedAt: r.updatedAt ?? null }));
  }

  /** The account's recorded folder map: source folder -> target folder as the engine named it. */
  folderMap(account: string): Array<{ source: string; target: string }> {
    return this.db
      .prepare(`SELECT source_folder AS source, target_folder AS target FROM folder_map WHERE account = ? ORDER BY source_folder`)
      .all(account) as Array<{ source: string; target: string }>;
  }

  /**
   * Keeps a queue worker's report of an account (a coordinator's store), in one transaction:
   * for each folder the worker has a checkpoint for, its skips replace the ones kept here, so
   * the verify lists them instead of calling them missing and one a later pass copied goes;
   * and its figures replace the reported ones (reportedFolders). Rows of other outcomes are
   * kept (a skip never overwrites a copy recorded here), and so are folders the report does
   * not name (a worker that failed before reaching them knows nothing new of them).
   */
  keepWorkerReport(account: string, report: WorkerReport): void {
    const dropSkips = this.db.prepare(`DELETE FROM messages WHERE account = ? AND source_folder = ? AND outcome = 'skipped'`);
    const insertSkip = this.db.prepare(
      `INSERT OR IGNORE INTO messages (account, source_folder, uid_validity, uid, fingerprint, outcome, target_uid, size, reason)
       VALUES (?, ?, ?, ?, '', 'skipped', NULL, 0, ?)`,
    );
    const putFolder = this.db.prepare(
      `INSERT INTO reported_folders (account, source_folder, target_folder, uid_validity, last_uid, copied, already_present, skipped, updated_at, reported_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))
       ON CONFLICT (account, source_folder) DO UPDATE SET
         target_folder = excluded.target_folder, uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
         copied = excluded.copied, already_present = excluded.already_present, skipped = excluded.skipped,
         updated_at = excluded.updated_at, reported_at = excluded.reported_at`,
    );
    const validity = new Map(report.folders.map((f) => [f.folder, f.uidValidity]));
    this.db.transaction(() => {
      for (const f of report.folders) dropSkips.run(account, f.folder);
      for (const s of report.skips) insertSkip.run(account, s.sourceFolder, s.uidValidity, s.uid, s.reason);
      for (const f of report.summaries ?? []) {
        const uidValidity = validity.get(f.source);
        if (uidValidity !== undefined) putFolder.run(account, f.source, f.target, uidValidity, f.lastUid, f.copied, f.alreadyPresent, f.skipped, f.updatedAt);
      }
    })();
  }

  /** The folders of an account as queue workers reported them (keepWorkerReport). */
  reportedFolders(account: string): ReportedFolder[] {
    return this.db
      .prepare(
        `SELECT source_folder AS source, target_folder AS target, last_uid AS lastUid, copied, already_present AS alreadyPresent, skipped,
                updated_at AS updatedAt, reported_at AS reportedAt
         FROM reported_folders WHERE account = ? ORDER BY source_folder`,
      )
      .all(account) as ReportedFolder[];
  }

  /** The skips of the reported folders, as skipped() lists those of this store's checkpoints. */
  reportedSkipped(account: string): SkippedRecord[] {
    return this.skippedUnder(account, 'reported_folders');
  }

  recordFolderMap(account: string, sourceFolder: string, targetFolder: string, sanitized: string | null): void {
    this.db
      .prepare(
        `INSERT INTO folder_map (account, source_folder, target_folder, sanitized) VALUES (?, ?, ?, ?)
         ON CONFLICT (account, source_folder) DO UPDATE SET target_folder = excluded.target_folder, sanitized = excluded.sanitized`,
      )
      .run(account, sourceFolder, targetFolder, sanitized);
  }
}

/** A state file written before body hashes were kept gets their column (empty: such copies are found by fingerprint, as then). */
export function addBodyHashColumn(db: Database.Database): void {
  addMessagesColumn(db, 'body_hash');
}

/** A state file written before synced flags were kept gets their column (empty: the next flag pass takes the source's flags as the baseline). */
export function addSyncedFlagsColumn(db: Database.Database): void {
  addMessagesColumn(db, 'synced_flags');
}

function addMessagesColumn(db: Database.Database, column: 'body_hash' | 'synced_flags'): void {
  const has = () => (db.prepare(`PRAGMA table_info(messages)`).all() as Array<{ name: string }>).some((c) => c.name === column);
  if (has()) return;
  // Two processes of the new build may open one old file at once (the bridge and a cron run
  // after an upgrade): the one that checks after the other altered it must not fail its start.
  db.transaction(() => {
    if (!has()) db.exec(`ALTER TABLE messages ADD COLUMN ${column} TEXT`);
  }).immediate();
}

function recordOf(r: Record<string, unknown>): MessageRecord {
  return {
    uid: r.uid as number,
    fingerprint: r.fingerprint as string,
    outcome: r.outcome as MessageOutcome,
    targetUid: (r.target_uid as number | null) ?? null,
    size: r.size as number,
    reason: (r.reason as string | null) ?? null,
  };
}

function checkpointOf(account: string, row: Record<string, unknown>): FolderCheckpoint {
  return {
    account,
    sourceFolder: row.source_folder as string,
    targetFolder: row.target_folder as string,
    uidValidity: row.uid_validity as number,
    lastUid: row.last_uid as number,
    filterKey: row.filter_key as string,
    targetUidValidity: (row.target_uid_validity as number | null) ?? null,
    targetUidNext: (row.target_uid_next as number | null) ?? null,
    copied: row.copied as number,
    skipped: row.skipped as number,
    alreadyPresent: row.already_present as number,
  };
}
