import { readFileSync } from 'node:fs';
import { UsageError } from './endpoint-url';

const LINE_BREAK = /[\r\n]/;

/**
 * Reads a secret from an environment variable or a file, never from argv (where
 * every user of the machine could read it in the process list).
 */
export function readSecret(opts: { env?: string; file?: string }, option: string): string | undefined {
  if (opts.env && opts.file) throw new UsageError(`${option}: give either the -env or the -file option, not both`);
  if (opts.env) {
    const v = process.env[opts.env];
    if (v === undefined || v === '') throw new UsageError(`${option}-env: environment variable ${opts.env} is not set or empty`);
    if (LINE_BREAK.test(v)) throw new UsageError(`${option}-env: environment variable ${opts.env} contains a line break: set it to the secret alone (the rest would be sent as part of it, and the login would fail as if the password were wrong)`);
    return v;
  }
  if (opts.file) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(opts.file);
    } catch (err) {
      throw new UsageError(`${option}-file: cannot read ${opts.file}: ${(err as Error).message}`);
    }
    // The line end from `echo secret > file`, and blank lines an editor leaves after it, are not
    // part of the password.
    const v = decodeSecretFile(bytes, `${option}-file: ${opts.file}`).replace(/[\r\n]+$/, '');
    if (!v) throw new UsageError(`${option}-file: ${opts.file} is empty`);
    // Sent as it was, a second line made the login fail as a wrong password (IMAP) or be
    // refused as invalid settings (POP3), neither naming the file.
    if (LINE_BREAK.test(v)) {
      throw new UsageError(`${option}-file: ${opts.file} has ${v.split(/\r?\n|\r/).length} lines: put the password alone on its first line (the other lines would be sent as part of it, and the login would fail as if the password were wrong)`);
    }
    return v;
  }
  return undefined;
}

/**
 * A password file's text. Windows writes them with a byte-order mark: Notepad's "UTF-8 with
 * BOM", and Windows PowerShell 5's `echo pw > file` and Out-File write UTF-16LE. Read as UTF-8,
 * the mark (or a NUL in every other byte) became part of the password and the login failed as
 * if it were wrong, which some providers count towards locking the account.
 */
function decodeSecretFile(bytes: Buffer, what: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) {
    const body = Buffer.from(bytes.subarray(2));
    if (body.length % 2) throw new UsageError(`${what} is UTF-16 with an odd number of bytes (cut short?): save it again`);
    return (bytes[0] === 0xfe ? body.swap16() : body).toString('utf16le');
  }
  if (bytes.includes(0)) throw new UsageError(`${what} contains NUL bytes (UTF-16 without a byte-order mark?): save it as UTF-8 text`);
  return bytes.toString('utf8');
}
