import { z } from 'zod';
import { ClusterKeyError, loadClusterKey } from '../queue/cluster-key';
import { RedisUrlError, describeRedis, parseRedisUrl } from '../queue/redis-url';
import { QueueCaError, queueCaFile, withQueueCa } from '../queue/queue-ca';
import { defaultClusterKeyFile } from './cluster-command';
import { defaultStateDir } from './data-dir';
import { UsageError } from './endpoint-url';

const WorkerOptionsSchema = z
  .object({
    queue: z.string({ error: '--queue (or MAILMOVER_QUEUE) is required: redis://[user:pass@]host[:port][/db] or rediss://...' }).min(1),
    concurrency: z.coerce.number({ error: '--concurrency must be a number' }).int().min(1).max(64).default(2),
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '--name: letters, digits, . _ - (at most 64)').optional(),
    stateDir: z.string().optional(),
    clusterKeyFile: z.string().optional(),
    queueCa: z.string().min(1, '--queue-ca: a file name').optional(),
    hostConnections: z.coerce.number({ error: '--host-connections must be a number' }).int().min(1).max(1000).default(8),
  })
  .strict();

/** Exit 0 on a stop by signal; 3 when the worker stopped itself refusing work (wrong key, other protocol); 2 for a usage error or a Redis TLS certificate it does not trust. */
export async function runWorker(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = WorkerOptionsSchema.safeParse({
    ...raw,
    queue: raw.queue ?? env.MAILMOVER_QUEUE,
    clusterKeyFile: raw.clusterKeyFile ?? env.MAILMOVER_CLUSTER_KEY_FILE,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  const o = parsed.data;
  let redis;
  let clusterKey;
  try {
    redis = withQueueCa(parseRedisUrl(o.queue, raw.queue ? '--queue' : 'MAILMOVER_QUEUE'), queueCaFile(o.queueCa, env));
    clusterKey = loadClusterKey(o.clusterKeyFile ?? defaultClusterKeyFile());
  } catch (err) {
    if (err instanceof RedisUrlError || err instanceof ClusterKeyError || err instanceof QueueCaError) throw new UsageError(err.message);
    throw err;
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  // A TLS certificate the worker does not trust is a setting to fix, not an outage to wait out:
  // say so and stop. Anything else (Redis not up yet, after a reboot) the queue's connections retry.
  const failure = redis.tls ? await (await import('../queue/redis-probe')).probeRedis(redis, describeRedis(redis)) : null;
  if (failure?.kind === 'tls') {
    log(`This worker cannot use the queue: ${failure.message}`);
    return 2;
  }
  const { startQueueWorker } = await import('../queue/queue-worker');
  const worker = await startQueueWorker({
    redis,
    clusterKey,
    stateDir: defaultStateDir(o.stateDir),
    concurrency: o.concurrency,
    hostConnections: o.hostConnections,
    ...(o.name ? { name: o.name } : {}),
    log,
  });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // A second signal: stop now (the running accounts' locks expire and the queue requeues them).
    if (++signals > 1) process.exit(130);
    void worker.stop(`${sig}: running accounts stop at a checkpoint and go back to the queue`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const end = await worker.stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // BullMQ's connections may still be retrying an unreachable Redis and keep the process alive:
  // once everything is closed that can be, the process ends.
  const code = end.refusal ? 3 : 0;
  setTimeout(() => process.exit(code), 1_000).unref();
  if (end.refusal) log(`This worker stopped: ${end.refusal.message}`);
  return code;
}
