import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { startBridge, type Bridge, type BridgeOptions } from '../server/bridge';
import { StateDirInUseError } from '../server/state-dir-claim';
import { BRIDGE_VERSION } from '../server/health';
import { formatCode } from '../service/pairing-codes';
import { pairingLine } from '../../shared/pairing-line';
import { UsageError } from './endpoint-url';
import { ClusterKeyError } from '../queue/cluster-key';
import { RedisUrlError } from '../queue/redis-url';
import { QueueCaError, queueCaFile } from '../queue/queue-ca';
import { defaultClusterKeyFile } from './cluster-command';
import { EXTENSION_ID } from '../../shared/extension-id';

export interface StartCommandOptions {
  port: number;
  stateDir: string;
  logLevel?: string;
  maxAccounts?: number;
  hostConnections?: number;
  /** Queue mode: the Redis URL (--queue or $MAILMOVER_QUEUE), the cluster key file, and a private CA for rediss://. */
  queue?: { url: string; urlSource: string; clusterKeyFile: string; ca?: { file: string; source: string } };
  /** Extra lines printed after the address (npm start: how to load the extension). */
  banner?: string[];
  out?: (line: string) => void;
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name}: "${v}" is not a whole number`);
  return n;
}

/** --queue / $MAILMOVER_QUEUE, --cluster-key-file / $MAILMOVER_CLUSTER_KEY_FILE and --queue-ca / $MAILMOVER_QUEUE_CA, as the worker reads them. */
export function queueOption(o: { queue?: string; clusterKeyFile?: string; queueCa?: string }, env: NodeJS.ProcessEnv = process.env): StartCommandOptions['queue'] {
  const url = o.queue ?? (env.MAILMOVER_QUEUE || undefined);
  const keyFile = o.clusterKeyFile ?? (env.MAILMOVER_CLUSTER_KEY_FILE || undefined);
  if (!url) {
    if (o.clusterKeyFile !== undefined || o.queueCa !== undefined) throw new UsageError('--cluster-key-file and --queue-ca go with --queue (or MAILMOVER_QUEUE)');
    return undefined;
  }
  const ca = queueCaFile(o.queueCa, env);
  return { url, urlSource: o.queue ? '--queue' : 'MAILMOVER_QUEUE', clusterKeyFile: keyFile ?? defaultClusterKeyFile(), ...(ca ? { ca } : {}) };
}

/** Accounts the coordinator keeps in the queue at once by default: the workers' slots decide what runs. */
export const QUEUE_MAX_ACCOUNTS = 500;

/**
 * In-process, the scheduler caps accounts and connections per source host itself. In queue
 * mode the workers run the passes: the scheduler only bounds what is queued, and the per-host
 * cap is shared by all workers through Redis (the --host-connections value goes with each pass).
 */
function startLimits(o: StartCommandOptions): Pick<BridgeOptions, 'limits' | 'queue'> {
  if (!o.queue) return { limits: { maxAccounts: o.maxAccounts, maxConnectionsPerHost: o.hostConnections } };
  return {
    limits: { maxAccounts: o.maxAccounts ?? QUEUE_MAX_ACCOUNTS, maxConnectionsPerHost: 1000 },
    queue: { url: o.queue.url, urlSource: o.queue.urlSource, clusterKeyFile: o.queue.clusterKeyFile, ...(o.queue.ca ? { ca: o.queue.ca } : {}), hostConnections: o.hostConnections ?? 8 },
  };
}

/**
 * `mailmover-bridge start`: runs the bridge in the foreground until SIGINT/SIGTERM.
 * Prints (stdout) the address, a fresh pairing code and the state dir; the structured
 * log goes to stderr and to <state dir>/logs/bridge.log. Resolves with the exit status.
 */
export async function runStart(o: StartCommandOptions): Promise<number> {
  const out = o.out ?? ((line: string) => process.stdout.write(line + '\n'));
  let bridge: Bridge;
  try {
    bridge = await startBridge({
      port: o.port,
      stateDir: o.stateDir,
      logLevel: o.logLevel,
      ...startLimits(o),
      // Back-off knobs for tests and impatient operators; the defaults suit real providers.
      retry: { baseMs: envInt('MAILMOVER_RETRY_BASE_MS'), maxMs: envInt('MAILMOVER_RETRY_MAX_MS') },
      engineRetryBaseMs: envInt('MAILMOVER_ENGINE_RETRY_BASE_MS'),
    });
  } catch (err) {
    // A bad --queue URL or CA file, a missing or loose cluster key, an unreachable or untrusted Redis: said plainly, exit 2.
    if (err instanceof RedisUrlError || err instanceof ClusterKeyError || err instanceof QueueCaError) throw new UsageError(err.message);
    if (o.queue && (err as Error).name === 'QueueUnreachableError') {
      process.stderr.write(`${BRIDGE_NAME}: ${(err as Error).message}\n`);
      return 2;
    }
    if (err instanceof StateDirInUseError) {
      process.stderr.write(
        `${BRIDGE_NAME}: ${err.message}; \`${BRIDGE_NAME} status\` shows it.\n` +
          'Two bridges on one state dir would both run its accounts: use that one, stop it first, or give this one another --state-dir.\n',
      );
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `${BRIDGE_NAME}: port ${o.port} on 127.0.0.1 is already in use — is the bridge already running (\`${BRIDGE_NAME} status\`)?\n` +
          'Stop the other program, or pick another port with --port <port> or MAILMOVER_PORT=<port>\n' +
          "(the extension looks at 7878 unless told otherwise: enter the port, or the pairing code\n" +
          "the bridge prints with it, e.g. K7QM-2XPR@7879, in the extension's \"not found\" card).\n",
      );
      return 1;
    }
    throw err;
  }
  // Listening for the stop signals before saying how to stop: a SIGTERM right after the last
  // line (a service manager restarting it) must stop it cleanly, not kill it.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        out(`Received ${signal} again, exiting now (accounts resume from their checkpoints).`);
        process.exit(130);
      }
      stopping = true;
      out(`Received ${signal}: stopping — running accounts finish their current batch, then the state is saved.`);
      const force = setTimeout(() => {
        out('The bridge did not stop within 60 s; exiting anyway (accounts resume from their checkpoints).');
        process.exit(1);
      }, 60_000);
      force.unref();
      bridge.close().then(
        () => {
          clearTimeout(force);
          out('Bridge stopped.');
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(force);
          process.stderr.write(`${BRIDGE_NAME}: error while stopping: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const { code, expiresAt } = bridge.auth.pairing.create();
  out(`${BRIDGE_NAME} ${BRIDGE_VERSION} listening on ${bridge.url}`);
  // On another port than 7878 the code carries it (K7QM-2XPR@7879): the popup takes the whole line.
  out(`Pairing code: ${pairingLine(code, bridge.port)} (valid until ${expiresAt.toLocaleTimeString()}, once; \`${BRIDGE_NAME} pair\` prints a new one)`);
  out(`State dir: ${bridge.stateDir}`);
  if (o.queue) out(`Queue mode: account passes run on the workers of ${(await bridge.service.workers()).queue}`);
  out(`Log file: ${bridge.logFile}`);
  for (const line of o.banner ?? []) out(line);
  out('Press Ctrl+C to stop.');

  return stopped;
}

/** What `npm start` adds: where the built extension is and how to load it. */
export function extensionBanner(buildDir: string): string[] {
  const built = existsSync(join(buildDir, 'manifest.json'));
  return [
    '',
    built ? `Browser extension (built): ${buildDir}` : `Browser extension: not built yet — run \`npm run build:ext\`; it will be in ${buildDir}`,
    'Load it in Chrome / Chromium / Edge:',
    '  1. open chrome://extensions (edge://extensions in Edge)',
    '  2. turn on "Developer mode"',
    `  3. click "Load unpacked" and choose ${buildDir}`,
    `  The extension's id is ${EXTENSION_ID}.`,
    'Installing it as a product (Chrome Web Store, Microsoft Edge Add-ons, Firefox Add-ons):',
    '  `npm run package` writes store-ready archives to dist/ (see README, "Installing the extension").',
    'Then pair it: open the extension, enter the pairing code above. The code works once and for',
    `10 minutes; \`npm run bridge -- pair\` prints a new one.`,
    '',
  ];
}

export { formatCode };
