import type { Redis } from 'ioredis';
import { OWN_KEY_PREFIX } from './queue-config';

/**
 * Connection caps per source host. An account asks for `want` source connections (its
 * concurrency) and gets them only when they fit under the cap; alone on its host, an account
 * wider than the cap runs narrowed to it (the same rule as the bridge's in-process scheduler).
 *
 * SharedHostCap counts over every worker through Redis: a sorted set of holders scored by
 * their lease expiry (Redis's own clock) and a hash of what each holds. A worker that dies
 * stops renewing, so its connections count no more after the lease (HOST_LEASE_MS).
 * LocalHostCap is the same rule inside one worker: its own IP's limit.
 */
export const HOST_LEASE_MS = 30_000;

export interface HostCap {
  /** Connections granted now (0: none fit, try later). */
  tryAcquire(host: string, holder: string, want: number, cap: number): Promise<number>;
  release(host: string, holder: string): Promise<void>;
}

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, h in ipairs(expired) do
  redis.call('ZREM', KEYS[1], h)
  redis.call('HDEL', KEYS[2], h)
end
redis.call('HDEL', KEYS[2], ARGV[1])
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(v) end
local want = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local grant = 0
if total == 0 then grant = math.min(want, cap) elseif total + want <= cap then grant = want end
if grant > 0 then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], grant)
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  redis.call('PEXPIRE', KEYS[2], lease * 2)
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return grant
`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], lease * 2)
redis.call('PEXPIRE', KEYS[2], lease * 2)
return n
`;

function keys(host: string): [string, string] {
  const h = host.toLowerCase();
  return [`${OWN_KEY_PREFIX}:host:${h}:holders`, `${OWN_KEY_PREFIX}:host:${h}:conns`];
}

export class SharedHostCap implements HostCap {
  private readonly held = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly redis: Redis, private readonly leaseMs = HOST_LEASE_MS) {
    this.timer = setInterval(() => void this.renewAll(), Math.floor(leaseMs / 3));
    this.timer.unref();
  }

  async tryAcquire(host: string, holder: string, want: number, cap: number): Promise<number> {
    const [z, h] = keys(host);
    const granted = Number(await this.redis.eval(ACQUIRE, 2, z, h, holder, want, cap, this.leaseMs));
    if (granted > 0) this.held.set(holder, host);
    return granted;
  }

  async release(host: string, holder: string): Promise<void> {
    this.held.delete(holder);
    const [z, h] = keys(host);
    await this.redis.multi().zrem(z, holder).hdel(h, holder).exec();
  }

  private async renewAll(): Promise<void> {
    for (const [holder, host] of this.held) {
      const [z, h] = keys(host);
      // A Redis outage is ridden out by the next round; the lease is three rounds long.
      await this.redis.eval(RENEW, 2, z, h, holder, this.leaseMs).catch(() => undefined);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export class LocalHostCap implements HostCap {
  private readonly hosts = new Map<string, Map<string, number>>();

  async tryAcquire(host: string, holder: string, want: number, cap: number): Promise<number> {
    const h = host.toLowerCase();
    const held = this.hosts.get(h) ?? new Map<string, number>();
    held.delete(holder);
    const total = [...held.values()].reduce((a, b) => a + b, 0);
    const grant = total === 0 ? Math.min(want, cap) : total + want <= cap ? want : 0;
    if (grant > 0) held.set(holder, grant);
    this.hosts.set(h, held);
    return grant;
  }

  async release(host: string, holder: string): Promise<void> {
    this.hosts.get(host.toLowerCase())?.delete(holder);
  }
}

/**
 * Waits until both caps grant connections: the worker's own first, then the cluster's
 * (narrowed to what the worker granted). Polls, since a holder elsewhere frees its
 * connections without telling anyone. Returns the connections the account may open.
 */
export async function acquireHostConnections(
  caps: { local: HostCap; shared: HostCap },
  req: { host: string; holder: string; want: number; localCap: number; sharedCap: number },
  signal: AbortSignal,
  onWait?: () => void,
  pollMs = 500,
): Promise<number> {
  let waited = false;
  for (;;) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const local = await caps.local.tryAcquire(req.host, req.holder, req.want, req.localCap);
    if (local > 0) {
      const shared = await caps.shared.tryAcquire(req.host, req.holder, local, req.sharedCap);
      if (shared > 0) {
        if (shared < local) await caps.local.tryAcquire(req.host, req.holder, shared, req.localCap);
        return shared;
      }
      await caps.local.release(req.host, req.holder);
    }
    if (!waited) onWait?.();
    waited = true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
