import { spawnSync } from 'node:child_process';
import { applyPlan, describePlan, installPlan, statusCommand, uninstallPlan } from '../service/install/install';
import { serviceSpec, workerServiceSpec, type ServiceSpec } from '../service/install/service-spec';
import { ClusterKeyError, loadClusterKey } from '../queue/cluster-key';
import { RedisUrlError, parseRedisUrl } from '../queue/redis-url';
import { QueueCaError, queueCaFile, withQueueCa } from '../queue/queue-ca';
import { defaultClusterKeyFile } from './cluster-command';
import { defaultDataDir } from './data-dir';
import { UsageError } from './endpoint-url';
import { join } from 'node:path';

/** `service install --worker`: a queue worker instead of the bridge (see workerServiceSpec). */
export interface WorkerServiceFlags {
  queue?: string;
  clusterKeyFile?: string;
  /** A private CA for a rediss:// queue (else $MAILMOVER_QUEUE_CA). */
  queueCa?: string;
  concurrency?: number;
  name?: string;
  hostConnections?: number;
  /** The worker's checkpoints; default the data dir + /worker-state (not the bridge's state dir). */
  stateDir?: string;
}

/**
 * The worker's service: the queue URL and key file are checked now (a typo should not become a
 * service that fails at every start); the URL goes into the service's environment, not its argv.
 */
export function workerSpec(w: WorkerServiceFlags, env: NodeJS.ProcessEnv = process.env, forInstall = true): ServiceSpec {
  const queue = w.queue ?? (env.MAILMOVER_QUEUE || undefined) ?? (forInstall ? undefined : '');
  if (queue === undefined) throw new UsageError('service install --worker needs --queue URL (or MAILMOVER_QUEUE)');
  const clusterKeyFile = w.clusterKeyFile ?? (env.MAILMOVER_CLUSTER_KEY_FILE || defaultClusterKeyFile());
  const ca = queueCaFile(w.queueCa, env);
  // status and uninstall only need the service's name and files.
  if (forInstall) {
    try {
      withQueueCa(parseRedisUrl(queue, w.queue ? '--queue' : 'MAILMOVER_QUEUE'), ca);
      loadClusterKey(clusterKeyFile);
    } catch (err) {
      if (err instanceof RedisUrlError || err instanceof ClusterKeyError || err instanceof QueueCaError) throw new UsageError(err.message);
      throw err;
    }
  }
  return workerServiceSpec({
    queue,
    clusterKeyFile,
    ...(ca ? { queueCa: ca.file } : {}),
    stateDir: w.stateDir ?? join(defaultDataDir(), 'worker-state'),
    ...(w.concurrency !== undefined ? { concurrency: w.concurrency } : {}),
    ...(w.name !== undefined ? { name: w.name } : {}),
    ...(w.hostConnections !== undefined ? { hostConnections: w.hostConnections } : {}),
  });
}

/**
 * What a failed systemctl/launchctl/schtasks leaves behind: applyPlan writes (install) or
 * removes (uninstall) the files whether or not the commands ran, so the message says which.
 */
const AFTER_FAILED = {
  install: 'the service files are in place. Run these yourself once the service manager is available, to load and start it',
  uninstall: 'the service files were removed all the same. Run these yourself once the service manager is available, to stop the service and have it forgotten',
} as const;

/**
 * `mailmover-bridge service install|uninstall|status`: a systemd user unit on
 * Linux, a launchd agent on macOS, a logon scheduled task on Windows. The service
 * runs `start` with the same port and state dir; with --worker, a queue worker
 * (`worker`) under its own name (mailmover-worker / com.mailmover.worker).
 */
export function runService(
  action: 'install' | 'uninstall' | 'status',
  o: { port: number; stateDir: string; dryRun?: boolean; unitDir?: string; worker?: WorkerServiceFlags },
  out: (line: string) => void,
): number {
  const spec = o.worker ? workerSpec(o.worker, process.env, action === 'install') : serviceSpec({ port: o.port, stateDir: o.stateDir });
  if (action === 'status') {
    const cmd = statusCommand({ spec });
    const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'inherit' });
    if (r.error) {
      out(`Could not run ${cmd.join(' ')}: ${r.error.message}`);
      return 1;
    }
    return r.status ?? 1;
  }
  const plan = action === 'install' ? installPlan(spec, { unitDir: o.unitDir }) : uninstallPlan(spec, { unitDir: o.unitDir });
  if (o.dryRun) {
    out(describePlan(plan));
    return 0;
  }
  const { failed } = applyPlan(plan, out);
  for (const n of plan.notes) out(n);
  if (failed.length) {
    out(`Some commands failed; ${AFTER_FAILED[action]}:\n  ${failed.join('\n  ')}`);
    return 1;
  }
  return 0;
}
