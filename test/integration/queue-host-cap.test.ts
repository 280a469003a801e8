import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireHostConnections, LocalHostCap, SharedHostCap } from '../../bridge/queue/host-cap';
import { startRedis, type RedisServer } from '../harness/redis';

/**
 * The per-source-host connection cap shared by all workers through Redis: two workers (two
 * SharedHostCap instances, each with its own connection) together stay under the cap, a holder
 * that stops renewing (a killed worker) no longer counts after its lease.
 */
describe('shared per-host connection cap in Redis', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const caps: SharedHostCap[] = [];
  const cap = (leaseMs?: number) => {
    const c = new Redis(redis.port, '127.0.0.1', { lazyConnect: false });
    clients.push(c);
    const s = new SharedHostCap(c, leaseMs);
    caps.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await startRedis({ name: 'hostcap' });
  });
  afterAll(async () => {
    for (const c of caps) c.stop();
    await Promise.all(clients.map((c) => c.quit()));
    await redis?.stop();
  });

  it('two workers together stay under the cap; a release frees connections for the other', async () => {
    const [a, b] = [cap(), cap()];
    expect(await a.tryAcquire('imap.Provider.example', 'w1/acct-1', 4, 8)).toBe(4);
    expect(await b.tryAcquire('imap.provider.example', 'w2/acct-2', 4, 8)).toBe(4);
    expect(await b.tryAcquire('imap.provider.example', 'w2/acct-3', 2, 8)).toBe(0);
    expect(await b.tryAcquire('other.example', 'w2/acct-3', 2, 8)).toBe(2);
    await a.release('imap.provider.example', 'w1/acct-1');
    expect(await b.tryAcquire('imap.provider.example', 'w2/acct-4', 4, 8)).toBe(4);
    // Alone on its host, an account wider than the cap runs narrowed to it.
    expect(await a.tryAcquire('wide.example', 'w1/acct-5', 12, 8)).toBe(8);
  });

  it("a dead worker's connections count no more after its lease; a live one's lease is renewed", async () => {
    const dead = cap(600);
    const live = cap(600);
    expect(await dead.tryAcquire('lease.example', 'dead/acct', 6, 8)).toBe(6);
    dead.stop(); // no more renewals: as if SIGKILLed
    expect(await live.tryAcquire('lease.example', 'live/acct', 6, 8)).toBe(0);
    await new Promise((r) => setTimeout(r, 900));
    expect(await live.tryAcquire('lease.example', 'live/acct', 6, 8)).toBe(6);
    await new Promise((r) => setTimeout(r, 900));
    // Renewed every lease/3: still held, so a third holder does not fit.
    expect(await cap(600).tryAcquire('lease.example', 'other/acct', 4, 8)).toBe(0);
  });

  it('acquireHostConnections waits for the worker cap and the cluster cap, and narrows to the smaller grant', async () => {
    const shared = cap();
    const local = new LocalHostCap();
    expect(await shared.tryAcquire('wait.example', 'elsewhere/acct', 6, 8)).toBe(6);
    const ctrl = new AbortController();
    const got = acquireHostConnections({ local, shared }, { host: 'wait.example', holder: 'me/acct', want: 4, localCap: 8, sharedCap: 8 }, ctrl.signal, undefined, 50);
    await new Promise((r) => setTimeout(r, 200));
    await shared.release('wait.example', 'elsewhere/acct');
    expect(await got).toBe(4);
    // The worker's own cap (3 here) narrows what it asks the cluster for.
    expect(await acquireHostConnections({ local, shared }, { host: 'narrow.example', holder: 'me/acct2', want: 4, localCap: 3, sharedCap: 8 }, ctrl.signal)).toBe(3);
  });
});
