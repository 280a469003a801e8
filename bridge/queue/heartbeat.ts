import type { Redis } from 'ioredis';
import { z } from 'zod';
import { OWN_KEY_PREFIX } from './queue-config';
import { QUEUE_PROTOCOL_VERSION } from './protocol';
import type { WorkerStats } from './worker-stats';
import { WorkerFiguresSchema } from '../../shared/protocol/workers';

/**
 * Each worker's record in Redis, for the workers panel: a JSON value per worker that
 * expires when the heartbeats stop, and a sorted set of names by last heartbeat.
 */
export const HEARTBEAT_INTERVAL_MS = 5_000;
const RECORD_TTL_MS = HEARTBEAT_INTERVAL_MS * 4;
const WORKERS_SET = `${OWN_KEY_PREFIX}:workers`;
const workerKey = (name: string) => `${OWN_KEY_PREFIX}:worker:${name}`;

export const WorkerRecordSchema = WorkerFiguresSchema.extend({
  pid: z.number().int(),
  protocol: z.number().int(),
  startedAt: z.number(),
  lastHeartbeat: z.number(),
  /** Set when it stopped on purpose (the record then stays until it expires). */
  stopped: z.string().optional(),
});
export type WorkerRecord = z.infer<typeof WorkerRecordSchema>;

export interface HeartbeatIdentity {
  name: string;
  host: string;
  version: string;
  concurrency: number;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  constructor(private readonly redis: Redis, private readonly who: HeartbeatIdentity, private readonly stats: WorkerStats) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  record(stopped?: string): WorkerRecord {
    const rates = this.stats.rates();
    return {
      ...this.who,
      pid: process.pid,
      protocol: QUEUE_PROTOCOL_VERSION,
      startedAt: this.startedAt,
      lastHeartbeat: Date.now(),
      running: [...this.stats.running.values()],
      accountsDone: this.stats.accountsDone,
      accountsFailed: this.stats.accountsFailed,
      messagesCopied: this.stats.messagesCopied,
      bytesCopied: this.stats.bytesCopied,
      messagesPerSecond: Math.round(rates.messagesPerSecond * 10) / 10,
      bytesPerSecond: Math.round(rates.bytesPerSecond),
      ...(stopped ? { stopped } : {}),
    };
  }

  async beat(stopped?: string): Promise<void> {
    const rec = this.record(stopped);
    // Redis away (restarting): the next beat writes again.
    await this.redis
      .multi()
      .set(workerKey(rec.name), JSON.stringify(rec), 'PX', RECORD_TTL_MS)
      .zadd(WORKERS_SET, rec.lastHeartbeat, rec.name)
      .exec()
      .catch(() => undefined);
  }

  async stop(reason: string): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beat(reason);
  }
}

/** The workers that sent a heartbeat recently, newest first (for the coordinator's panel). */
export async function listWorkers(redis: Redis): Promise<WorkerRecord[]> {
  const names = await redis.zrevrange(WORKERS_SET, 0, -1);
  if (names.length === 0) return [];
  const values = await redis.mget(names.map(workerKey));
  const out: WorkerRecord[] = [];
  const gone: string[] = [];
  values.forEach((v, i) => {
    if (v === null) gone.push(names[i]!);
    else {
      const r = WorkerRecordSchema.safeParse(JSON.parse(v));
      if (r.success) out.push(r.data);
    }
  });
  if (gone.length) await redis.zrem(WORKERS_SET, ...gone);
  return out;
}
