import { join, resolve } from 'node:path';
import { NODE_FLAGS } from '../../cli/node-flags';
import { projectRootOf } from '../../cli/project-root';

/** What a background service runs: the same `start` command as in a terminal. */
export interface ServiceSpec {
  /** Absolute path of the node binary. */
  node: string;
  /** Arguments after node: its flags (NODE_FLAGS), the launcher, then `start --port N --state-dir DIR`. */
  args: string[];
  workingDirectory: string;
  port: number;
  stateDir: string;
  /** Where the service manager writes the process's own stdout/stderr (launchd; systemd uses the journal). */
  logDir: string;
}

export const SERVICE_NAME = 'mailmover-bridge';
export const LAUNCHD_LABEL = 'com.mailmover.bridge';

// Looked up, not counted: this module also runs from a chunk of the bundle (.output/bridge/).
const PROJECT_ROOT = projectRootOf(import.meta.url);
export const LAUNCHER = join(PROJECT_ROOT, 'bridge', 'cli', 'bin.mjs');

export function serviceSpec(opts: { port: number; stateDir: string; node?: string; launcher?: string; projectRoot?: string }): ServiceSpec {
  const stateDir = resolve(opts.stateDir);
  return {
    node: opts.node ?? process.execPath,
    args: [...NODE_FLAGS, opts.launcher ?? LAUNCHER, 'start', '--port', String(opts.port), '--state-dir', stateDir],
    workingDirectory: opts.projectRoot ?? PROJECT_ROOT,
    port: opts.port,
    stateDir,
    logDir: join(stateDir, 'logs'),
  };
}
