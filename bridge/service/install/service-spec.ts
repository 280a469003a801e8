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
  /** systemd unit / Windows task name, and the launchd label. */
  serviceName: string;
  launchdLabel: string;
  /** The unit's one-line description. */
  description: string;
  /**
   * Environment of the process (the queue worker's Redis URL, which may hold a password): kept
   * out of the command line, in a file only the user can read (systemd EnvironmentFile, a 0600
   * plist on macOS, the .cmd in the user's data folder on Windows).
   */
  env?: Record<string, string>;
  /** What a refusal exit looks like: the service manager does not restart on it (systemd). */
  noRestartExitCode?: number;
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
    serviceName: SERVICE_NAME,
    launchdLabel: LAUNCHD_LABEL,
    description: `mailmover bridge (mailbox migration) on 127.0.0.1:${opts.port}`,
  };
}

export const WORKER_SERVICE_NAME = 'mailmover-worker';
export const WORKER_LAUNCHD_LABEL = 'com.mailmover.worker';
/** `worker` exits 3 when it stopped itself refusing work (wrong cluster key, other protocol): restarting would not help. */
export const WORKER_REFUSAL_EXIT = 3;

export interface WorkerServiceOptions {
  /** The Redis URL (MAILMOVER_QUEUE in the service's environment, never on its command line). */
  queue: string;
  clusterKeyFile: string;
  /** rediss:// with a private CA: its PEM file (MAILMOVER_QUEUE_CA in the environment). */
  queueCa?: string;
  /** The worker's checkpoints (its own, not the bridge's state dir). */
  stateDir: string;
  concurrency?: number;
  name?: string;
  hostConnections?: number;
  node?: string;
  launcher?: string;
  projectRoot?: string;
}

/** A queue worker as a service: `worker --state-dir DIR [...]`, the queue and key from its environment. */
export function workerServiceSpec(opts: WorkerServiceOptions): ServiceSpec {
  const stateDir = resolve(opts.stateDir);
  const extra = [
    ...(opts.concurrency !== undefined ? ['--concurrency', String(opts.concurrency)] : []),
    ...(opts.name !== undefined ? ['--name', opts.name] : []),
    ...(opts.hostConnections !== undefined ? ['--host-connections', String(opts.hostConnections)] : []),
  ];
  return {
    node: opts.node ?? process.execPath,
    args: [...NODE_FLAGS, opts.launcher ?? LAUNCHER, 'worker', '--state-dir', stateDir, ...extra],
    workingDirectory: opts.projectRoot ?? PROJECT_ROOT,
    port: 0,
    stateDir,
    logDir: join(stateDir, 'logs'),
    serviceName: WORKER_SERVICE_NAME,
    launchdLabel: WORKER_LAUNCHD_LABEL,
    description: 'mailmover queue worker (mailbox migration)',
    env: { MAILMOVER_QUEUE: opts.queue, MAILMOVER_CLUSTER_KEY_FILE: resolve(opts.clusterKeyFile), ...(opts.queueCa ? { MAILMOVER_QUEUE_CA: resolve(opts.queueCa) } : {}) },
    noRestartExitCode: WORKER_REFUSAL_EXIT,
  };
}
