import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

/**
 * Where the bridge keeps its data (the state store lives in `<data dir>/state`):
 * $MAILMOVER_HOME when set, else the OS's per-user data folder:
 *   Linux & co.  $XDG_DATA_HOME/mailmover, default ~/.local/share/mailmover
 *   macOS        ~/Library/Application Support/mailmover
 *   Windows      %LOCALAPPDATA%\mailmover, default ~\AppData\Local\mailmover
 * The arguments exist for the tests; callers use the defaults.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.MAILMOVER_HOME) return env.MAILMOVER_HOME;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'mailmover');
  if (platform === 'win32') return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'mailmover');
  const xdg = env.XDG_DATA_HOME || join(home, '.local', 'share');
  return join(xdg, 'mailmover');
}

/** The state dir: `--state-dir` when given, else `<data dir>/state`. */
export function defaultStateDir(explicit?: string): string {
  return explicit ?? join(defaultDataDir(), 'state');
}
