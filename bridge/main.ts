/**
 * `npm start`: serves the bridge on 127.0.0.1 and tells the user how to load
 * the extension that `npm run build:ext` just built.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTENSION_ID } from '../extension/extension-id';
import { BRIDGE_NAME } from '../shared/bridge-defaults';
import { BRIDGE_VERSION } from './server/health';
import { defaultDataDir } from './cli/data-dir';
import { StateStore } from './engine/state-store';
import { installShutdownHandlers, PortError, resolvePort, startBridgeServer } from './server/start';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXTENSION_BUILD_DIR = path.join(projectRoot, '.output', 'chrome-mv3');

function extensionInstructions(): string {
  const built = existsSync(path.join(EXTENSION_BUILD_DIR, 'manifest.json'));
  return [
    built
      ? `Browser extension (built): ${EXTENSION_BUILD_DIR}`
      : `Browser extension: not built yet — run \`npm run build:ext\`, it will be in ${EXTENSION_BUILD_DIR}`,
    'Load it in Chrome / Chromium / Edge:',
    '  1. open chrome://extensions (edge://extensions in Edge)',
    '  2. turn on "Developer mode"',
    `  3. click "Load unpacked" and choose ${EXTENSION_BUILD_DIR}`,
    `  The extension's id is ${EXTENSION_ID}; its popup shows whether the bridge is running.`,
    'Pairing the extension with this bridge arrives with the bridge protocol (a later version);',
    'for now the bridge only answers GET /health.',
  ].join('\n');
}

async function main(): Promise<void> {
  let port: number;
  try {
    port = resolvePort();
  } catch (err) {
    if (err instanceof PortError) {
      console.error(`mailmover: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  let bridge;
  try {
    bridge = await startBridgeServer({ port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `mailmover: port ${port} on 127.0.0.1 is already in use — is the bridge already running?\n` +
          'Stop the other program, or pick another port with MAILMOVER_PORT=<port> or --port <port>\n' +
          "(the extension looks at 7878 unless chrome.storage.local 'bridgePort' says otherwise).",
      );
      process.exit(1);
    }
    throw err;
  }

  // The embedded state store (SQLite) holds checkpoints; opening it here creates it on
  // first start and fails early if the data dir is not writable.
  const stateDir = path.join(defaultDataDir(), 'state');
  const store = StateStore.open(stateDir);
  process.once('exit', () => store.close());
  console.log(`${BRIDGE_NAME} ${BRIDGE_VERSION} listening on ${bridge.url} (health: ${bridge.url}/health)`);
  console.log(`State store: ${path.join(stateDir, 'mailmover.sqlite')}`);
  console.log('');
  console.log(extensionInstructions());
  console.log('');
  console.log('Press Ctrl+C to stop.');
  installShutdownHandlers(bridge);
}

await main();
