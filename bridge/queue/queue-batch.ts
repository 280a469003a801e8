import { z } from 'zod';
import type { AccountResult } from '../../shared/migration';
import { batchExitCode, writeBatchSummary } from '../cli/batch-summary';
import { buildJobs } from '../cli/build-jobs';
import { defaultClusterKeyFile } from '../cli/cluster-command';
import { UsageError } from '../cli/endpoint-url';
import { parseMigrateOptions } from '../cli/migrate-command';
import { ProgressOutput } from '../cli/progress-output';
import { describeEndpoint } from '../engine/endpoint';
import { notRunResult, type AccountJob } from '../engine/migrate';
import { AccountQueue, type AccountOutcome } from './account-queue';
import { queueIdentity } from './account-identity';
import { ClusterKeyError, loadClusterKey } from './cluster-key';
import { RedisUrlError, describeRedis, parseRedisUrl } from './redis-url';
import { QueueCaError, queueCaFile, withQueueCa } from './queue-ca';
import { probeRedis } from './redis-probe';

/** An account's result in a queue batch: the engine's result and the worker that ran it. */
export type QueuedAccountResult = AccountResult & { worker: string | null };

const QueueBatchOptionsSchema = z.object({
  queue: z.string().min(1),
  clusterKeyFile: z.string().optional(),
  hostConnections: z.coerce.number({ error: '--host-connections must be a number' }).int().min(1).max(1000).default(8),
  queueCa: z.string().min(1, '--queue-ca: a file name').optional(),
});

/**
 * `migrate --accounts FILE --queue URL`: the same batch as a local one, run by the queue's
 * workers. Every account is queued (an account already queued or running anywhere in the
 * cluster is followed, not queued twice), progress goes to stderr, and the summary is the
 * local batch's, with the worker of each account.
 */
export async function runQueueMigrate(
  raw: Record<string, unknown>,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ exitCode: 0 | 1 | 2; results: QueuedAccountResult[] }> {
  const { queue, clusterKeyFile, hostConnections, queueCa, ...rest } = raw;
  const q = QueueBatchOptionsSchema.safeParse({ queue, clusterKeyFile: clusterKeyFile ?? env.MAILMOVER_CLUSTER_KEY_FILE, hostConnections, queueCa });
  if (!q.success) throw new UsageError(q.error.issues[0]!.message);
  const opts = parseMigrateOptions(rest);
  if (opts.dryRun) throw new UsageError('--dry-run lists folders locally; leave out --queue');
  if (opts.stateDir) throw new UsageError('--state-dir: with --queue the checkpoints are in each worker\'s state dir (worker --state-dir)');
  let address;
  let key;
  try {
    address = withQueueCa(parseRedisUrl(q.data.queue), queueCaFile(q.data.queueCa, env));
    key = loadClusterKey(q.data.clusterKeyFile ?? defaultClusterKeyFile());
  } catch (err) {
    if (err instanceof RedisUrlError || err instanceof ClusterKeyError || err instanceof QueueCaError) throw new UsageError(err.message);
    throw err;
  }
  // An untrusted TLS certificate will not get better by waiting: say what to do (exit 2).
  const failure = address.tls ? await probeRedis(address, describeRedis(address)) : null;
  if (failure?.kind === 'tls') throw new UsageError(failure.message);
  const jobs: AccountJob[] = await buildJobs(opts);
  const progress = new ProgressOutput(io.stderr);
  const accounts = await AccountQueue.open(address, key);
  const labels = new Map<string, string>();
  // The queue's events cover every enqueuer's jobs: show only this batch's.
  accounts.on('progress', (jobId, p) => {
    if (labels.has(jobId)) progress.update({ ...p.progress, account: `${p.progress.account} [${p.worker}]` });
  });
  accounts.on('stalled', (jobId) => labels.has(jobId) && progress.line(`The worker running ${labels.get(jobId) ?? jobId} stopped answering; the account is queued again for another worker`));
  const onSignal = () => {
    // The accounts stay queued: the workers finish them; a new run with the same CSV follows them again.
    progress.line('Stopped waiting; the queued accounts keep running on the workers.');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    progress.line(`Queueing ${jobs.length} account(s) on ${describeRedis(address)}`);
    const waits: Array<Promise<AccountOutcome>> = [];
    for (const job of jobs) {
      const label = `${describeEndpoint(job.source)} -> ${describeEndpoint(job.target)}`;
      const queued = await accounts.enqueue({ accountKey: queueIdentity(job), job, hostConnections: q.data.hostConnections });
      labels.set(queued.jobId, label);
      if (queued.state === 'already') progress.line(`${label} is already queued or running in the cluster; following that run instead of queueing it again`);
      waits.push(accounts.waitFor(queued.jobId));
    }
    const outcomes = await Promise.all(waits);
    progress.stop();
    const results = await Promise.all(outcomes.map(async (o, i) => toResult(o, jobs[i]!, o.kind === 'failed' ? await accounts.workerOf(o.jobId) : undefined)));
    for (const r of results) if (r.error) io.stderr.write(`Failed ${r.source}${r.worker ? ` on ${r.worker}` : ''}: [${r.error.code}] ${r.error.message}\n`);
    writeBatchSummary(results, io, opts.json);
    return { exitCode: batchExitCode(results), results };
  } finally {
    process.off('SIGINT', onSignal);
    await accounts.close();
  }
}

function toResult(o: AccountOutcome, job: AccountJob, refusedBy: string | undefined): QueuedAccountResult {
  if (o.kind === 'result') return { ...o.value.result, worker: o.value.worker };
  // A refusal (wrong cluster key, other protocol version) or a crash: the account did not run.
  return { ...notRunResult(job, { code: 'CONFIG_INVALID', message: o.reason }), worker: refusedBy ?? null };
}
