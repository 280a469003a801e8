/**
 * `npm start` (after `npm run build:ext`): the bridge in the foreground, like
 * `mailmover-bridge start`, plus where the built extension is and how to load and
 * pair it. Port: --port N, else MAILMOVER_PORT, else 7878. State: $MAILMOVER_HOME/state,
 * else the per-user data folder.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultStateDir } from './cli/data-dir';
import { extensionBanner, runStart } from './cli/start-command';
import { PortError, resolvePort } from './server/start';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXTENSION_BUILD_DIR = path.join(projectRoot, '.output', 'chrome-mv3');

function stateDirArg(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--state-dir');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--state-dir='))?.slice('--state-dir='.length);
}

async function main(): Promise<number> {
  let port: number;
  try {
    port = resolvePort();
  } catch (err) {
    if (err instanceof PortError) {
      console.error(`mailmover: ${err.message}`);
      return 2;
    }
    throw err;
  }
  return runStart({ port, stateDir: defaultStateDir(stateDirArg(process.argv.slice(2))), banner: extensionBanner(EXTENSION_BUILD_DIR) });
}

process.exitCode = await main();
