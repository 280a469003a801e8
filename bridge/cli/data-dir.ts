import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the bridge keeps its state: $MAILMOVER_HOME, else the XDG data dir. */
export function defaultDataDir(): string {
  if (process.env.MAILMOVER_HOME) return process.env.MAILMOVER_HOME;
  const xdg = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'mailmover');
}
