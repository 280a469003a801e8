import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { mailboxPairText } from '../../shared/csv/same-mailbox';
import { pairLockKeys } from './pair-lock-keys';
import { openDatabase } from './sqlite-native';

/**
 * One migration per mailbox pair at a time across every mailmover process of this user on this
 * machine: a CLI run (a cron job whose last run is still going, a second terminal), a CLI batch
 * beside the bridge, two queue workers. Two runs of one pair at once both survey the target before
 * either APPENDs, and every new message arrives twice. Within one bridge the scheduler already
 * runs one pass per pair (bridge/service/mailbox-pair.ts, the same key text: mailboxPairText).
 * Beside the pair as named, a run locks the pair at its servers' resolved addresses
 * (pair-lock-keys.ts): two runs naming one server two ways (`localhost`, `127.0.0.1`) meet there.
 *
 * The lock is the operating system's: an exclusive SQLite transaction (`BEGIN EXCLUSIVE`, no
 * write) on an empty file per pair, which SQLite holds with fcntl() record locks (LockFileEx on
 * Windows). The kernel drops it when the process ends however it ends (kill -9, a crash, a
 * reboot), so a lock is never stale: no heartbeat to miss during a long synchronous stretch or a
 * laptop's sleep, no guessing from a pid that may have been reused. SQLite also keeps two
 * connections of one process apart (a batch with one pair on two rows). The lock files are never
 * deleted: deleting one while a process waits to open it would let two processes lock two files
 * of one name.
 *
 * Beside it, `<name>.json` says who holds it (pid, since when, the pair; no password), written by
 * the holder right after locking and removed before unlocking. It is only read to word the
 * refusal: a record that does not parse, or whose process is gone (left by a holder killed with
 * -9, before the new holder wrote its own), names no holder. It never decides who holds the lock.
 */

/** One side of the pair as the key takes it: no password. */
export const PairSideSchema = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535), user: z.string().min(1) });
export type PairSide = z.infer<typeof PairSideSchema>;

/** What the holder writes to `<name>.json` (read back with this schema). */
export const PairLockRecordSchema = z.object({
  pid: z.number().int().positive(),
  since: z.string().datetime({ offset: true }),
  source: PairSideSchema,
  target: PairSideSchema,
});
export type PairLockRecord = z.infer<typeof PairLockRecordSchema>;

export interface PairLock {
  /** The locked file. */
  readonly file: string;
  /** Unlocks (idempotent); the record goes first, while the lock still keeps others from writing theirs. */
  release(): void;
}

export type PairLockAttempt = { ok: true; lock: PairLock } | { ok: false; file: string; holder: PairLockRecord | null };

/** The lock directory could not be used safely (owned by another user, a link, open to others). */
export class PairLockDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PairLockDirError';
  }
}

/**
 * Where the locks live: one place for every mailmover process of the user, whatever its --state-dir
 * or MAILMOVER_HOME. On Linux and macOS `/tmp/mailmover-locks-<uid>`, not os.tmpdir(): $TMPDIR
 * differs between a terminal, cron and a launchd agent (macOS sets a per-session one; Debian's
 * pam_tmpdir one per login), and the runtime dir ($XDG_RUNTIME_DIR) is unset under cron and
 * removed at logout while a cron job may still run. On Windows the user's %TEMP% (os.tmpdir()),
 * which is the same for the logon task and the consoles. The lock is per user: the directory is
 * the user's own (0700), as the state dirs are.
 */
export function pairLockDir(platform: NodeJS.Platform = process.platform, uid: number | undefined = process.getuid?.()): string {
  if (platform === 'win32' || uid === undefined) return join(tmpdir(), 'mailmover-locks');
  return `/tmp/mailmover-locks-${uid}`;
}

/** Creates the lock directory, or checks the one there is this user's own directory, not a link, closed to others. */
function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (process.platform === 'win32') return;
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new PairLockDirError(
      `The lock directory ${dir} is not a directory of this user's own that only this user may write (owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): remove it, and mailmover creates it again.`,
    );
  }
}

/** The file name of a pair's lock as named: a hash of the key text (no login in a name under /tmp). */
export function pairLockName(source: PairSide, target: PairSide): string {
  return lockNameOf(mailboxPairText(source, target));
}

/** The file name of one key text of a pair (pair-lock-keys.ts). */
export const lockNameOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 32);

/** How often a held lock file's times are renewed (well inside any temp cleaner's age). */
const TOUCH_EVERY_MS = 6 * 3600_000;

const sqliteCode = (err: unknown): string => String((err as { code?: unknown })?.code ?? '');

/**
 * Locks the pair, or says who holds it. Never waits: a run that finds its pair locked fails at
 * once (ALREADY_RUNNING) and is run again later.
 *
 * A pair is several files: the pair as named and the pair at its servers' addresses
 * (pair-lock-keys.ts), so that two names of one server meet. All are try-locks, taken in the order
 * of their file names, which every process uses: of two runs with files in common, the one that
 * gets the first common file first gets them all (the other holds only files the first does not
 * need, and lets them go), so two runs never refuse each other and nothing ever waits. The lock is
 * held when every file is; on a refusal, or an error, the files taken so far are let go at once.
 */
export async function acquirePairLock(
  source: PairSide,
  target: PairSide,
  opts: { dir?: string; now?: () => Date; keys?: (source: PairSide, target: PairSide) => Promise<string[]> } = {},
): Promise<PairLockAttempt> {
  const dir = opts.dir ?? pairLockDir();
  ensureDir(dir);
  const named = pairLockName(source, target);
  const keys = await (opts.keys ?? pairLockKeys)(source, target);
  const names = [...new Set([named, ...keys.map(lockNameOf)])].sort();
  const record: PairLockRecord = {
    pid: process.pid,
    since: (opts.now?.() ?? new Date()).toISOString(),
    source: { host: source.host, port: source.port, user: source.user },
    target: { host: target.host, port: target.port, user: target.user },
  };
  const held: HeldFile[] = [];
  const releaseAll = (): void => {
    for (const h of held.splice(0).reverse()) {
      try {
        h.release();
      } catch {
        // One file that fails to close must not keep the others locked, out of reach from here on.
      }
    }
  };
  try {
    for (const name of names) {
      const file = join(dir, `${name}.lock`);
      const one = lockOne(file, join(dir, `${name}.json`), record);
      if (!one) {
        releaseAll();
        return { ok: false, file, holder: await readHolder(join(dir, `${name}.json`)) };
      }
      held.push(one);
    }
  } catch (err) {
    releaseAll();
    throw err;
  }
  let locked = true;
  // Temp cleaners age /tmp files (systemd-tmpfiles: 10 days; macOS: 3 days unaccessed): a lock
  // file removed under a long first pass would let the next run lock a new file of its name.
  const touch = setInterval(() => {
    const now = new Date();
    for (const h of held) {
      try {
        utimesSync(h.file, now, now);
      } catch {
        // gone or unreachable: nothing better to do than to keep the lock held
      }
    }
  }, TOUCH_EVERY_MS);
  touch.unref();
  return {
    ok: true,
    lock: {
      file: join(dir, `${named}.lock`),
      release: () => {
        if (!locked) return;
        locked = false;
        clearInterval(touch);
        releaseAll();
      },
    },
  };
}

interface HeldFile {
  file: string;
  release(): void;
}

/** Locks one file and writes its record beside it, or null when another holds it. */
function lockOne(file: string, recordFile: string, record: PairLockRecord): HeldFile | null {
  const db = lockFile(file);
  if (!db) return null;
  try {
    const tmp = `${recordFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record) + '\n', { mode: 0o600 });
    renameSync(tmp, recordFile);
  } catch {
    // The record only words another run's refusal; without it that run says the pair is locked, not by whom.
  }
  return {
    file,
    // The record goes first, while the lock still keeps others from writing theirs.
    release: () => {
      try {
        rmSync(recordFile, { force: true });
      } catch {
        // Only the refusal's wording reads it; the lock itself must go whatever happens here.
      } finally {
        db.close();
      }
    },
  };
}

/** The open connection holding the exclusive lock on `file`, or null when another holds it. */
function lockFile(file: string): Database.Database | null {
  for (let attempt = 0; ; attempt++) {
    const db = openDatabase(file, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE');
      return db;
    } catch (err) {
      db.close();
      const code = sqliteCode(err);
      if (code.startsWith('SQLITE_BUSY')) return null;
      // The file is only ever empty; a stray content (not SQLite's) is dropped: the lock is not in the content.
      if ((code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) && attempt === 0) {
        truncateSync(file, 0);
        continue;
      }
      throw err;
    }
  }
}

/** Whether a process runs under `pid` (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The holder's record, or null: missing, not valid JSON of the schema, or of a process that is gone
 * (the record of a holder killed with -9, which the new holder is about to replace: read again a few
 * times first).
 */
async function readHolder(recordFile: string): Promise<PairLockRecord | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await sleep(40);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(recordFile, 'utf8'));
    } catch {
      continue;
    }
    const parsed = PairLockRecordSchema.safeParse(raw);
    if (parsed.success && processAlive(parsed.data.pid)) return parsed.data;
  }
  return null;
}
