import { readFileSync } from 'node:fs';
import { UsageError } from './endpoint-url';

/**
 * Reads a secret from an environment variable or a file, never from argv (where
 * every user of the machine could read it in the process list).
 */
export function readSecret(opts: { env?: string; file?: string }, option: string): string | undefined {
  if (opts.env && opts.file) throw new UsageError(`${option}: give either the -env or the -file option, not both`);
  if (opts.env) {
    const v = process.env[opts.env];
    if (v === undefined || v === '') throw new UsageError(`${option}-env: environment variable ${opts.env} is not set or empty`);
    return v;
  }
  if (opts.file) {
    let v: string;
    try {
      v = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new UsageError(`${option}-file: cannot read ${opts.file}: ${(err as Error).message}`);
    }
    // A trailing newline from `echo secret > file` is not part of the password.
    v = v.replace(/\r?\n$/, '');
    if (!v) throw new UsageError(`${option}-file: ${opts.file} is empty`);
    return v;
  }
  return undefined;
}
