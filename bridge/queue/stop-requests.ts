import type { Redis } from 'ioredis';
import { OWN_KEY_PREFIX } from './queue-config';

/**
 * A coordinator's request to stop a pass a worker is running (a person paused or stopped the
 * account). BullMQ has no cross-process cancel of an active job, so the coordinator sets a
 * key per job id and each worker looks for the keys of its running jobs every second; a hit
 * aborts that job's engine at its next checkpoint (BullMQ's per-job AbortSignal), and the job
 * completes with the engine's result, which the coordinator collects.
 *
 * A new pass of the account (same job id) clears the key when it is queued.
 */
export const STOP_REASON = 'stopped by the coordinator';
/**
 * Why else a worker aborts a job it runs: Redis said its lock is gone, or the worker could not
 * renew it for a while (lease-fence.ts). Either way another worker may run the account now, so
 * the engine is halted at once instead of stopped at a checkpoint.
 */
export const LOCK_LOST = 'lock lost';
export const LEASE_UNCONFIRMED = 'lock not renewed in time';
/** A request outlives any pass that could still be running when it was made. */
const STOP_TTL_MS = 60 * 60_000;
export const STOP_POLL_MS = 1_000;

export const stopKey = (jobId: string): string => `${OWN_KEY_PREFIX}:stop:${jobId}`;

export async function requestStop(redis: Redis, jobId: string): Promise<void> {
  await redis.set(stopKey(jobId), '1', 'PX', STOP_TTL_MS);
}

export async function clearStop(redis: Redis, jobId: string): Promise<void> {
  await redis.del(stopKey(jobId));
}

/** The worker's side: every STOP_POLL_MS, which of the running jobs have a stop request. */
export class StopWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly seen = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly running: () => string[],
    private readonly onStop: (jobId: string) => void,
  ) {}

  start(intervalMs = STOP_POLL_MS): void {
    this.timer = setInterval(() => void this.check().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async check(): Promise<void> {
    const ids = this.running();
    for (const id of [...this.seen]) if (!ids.includes(id)) this.seen.delete(id);
    const fresh = ids.filter((id) => !this.seen.has(id));
    if (!fresh.length) return;
    const hits = await this.redis.mget(...fresh.map(stopKey));
    fresh.forEach((id, i) => {
      if (hits[i] === null) return;
      this.seen.add(id);
      this.onStop(id);
    });
  }
}
