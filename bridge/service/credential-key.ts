import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const KEY_FILE = 'credentials.key';

/**
 * The AES-256 key that encrypts stored passwords: 32 random bytes in a file of its
 * own, mode 0600, beside the state store. Keeping it out of the SQLite file means a
 * copied state file (a backup, a bug report) holds no readable password.
 * A key file readable by group or others is tightened back to 0600 (POSIX only;
 * on Windows the per-user data folder's ACL does that job).
 */
export function loadOrCreateKey(stateDir: string): Buffer {
  const file = join(stateDir, KEY_FILE);
  if (!existsSync(file)) {
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} is not a 32-byte key; move it away to create a new one (stored passwords are then lost)`);
  return key;
}
