import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/**
 * The bridge's files name mailboxes, folders and message fingerprints (and the service's
 * hold encrypted passwords): nobody but the user running it should read them. A mode given
 * to mkdir or open only applies when the path is created, and only through the umask, so a
 * directory or file that already exists (an earlier version's, a `--state-dir` the user made
 * with 0755) keeps whatever it had: these helpers set the mode every time.
 * POSIX only; on Windows the per-user data folder's ACL does this job.
 */
const POSIX = process.platform !== 'win32';

/** Creates `dir` (and missing parents) and makes `dir` itself 0700, whatever it was. */
export function ensureOwnerOnlyDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (POSIX) chmodSync(dir, 0o700);
}

/** Creates `file` empty with mode 0600 when missing (never readable by others, not even briefly), and makes it 0600 when it exists. */
export function ensureOwnerOnlyFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  if (POSIX) chmodSync(file, 0o600);
}

/** Makes an existing file 0600; a missing one is left missing. */
export function restrictIfPresent(file: string): void {
  if (POSIX && existsSync(file)) chmodSync(file, 0o600);
}
