import type { Logger } from '../service/logger';
import { AccountQueue } from './account-queue';
import { loadClusterKey } from './cluster-key';
import { InflightStore } from './inflight-store';
import { QueueRunner } from './queue-runner';
import { Redis } from 'ioredis';
import { describeRedis, parseRedisUrl, redisConnectionOptions, type RedisAddress } from './redis-url';

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

const PROBE_TIMEOUT_MS = 10_000;

/**
 * One connection attempt without retries before the queue's own (which retry forever, as a
 * running coordinator should): a wrong address or password fails the start with its reason
 * instead of hanging it.
 */
async function probe(address: RedisAddress, label: string): Promise<void> {
  const redis = new Redis({ ...redisConnectionOptions(address, 'mailmover-coordinator-probe'), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: PROBE_TIMEOUT_MS });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new QueueUnreachableError(`cannot reach the queue at ${label}: ${(err as Error).message}; is Redis running there, and are the user and password right?`);
  } finally {
    redis.disconnect();
  }
}

export class QueueUnreachableError extends Error {
  override name = 'QueueUnreachableError';
}

/**
 * Opens the queue for `bridge start --queue`: the Redis connection, the cluster key that seals
 * the credentials of each pass, and the coordinator's memory of passes it queued. Throws
 * RedisUrlError / ClusterKeyError (with a message for the admin) before anything starts.
 */
export async function openCoordinatorRunner(o: CoordinatorQueueOptions, log: Logger): Promise<QueueRunner> {
  const address = parseRedisUrl(o.url, o.urlSource ?? '--queue');
  const key = loadClusterKey(o.clusterKeyFile);
  const queueLabel = describeRedis(address);
  await probe(address, queueLabel);
  const queue = await AccountQueue.open(address, key);
  log.info({ queue: queueLabel, clusterKeyId: key.id }, `queue mode: account passes go to the workers of ${queueLabel}`);
  return new QueueRunner({ queue, inflight: new InflightStore(o.stateDir), hostConnections: o.hostConnections, queueLabel, log });
}
