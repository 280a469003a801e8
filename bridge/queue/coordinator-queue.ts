import type { Logger } from '../service/logger';
import { AccountQueue } from './account-queue';
import { loadClusterKey } from './cluster-key';
import { InflightStore } from './inflight-store';
import { QueueRunner } from './queue-runner';
import { describeRedis, parseRedisUrl } from './redis-url';

export interface CoordinatorQueueOptions {
  /** redis:// or rediss:// URL (with user:pass for Redis AUTH). */
  url: string;
  /** Where the URL came from, for error messages (--queue or MAILMOVER_QUEUE). */
  urlSource?: string;
  clusterKeyFile: string;
  /** Cluster-wide cap of connections to one source host (the shared cap in Redis). */
  hostConnections: number;
  stateDir: string;
}

const OPEN_TIMEOUT_MS = 20_000;

/**
 * Opens the queue for `bridge start --queue`: the Redis connection, the cluster key that seals
 * the credentials of each pass, and the coordinator's memory of passes it queued. Throws
 * RedisUrlError / ClusterKeyError (with a message for the admin) before anything starts.
 */
export async function openCoordinatorRunner(o: CoordinatorQueueOptions, log: Logger): Promise<QueueRunner> {
  const address = parseRedisUrl(o.url, o.urlSource ?? '--queue');
  const key = loadClusterKey(o.clusterKeyFile);
  const queueLabel = describeRedis(address);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cannot reach the queue at ${queueLabel} within ${OPEN_TIMEOUT_MS / 1000} s; is Redis running there (and the password right)?`)), OPEN_TIMEOUT_MS);
  });
  const opening = AccountQueue.open(address, key);
  const queue = await Promise.race([opening, timeout]).finally(() => clearTimeout(timer));
  log.info({ queue: queueLabel, clusterKeyId: key.id }, `queue mode: account passes go to the workers of ${queueLabel}`);
  return new QueueRunner({ queue, inflight: new InflightStore(o.stateDir), hostConnections: o.hostConnections, queueLabel, log });
}
