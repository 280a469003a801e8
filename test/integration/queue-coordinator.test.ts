/**
 * Queue mode with the bridge as coordinator (`bridge start --queue`): the bridge keeps jobs,
 * accounts and statuses, and its account passes run on queue workers (BullMQ on Redis).
 * In-process workers (the worker processes and a SIGKILL are queue-cluster.test.ts's subject),
 * a real Redis, two Dovecots, accounts created through the bridge's requests:
 * - every message exactly once on the target, statuses reach first_pass_done, each account
 *   view names its worker, workers.list lists the workers;
 * - the coordinator stopped mid-run and started again follows its accounts in the queue, and
 *   requeues one whose job is no longer there;
 * - two coordinators on one Redis with the same mailboxes: one pass per account, both see it end;
 * - Redis restarted (AOF on) in the middle of a pass: coordinator and workers reconnect and the
 *   account reaches first_pass_done with each message once;
 * - the verify the coordinator runs after a first pass uses what the worker recorded: a message
 *   the target refused is skipped with its reason (not missing), a folder the target made us
 *   rename is found under its new name, and a POP3 source's skip is known by its UIDL; the
 *   account's folders (account.get) and skipped messages (account.skipped) are what a local run
 *   shows, after a coordinator restart too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import { startLatencyProxy } from '../../bench/latency-proxy';
import { writeNewClusterKey, loadClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker, type QueueWorkerHandle } from '../../bridge/queue/queue-worker';
import { parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { ACCOUNTS_QUEUE, QUEUE_PREFIX } from '../../bridge/queue/queue-config';
import { queueJobId } from '../../bridge/queue/account-identity';
import type { AccountView } from '../../shared/protocol/account';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { BridgeClient, pair } from '../support/bridge-client';
import { bigMessage, bulkMessages } from '../support/corpus';
import { identities, plainEndpoint } from '../support/engine-fixtures';
import { MigrationOptionsSchema } from '../../shared/migration';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { engineKey } from '../../bridge/service/engine-key';
import { StateStore } from '../../bridge/engine/state-store';

const REDIS_PW = 'Coord-redis-pw-Hq8';
const src = (i: number): DovecotUser => ({ user: `c${i}@old.example.com`, password: `C-src-${i}-pw-Lk2` });
const tgt = (i: number): DovecotUser => ({ user: `c${i}@new.example.com`, password: `C-tgt-${i}-pw-Vb7` });
// Accounts 1-4: first passes; 5-8: the restart; 9-11: two coordinators; 12: incremental sync; 13: pause;
// 16: Redis restarted mid-pass.
const IDS = [...Array.from({ length: 13 }, (_, i) => i + 1), 16];
const SOURCES = IDS.map(src);
const TARGETS = IDS.map(tgt);
// Accounts 14 (IMAP) and 15 (POP3): the coordinator's verify, into a target that refuses some messages and names.
const VERIFIED = [14, 15];
const FOLDERS = ['INBOX', 'Archive'];
const SIZES: Record<number, number> = { 5: 60, 6: 60, 7: 60, 8: 60, 13: 150, 16: 80 };

const csv = (ids: number[]) =>
  Buffer.from(['source,target,source_password,target_password', ...ids.map((i) => `${src(i).user},${tgt(i).user},${src(i).password},${tgt(i).password}`)].join('\n') + '\n').toString('base64');

describe('queue mode: the bridge as coordinator', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  let strictTarget: DovecotServer;
  let keyFile = '';
  const dirs: string[] = [];
  const bridges: Bridge[] = [];
  const clients: BridgeClient[] = [];
  const workers: QueueWorkerHandle[] = [];
  const workerLog: string[] = [];
  const workerDirs = new Map<string, string>();

  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `mm-coord-${name}-`));
    dirs.push(d);
    return d;
  };
  const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });

  async function coordinator(stateDir: string): Promise<{ bridge: Bridge; c: BridgeClient }> {
    const bridge = await startBridge({
      port: 0,
      stateDir,
      stderr: null,
      retry: { baseMs: 200, maxMs: 400 },
      engineRetryBaseMs: 20,
      limits: { maxAccounts: 100, maxConnectionsPerHost: 1000 },
      queue: { url: redis.url, clusterKeyFile: keyFile, hostConnections: 8 },
    });
    bridges.push(bridge);
    const { token } = await pair(bridge.port, bridge.auth.pairing.create().code);
    const c = await BridgeClient.connect(bridge.port, token);
    clients.push(c);
    await c.request('subscribe', {});
    return { bridge, c };
  }

  async function worker(name: string, concurrency: number): Promise<QueueWorkerHandle> {
    const w = await startQueueWorker({
      redis: parseRedisUrl(redis.url),
      clusterKey: loadClusterKey(keyFile),
      stateDir: workerDirs.set(name, tmp(`w-${name}`)).get(name)!,
      concurrency,
      name,
      log: (line) => workerLog.push(line),
    });
    workers.push(w);
    return w;
  }

  async function stopWorkers(): Promise<void> {
    await Promise.all(workers.splice(0).map((w) => w.stop('test')));
  }

  async function createJob(c: BridgeClient, name: string, ids: number[], intervalMinutes = 0, tuning: { concurrency?: number; batchMessages?: number; targetPort?: number } = {}): Promise<{ jobId: string; accounts: AccountView[] }> {
    const { targetPort = target.imapPort, ...options } = tuning;
    const { job } = await c.request('job.create', {
      name,
      ...options,
      source: { protocol: 'imap', ...plain(source.imapPort) },
      target: plain(targetPort),
      incremental: { intervalMinutes, windowDays: 1 },
    });
    const res = await c.request('accounts.import', { jobId: job.id, mode: 'admin-with-passwords', csvBase64: csv(ids) });
    expect(res.errors).toEqual([]);
    return { jobId: job.id, accounts: res.accounts };
  }

  async function allFirstPassDone(c: BridgeClient, jobId: string, n: number, timeoutMs = 40_000): Promise<AccountView[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { accounts } = await c.request('account.list', { jobId });
      if (accounts.length === n && accounts.every((a) => a.status === 'first_pass_done')) return accounts;
      if (Date.now() > deadline) throw new Error(`not all first_pass_done: ${accounts.map((a) => `${a.source} ${a.status} ${a.phase} ${a.error?.message ?? ''}`).join('; ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function expectExactlyOnce(i: number): Promise<void> {
    for (const folder of FOLDERS) {
      const [want, got] = await Promise.all([readFolder(source, src(i), folder), readFolder(target, tgt(i), folder)]);
      expect(identities(got), `${src(i).user} ${folder}`).toEqual(identities(want));
    }
  }

  // Worker log labels carry the endpoint URL (user percent-encoded).
  const runsOf = (i: number) => workerLog.filter((l) => l.startsWith('Running ') && l.includes(`://${encodeURIComponent(src(i).user)}@`)).length;

  beforeAll(async () => {
    [redis, source, target, strictTarget] = await Promise.all([
      startRedis({ name: 'coord', password: REDIS_PW }),
      startDovecot({ name: 'coord-src', users: [...SOURCES, ...VERIFIED.map(src)] }),
      startDovecot({ name: 'coord-tgt', users: TARGETS }),
      // Refuses messages over 100 KB (the migration skips them: MESSAGE_TOO_LARGE); Maildir++ refuses
      // '.' in a folder name, so the migration renames such a folder (FOLDER_RENAMED).
      startDovecot({ name: 'coord-vtgt', users: VERIFIED.map(tgt), maxMailSize: 100_000, extraConfig: 'mail_location = maildir:~/Maildir\n' }),
    ]);
    for (const i of IDS) {
      await seedFolder(source, src(i), 'INBOX', bulkMessages(SIZES[i] ?? 8, 400 + i, { prefix: `c${i}`, ...(i === 13 ? { minBody: 20_000, maxBody: 30_000 } : {}) }));
      await seedFolder(source, src(i), 'Archive', bulkMessages(4, 500 + i, { prefix: `c${i}a` }));
    }
    const tooBig = (id: string) => ({ raw: bigMessage(150_000, id), flags: ['\\Seen'], internalDate: new Date('2021-02-05T10:00:00Z') });
    await seedFolder(source, src(14), 'INBOX', [...bulkMessages(5, 714, { prefix: 'c14' }), tooBig('too-big-14')]);
    await seedFolder(source, src(14), 'v1.2', bulkMessages(3, 814, { prefix: 'c14v' }));
    await seedFolder(source, src(15), 'INBOX', [...bulkMessages(5, 715, { prefix: 'c15' }), tooBig('too-big-15')]);
    keyFile = join(tmp('key'), 'cluster.key');
    writeNewClusterKey(keyFile);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.allSettled(bridges.map((b) => b.close()));
    await stopWorkers();
    await Promise.allSettled([redis?.stop(), source?.stop(), target?.stop(), strictTarget?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs first passes on two workers: exactly once on the target, first_pass_done, the worker named, the workers listed', async () => {
    await Promise.all([worker('wa', 2), worker('wb', 2)]);
    const { bridge, c } = await coordinator(tmp('bridge-a'));
    const { jobId } = await createJob(c, 'queue', [1, 2, 3, 4]);
    const done = await allFirstPassDone(c, jobId, 4);
    for (const a of done) {
      expect(a.counters.messagesCopied, a.source).toBe(12);
      expect(['wa', 'wb'], a.source).toContain(a.worker);
    }
    for (const i of [1, 2, 3, 4]) await expectExactlyOnce(i);
    // Progress came through the queue as account.progress events, as in-process.
    expect(c.events.some((e) => e.event === 'account.progress')).toBe(true);
    const list = await c.request('workers.list', {});
    expect(list.queue).toMatch(/^redis:\/\/.*127\.0\.0\.1/);
    expect(list.queue).not.toContain(REDIS_PW);
    expect(list.workers.map((w) => w.name).sort()).toEqual(['wa', 'wb']);
    expect(list.workers.every((w) => w.version && w.host && Date.parse(w.lastHeartbeat) > Date.now() - 30_000)).toBe(true);
    await bridge.close();
  }, 60_000);

  it('a coordinator restarted mid-run follows its accounts in the queue, and requeues one no longer there', async () => {
    await stopWorkers();
    await Promise.all([worker('wc', 1), worker('wd', 1)]);
    const dir = tmp('bridge-b');
    let { bridge, c } = await coordinator(dir);
    const { jobId } = await createJob(c, 'restart', [5, 6, 7, 8]);
    await c.waitForEvent('account.progress', (d) => d.jobId === jobId && d.messagesCopied > 0, 30_000);
    await bridge.close();
    // While it is down: account 8's pass is taken out of the queue (by an admin, or lost).
    const jobs = new Queue(ACCOUNTS_QUEUE, { connection: redisConnectionOptions(parseRedisUrl(redis.url)), prefix: QUEUE_PREFIX });
    const gone = queueJobId({ source: { host: '127.0.0.1', port: source.imapPort, user: src(8).user }, target: { host: '127.0.0.1', port: target.imapPort, user: tgt(8).user } });
    for (let tries = 0; (await jobs.remove(gone)) === 0 && tries < 100; tries++) await new Promise((r) => setTimeout(r, 200));
    expect(await jobs.getJob(gone)).toBeUndefined();
    await jobs.close();
    const pending = JSON.parse(readFileSync(join(dir, 'queue-inflight.json'), 'utf8')) as { pending: Record<string, string> };
    expect(Object.values(pending.pending)).toContain(gone);

    ({ bridge, c } = await coordinator(dir));
    const done = await allFirstPassDone(c, jobId, 4, 50_000);
    for (const a of done) expect(a.counters.messagesTotal, a.source).toBe(64);
    for (const i of [5, 6, 7, 8]) await expectExactlyOnce(i);
    // Each account ran once, bar account 8's job put back (and a handed-back pass, if any, counts once more).
    for (const i of [5, 6, 7]) expect(runsOf(i), src(i).user).toBe(1);
    expect(runsOf(8)).toBeGreaterThanOrEqual(1);
    await bridge.close();
  }, 90_000);

  it('two coordinators on one Redis cannot run an account twice', async () => {
    await stopWorkers();
    const [one, two] = [await coordinator(tmp('bridge-c')), await coordinator(tmp('bridge-d'))];
    const jobOne = await createJob(one.c, 'twice-1', [9, 10, 11]);
    const jobTwo = await createJob(two.c, 'twice-2', [9, 10, 11]);
    // Both have queued (or found queued) every account before a worker takes any.
    const pendingOf = (b: Bridge) => {
      try {
        return Object.keys((JSON.parse(readFileSync(join(b.stateDir, 'queue-inflight.json'), 'utf8')) as { pending: object }).pending).length;
      } catch {
        return 0;
      }
    };
    for (let t = 0; (pendingOf(one.bridge) < 3 || pendingOf(two.bridge) < 3) && t < 100; t++) await new Promise((r) => setTimeout(r, 100));
    expect([pendingOf(one.bridge), pendingOf(two.bridge)]).toEqual([3, 3]);
    await Promise.all([worker('we', 2), worker('wf', 2)]);
    const [a, b] = await Promise.all([allFirstPassDone(one.c, jobOne.jobId, 3), allFirstPassDone(two.c, jobTwo.jobId, 3)]);
    for (const i of [9, 10, 11]) {
      expect(runsOf(i), src(i).user).toBe(1);
      await expectExactlyOnce(i);
    }
    const byUser = (list: AccountView[]) => Object.fromEntries(list.map((x) => [x.source, [x.counters.messagesCopied, x.worker]]));
    expect(byUser(a)).toEqual(byUser(b));
  }, 60_000);

  it('incremental sync passes run on the workers too: a new message reaches the target once', async () => {
    const { c } = await coordinator(tmp('bridge-e'));
    const { accounts } = await createJob(c, 'sync', [12], 2 / 60);
    const id = accounts[0]!.id;
    const status = (pred: (a: AccountView) => boolean, timeoutMs: number) =>
      c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), timeoutMs).then((d) => d.account);
    const first = await status((a) => a.status === 'syncing' && a.lastSyncAt !== null, 30_000);
    expect(first.counters.messagesCopied).toBe(12);
    await seedFolder(source, src(12), 'INBOX', bulkMessages(1, 612, { prefix: 'late' }));
    const synced = await status((a) => a.counters.messagesSyncedSinceFirstPass === 1 && a.phase === null, 30_000);
    expect(['we', 'wf']).toContain(synced.worker);
    await expectExactlyOnce(12);
  }, 60_000);

  it('pausing an account a worker runs stops it there at a checkpoint; resumed, it ends with each message once', async () => {
    if (!workers.length) await Promise.all([worker('wg', 1), worker('wh', 1)]);
    const { c } = await coordinator(tmp('bridge-f'));
    // One connection, batches of 5, the target behind a 100 ms round-trip link: 31 APPENDs make
    // a pass of several seconds however fast the machine, so the pause lands in its middle.
    const link = await startLatencyProxy({ host: '127.0.0.1', port: target.imapPort }, { rttMs: 100 });
    const { jobId, accounts } = await createJob(c, 'pause', [13], 0, { concurrency: 1, batchMessages: 5, targetPort: link.port });
    const id = accounts[0]!.id;
    // As soon as a worker reports on it (a worker checks for stop requests every second).
    await c.waitForEvent('account.progress', (d) => d.accountId === id, 30_000);
    const paused = c.waitForEvent('account.status', (d) => d.account.id === id && d.account.status === 'paused', 30_000);
    await c.request('account.pause', { accountIds: [id] });
    await paused;
    // The pass ends on the worker too (its job leaves 'active' within seconds), not only in the bridge.
    const jobs = new Queue(ACCOUNTS_QUEUE, { connection: redisConnectionOptions(parseRedisUrl(redis.url)), prefix: QUEUE_PREFIX });
    const queueJob = await jobs.getJob(queueJobId({ source: { host: '127.0.0.1', port: source.imapPort, user: src(13).user }, target: { host: '127.0.0.1', port: link.port, user: tgt(13).user } }));
    const pausedAt = Date.now();
    while ((await queueJob?.getState()) === 'active' && Date.now() - pausedAt < 15_000) await new Promise((r) => setTimeout(r, 200));
    expect(await queueJob?.getState()).not.toBe('active');
    await jobs.close();
    const stoppedLine = workerLog.find((l) => /^Stopped .*c13%40old.*the coordinator asked/.test(l));
    const copiedAtStop = Number(/\((\d+) copied\)/.exec(stoppedLine ?? '')?.[1] ?? NaN);
    expect(copiedAtStop, workerLog.filter((l) => /c13|coordinator/.test(l)).join('\n')).toBeLessThan(150);
    // The bridge recorded the stopped pass's counters.
    await new Promise((r) => setTimeout(r, 300));
    expect((await c.request('account.get', { accountId: id })).account).toMatchObject({ status: 'paused', counters: { messagesCopied: copiedAtStop } });
    await c.request('account.start', { accountIds: [id] });
    const [done] = await allFirstPassDone(c, jobId, 1, 40_000);
    expect(done!.counters.messagesTotal).toBe(154);
    await link.close();
    await expectExactlyOnce(13);
  }, 90_000);
  it('Redis restarted mid-pass (AOF on): the coordinator and its workers reconnect, and the account ends with each message once', async () => {
    if (!workers.length) await Promise.all([worker('wk', 1), worker('wl', 1)]);
    const { bridge, c } = await coordinator(tmp('bridge-h'));
    // The target behind a 100 ms round-trip link, one connection, batches of 5: the pass lasts
    // seconds, so the restart lands in its middle.
    const link = await startLatencyProxy({ host: '127.0.0.1', port: target.imapPort }, { rttMs: 100 });
    try {
      const { jobId, accounts } = await createJob(c, 'redis-restart', [16], 0, { concurrency: 1, batchMessages: 5, targetPort: link.port });
      const id = accounts[0]!.id;
      await c.waitForEvent('account.progress', (d) => d.accountId === id && d.messagesCopied > 0, 30_000);
      await redis.restart();
      const [done] = await allFirstPassDone(c, jobId, 1, 60_000);
      expect(done!.counters.messagesTotal).toBe(84);
      expect(workers.map((w) => w.name)).toContain(done!.worker);
      await expectExactlyOnce(16);
      expect(runsOf(16), workerLog.filter((l) => l.includes('c16%40')).join('\n')).toBeGreaterThanOrEqual(1);
    } finally {
      await link.close();
      await bridge.close();
    }
  }, 90_000);

  it("the coordinator's verify uses what the worker recorded: a refused message is skipped with its reason, a renamed folder is found, a POP3 source verifies", async () => {
    if (!workers.length) await Promise.all([worker('wi', 2), worker('wj', 2)]);
    const { bridge, c } = await coordinator(tmp('bridge-g'));
    const created = await Promise.all(
      ([['imap', source.imapPort, 14], ['pop3', source.pop3Port, 15]] as const).map(async ([protocol, port, i]) => {
        const { job } = await c.request('job.create', {
          name: `verify-${protocol}`,
          source: { protocol, ...plain(port) },
          target: plain(strictTarget.imapPort),
          incremental: { intervalMinutes: 0, windowDays: 1 },
        });
        const res = await c.request('accounts.import', { jobId: job.id, mode: 'admin-with-passwords', csvBase64: csv([i]) });
        expect(res.errors).toEqual([]);
        return res.accounts[0]!.id;
      }),
    );
    const verified = (id: string) => c.waitForEvent('account.status', (d) => d.account.id === id && !!d.account.verify, 60_000).then((d) => d.account);
    const [imap, pop3] = await Promise.all(created.map(verified));
    // Skipped on purpose, so neither missing nor a difference; the renamed folder's messages are matched.
    expect(imap!.counters.messagesSkipped).toBe(1);
    expect(imap!.verify, JSON.stringify(imap!.verify)).toMatchObject({ status: 'verified', totals: { matched: 8, missing: 0, extra: 0, changed: 0, skipped: 1 } });
    expect(pop3!.verify, JSON.stringify(pop3!.verify)).toMatchObject({ status: 'verified', totals: { matched: 5, missing: 0, extra: 0, changed: 0, skipped: 1 } });

    // The report the coordinator's verify makes from its state dir lists the skip with its reason.
    const report = (i: number, id: string, pop: boolean) =>
      verifyAccount(
        {
          source: pop ? { ...plainEndpoint(source, src(i)), port: source.pop3Port, protocol: 'pop3' } : plainEndpoint(source, src(i)),
          target: plainEndpoint(strictTarget, tgt(i)),
          options: MigrationOptionsSchema.parse({}),
          stateKey: engineKey(id),
        },
        { deep: false, stateDir: bridge.stateDir },
      );
    const [imapReport, pop3Report] = await Promise.all([report(14, created[0]!, false), report(15, created[1]!, true)]);
    const folder = (r: typeof imapReport, name: string) => r.folders.find((f) => f.source === name)!;
    expect(folder(imapReport, 'INBOX').skipped).toEqual([expect.objectContaining({ messageId: '<too-big-14@old.example.com>', reason: expect.stringMatching(/MESSAGE_TOO_LARGE/) })]);
    expect(folder(imapReport, 'v1.2')).toMatchObject({ target: 'v1．2', matched: 3, missing: [] });
    expect(pop3Report.folders.map((f) => [f.matched, f.missing.length, f.skipped.map((m) => [m.messageId, m.reason])])).toEqual([
      [5, 0, [['<too-big-15@old.example.com>', expect.stringMatching(/MESSAGE_TOO_LARGE/)]]],
    ]);

    // The admin's drawer: per-folder figures and the skipped messages, as a local run shows them
    // (a local run's account.get and account.skipped read the engine store the pass wrote: here the worker's).
    const drawer = async (client: BridgeClient, id: string) => {
      const { folders } = await client.request('account.get', { accountId: id });
      return { folders, skipped: await client.request('account.skipped', { accountId: id }) };
    };
    const asLocal = (view: AccountView, id: string) => {
      const store = StateStore.open(workerDirs.get(view.worker!)!);
      try {
        const skips = store.skipped(engineKey(id));
        return { folders: store.folderSummaries(engineKey(id)), skipped: { items: skips.map((s) => ({ folder: s.sourceFolder, uid: s.uid, reason: s.reason })), total: skips.length } };
      } finally {
        store.close();
      }
    };
    const tooLarge = { folder: 'INBOX', uid: expect.any(Number), reason: expect.stringMatching(/MESSAGE_TOO_LARGE/) };
    const [imapDrawer, pop3Drawer] = await Promise.all([drawer(c, created[0]!), drawer(c, created[1]!)]);
    // (Dovecot's empty Drafts, Junk, Sent and Trash are listed too, as on a local run.)
    const figures = (folders: typeof imapDrawer.folders) => folders.filter((f) => f.copied + f.skipped > 0).map((f) => [f.source, f.target, f.copied, f.alreadyPresent, f.skipped]);
    expect(figures(imapDrawer.folders)).toEqual([
      ['INBOX', 'INBOX', 5, 0, 1],
      ['v1.2', 'v1．2', 3, 0, 0],
    ]);
    expect(imapDrawer.skipped).toEqual({ items: [tooLarge], total: 1 });
    expect(figures(pop3Drawer.folders)).toEqual([['INBOX', 'INBOX', 5, 0, 1]]);
    expect(pop3Drawer.skipped).toEqual({ items: [tooLarge], total: 1 });
    expect(imapDrawer).toEqual(asLocal(imap!, created[0]!));
    expect(pop3Drawer).toEqual(asLocal(pop3!, created[1]!));
    await bridge.close();

    // Kept in the coordinator's state dir: the same after a restart.
    const again = await coordinator(bridge.stateDir);
    expect(await drawer(again.c, created[0]!)).toEqual(imapDrawer);
    expect(await drawer(again.c, created[1]!)).toEqual(pop3Drawer);
    await again.bridge.close();
  }, 60_000);
});
