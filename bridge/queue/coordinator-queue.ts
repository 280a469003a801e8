import { StateStore } from '../engine/state-store';
import type { Logger } from '../service/logger';
import { AccountQueue } from './account-queue';
import { loadClusterKey } from './cluster-key';
import { InflightStore } from './inflight-store';
import { QueueRunner } from './queue-runner';
import { withQueueCa } from './queue-ca';
import { probeRedis } from './redis-probe';
import { describeRedis, parseRedisUrl } from './redis-url';

export interface CoordinatorQueueOptions {
  /** redis:// or rediss:// URL (with user:pass for Redis AUTH). */
  url: string;
  /** Where the URL came from, for error messages (--queue or MAILMOVER_QUEUE). */
  urlSource?: string;
  clusterKeyFile: string;
  /** rediss:// with a private CA: its PEM file (--queue-ca or MAILMOVER_QUEUE_CA, named by source). */
  ca?: { file: string; source: string };
  /** Cluster-wide cap of connections to one source host (the shared cap in Redis). */
  hostConnections: number;
  stateDir: string;
}

export class QueueUnreachableError extends Error {
  override name = 'QueueUnreachableError';
}

/**
 * Opens the queue for `bridge start --queue`: the Redis connection, the cluster key that seals
 * the credentials of each pass, and the coordinator's memory of passes it queued. Throws
 * RedisUrlError / QueueCaError / ClusterKeyError (with a message for the admin) before anything
 * starts, and QueueUnreachableError when one connection attempt without retries fails (a wrong
 * address, password or TLS certificate fails the start with its reason instead of hanging it;
 * the queue's own connections retry forever, as a running coordinator's should).
 */
export async function openCoordinatorRunner(o: CoordinatorQueueOptions, log: Logger): Promise<QueueRunner> {
  const address = withQueueCa(parseRedisUrl(o.url, o.urlSource ?? '--queue'), o.ca);
  const key = loadClusterKey(o.clusterKeyFile);
  const queueLabel = describeRedis(address);
  const failure = await probeRedis(address, queueLabel);
  if (failure) throw new QueueUnreachableError(failure.message);
  const queue = await AccountQueue.open(address, key);
  log.info({ queue: queueLabel, clusterKeyId: key.id }, `queue mode: account passes go to the workers of ${queueLabel}`);
  // Its own connection to the engine state file the bridge's verify reads (WAL: two connections in one process are safe).
  const verifyStore = StateStore.open(o.stateDir);
  return new QueueRunner({ queue, inflight: new InflightStore(o.stateDir), hostConnections: o.hostConnections, queueLabel, log, verifyStore });
}
