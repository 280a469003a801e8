import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { accountKey } from '../../bridge/engine/migrate-account';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker, type QueueWorkerHandle } from '../../bridge/queue/queue-worker';
import { parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { ACCOUNTS_QUEUE, QUEUE_PREFIX, accountJobOptions } from '../../bridge/queue/queue-config';
import { QUEUE_PROTOCOL_VERSION } from '../../bridge/queue/protocol';
import { describeRun, leakedSecrets, parseReport, runCli, runCliInProcess, scratchDir, serverUrl, spawnCli, type CliResult, type RunningCli } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { pool } from '../../bridge/cli/pool';
import { startBridge } from '../../bridge/server/bridge';
import type { AccountView } from '../../shared/protocol/account';
import { BridgeClient, pair } from '../support/bridge-client';
import { identities, plainEndpoint } from '../support/engine-fixtures';

/**
 * Queue mode (BullMQ on Redis) end to end with worker processes: the bridge as coordinator
 * (accounts created through its requests) and 3 workers, 30 accounts, one worker SIGKILLed in
 * the middle of an account (BullMQ's stalled check hands it over; the log line gives the
 * handover time and each account's messages, source/target); a second enqueuer of the same
 * accounts runs nothing twice; a worker with another cluster key refuses a CLI batch's account
 * (`migrate --accounts --queue`: exit 1, the JSON names the worker; a batch that succeeds is
 * queue-redis-auth.test.ts's, over TLS); and no password is anywhere in
 * Redis (its append-only file included, so also what was written and deleted), in the
 * failed-job records, or in any log (the coordinator's included).
 */
const N = 30;
const src = (i: number): DovecotUser => ({ user: `q${i}@old.example.com`, password: `Src-${i}-pw-Qz7"${i}x` });
const tgt = (i: number, run = 'a'): DovecotUser => ({ user: `q${i}${run}@new.example.com`, password: `Tgt-${i}${run}-pw-Mv4${i}` });
const SOURCES = Array.from({ length: N }, (_, i) => src(i + 1));
const TARGETS = SOURCES.map((_, i) => tgt(i + 1));
// The second-enqueuer and wrong-key cases copy sources 1-3 and 4 to targets of their own.
const TARGETS_B = [1, 2, 3].map((i) => tgt(i, 'b'));
const TARGET_C = tgt(4, 'c');
const TARGETS_D = [5, 6].map((i) => tgt(i, 'd'));
const REDIS_PW = 'Redis-auth-pw-Jk3Lp9';
const SECRETS = [...SOURCES, ...TARGETS, ...TARGETS_B, TARGET_C, ...TARGETS_D].map((u) => u.password).concat(REDIS_PW);
const FOLDERS = ['INBOX', 'Archive/2024'];

function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
function csv(pairs: Array<[DovecotUser, DovecotUser]>): string {
  const rows = [['source', 'target', 'source_password', 'target_password'], ...pairs.map(([s, t]) => [s.user, t.user, s.password, t.password])];
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

describe('queue mode: coordinator, CLI batch and worker processes', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  const scratch = scratchDir('queue');
  const logs: string[] = [];
  const workers: RunningCli[] = [];
  let keyFile = '';

  const hosts = () => ['--source', serverUrl(source), '--target', serverUrl(target), '--allow-plaintext'];
  // MAILMOVER_QUEUE keeps the Redis password out of the workers' argv; the CLI batch takes --queue.
  function startWorker(name: string, key = keyFile, concurrency = 2): RunningCli {
    const w = spawnCli(['--name', name, '--concurrency', String(concurrency), '--state-dir', scratch.path(`state-${name}`)], {
      command: 'worker',
      env: { MAILMOVER_QUEUE: redis.url, MAILMOVER_CLUSTER_KEY_FILE: key },
      timeoutMs: 170_000,
    });
    workers.push(w);
    return w;
  }
  async function stopWorker(w: RunningCli): Promise<CliResult> {
    w.child.kill('SIGTERM');
    const r = await w.done;
    logs.push(r.stdout, r.stderr);
    return r;
  }
  /** A worker in this process (the kill test needs processes; these cases only need a worker). */
  async function inProcessWorker(name: string, key: ClusterKey, concurrency = 2): Promise<{ handle: QueueWorkerHandle; log: string[] }> {
    const log: string[] = [];
    const handle = await startQueueWorker({
      redis: parseRedisUrl(redis.url),
      clusterKey: key,
      stateDir: scratch.path(`state-${name}`),
      concurrency,
      name,
      log: (line) => {
        log.push(line);
        logs.push(line);
      },
    });
    return { handle, log };
  }
  function request(s: DovecotUser, t: DovecotUser) {
    const job = {
      source: { ...plainEndpoint(source, s), protocol: 'imap' as const },
      target: { ...plainEndpoint(target, t), protocol: 'imap' as const },
      options: MigrationOptionsSchema.parse({ concurrency: 2 }),
    };
    return { accountKey: accountKey(job), job, hostConnections: 8 };
  }
  async function batch(file: string, extra: string[] = []): Promise<CliResult> {
    const r = await runCli([...hosts(), '--accounts', file, '--queue', redis.url, '--cluster-key-file', keyFile, '--concurrency', '2', '--host-connections', '12', '--json', ...extra], { timeoutMs: 150_000 });
    logs.push(r.stdout, r.stderr);
    return r;
  }
  /** Every source message once on the target, byte-exact; returns the message counts of both sides. */
  async function expectExactlyOnce(from: DovecotUser, to: DovecotUser): Promise<{ source: number; target: number }> {
    const counts = { source: 0, target: 0 };
    for (const folder of FOLDERS) {
      const [want, got] = await Promise.all([readFolder(source, from, folder), readFolder(target, to, folder)]);
      counts.source += want.length;
      counts.target += got.length;
      expect(identities(got), `${from.user} ${folder} -> ${to.user}`).toEqual(identities(want));
    }
    return counts;
  }

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([
      startRedis({ name: 'queue', password: REDIS_PW }),
      startDovecot({ name: 'queue-src', users: SOURCES }),
      startDovecot({ name: 'queue-tgt', users: [...TARGETS, ...TARGETS_B, TARGET_C, ...TARGETS_D] }),
    ]);
    await pool(SOURCES, 6, async (u) => {
      const i = SOURCES.indexOf(u);
      await seedFolder(source, u, 'INBOX', bulkMessages(8, 100 + i, { prefix: `q${i}` }));
      await seedFolder(source, u, 'Archive/2024', bulkMessages(4, 200 + i, { prefix: `q${i}a` }));
    });
    const init = await runCliInProcess(['init', '--out', scratch.path('cluster.key')], { command: 'cluster' });
    expect(init.code, describeRun(init)).toBe(0);
    keyFile = scratch.path('cluster.key');
  }, 120_000);

  afterEach(() => {
    // A failed case must not leave a worker taking the next case's jobs.
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  it('coordinator + 3 worker processes, 30 accounts, one worker SIGKILLed mid-account: every message on the target exactly once, byte-exact', async () => {
    const t0 = Date.now();
    const names = ['w1', 'w2', 'w3'];
    const [w1, w2, w3] = names.map((n) => startWorker(n));
    const stderrOf = (w: RunningCli) => {
      let text = '';
      w.child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
      return () => text;
    };
    const [err1, err2, err3] = [w1!, w2!, w3!].map(stderrOf);
    const until = async (what: string, ok: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms:\nw1: ${err1!()}\nw2: ${err2!()}\nw3: ${err3!()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // All three take jobs before any is queued (a process start takes seconds on a loaded machine).
    await until('the workers did not start', () => [err1!, err2!, err3!].every((e) => e().includes(' takes up to ')), 90_000);
    const tReady = Date.now();
    // The coordinator: the bridge the extension talks to, its passes queued for the workers.
    const bridge = await startBridge({
      port: 0,
      stateDir: scratch.path('coordinator'),
      stderr: null,
      retry: { baseMs: 200, maxMs: 400 },
      limits: { maxAccounts: 100, maxConnectionsPerHost: 1000 },
      queue: { url: redis.url, clusterKeyFile: keyFile, hostConnections: 12 },
    });
    let c: BridgeClient | undefined;
    try {
      c = await BridgeClient.connect(bridge.port, (await pair(bridge.port, bridge.auth.pairing.create().code)).token);
      const server = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
      const created = await c.request('job.createWithAccounts', {
        name: 'thirty',
        source: { ...server(source.imapPort), protocol: 'imap' },
        target: server(target.imapPort),
        concurrency: 2,
        // No incremental syncs: an account's status stays first_pass_done after its pass.
        incremental: { intervalMinutes: 0, windowDays: 1 },
        accounts: [{ mode: 'admin-with-passwords', csvBase64: Buffer.from(csv(SOURCES.map((s, i) => [s, TARGETS[i]!]))).toString('base64') }],
      });
      expect(created.imports[0]!.errors).toEqual([]);
      const jobId = created.job!.id;
      // SIGKILL w1 while it runs an account it has not finished.
      let killedLabel: string | undefined;
      await until('w1 ran no account', () => {
        const running = [...err1!().matchAll(/Running (\S+ -> \S+)/g)].map((m) => m[1]!);
        const doneCount = (err1!().match(/ (Done|FAILED) /g) ?? []).length;
        if (running.length >= 1 && running.length > doneCount) killedLabel = running[running.length - 1];
        return killedLabel !== undefined;
      }, 90_000);
      w1!.child.kill('SIGKILL');
      const tKill = Date.now();
      const killed = await w1!.done;
      expect(killed.signal).toBe('SIGKILL');
      logs.push(killed.stderr);
      // The handover: another worker starts the killed account again (BullMQ's stalled check).
      await until('no worker took the killed account over', () => [err2!, err3!].some((e) => e().includes(`Running ${killedLabel}`)), 90_000);
      const tHandover = Date.now();

      let views: AccountView[] = [];
      for (const deadline = Date.now() + 150_000; ; ) {
        views = (await c.request('account.list', { jobId })).accounts;
        if (views.length === N && views.every((a) => a.status === 'first_pass_done')) break;
        if (Date.now() > deadline) throw new Error(`not all first_pass_done: ${views.map((a) => `${a.source} ${a.status} ${a.error?.message ?? ''}`).join('; ')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const tDone = Date.now();
      const coordinatorLog = readFileSync(bridge.logFile, 'utf8');
      logs.push(coordinatorLog);
      // Stopped before anything is asserted, so that a failure here leaves no worker to take the next case's jobs.
      const stops = await Promise.all([w2!, w3!].map(stopWorker));
      const killedSource = SOURCES.find((s) => killedLabel!.includes(`://${encodeURIComponent(s.user)}@`))!;
      // Each account read back from both servers once: exactly once and byte-exact, and its counts for the log.
      // A few accounts at a time: sixty logins at once time out on a loaded machine.
      const counts = await pool(SOURCES, 4, async (s) => {
        const { source: n, target: m } = await expectExactlyOnce(s, TARGETS[SOURCES.indexOf(s)]!);
        return `${s.user.split('@')[0]} ${n}/${m}`;
      });
      console.log(
        `[queue-cluster] workers ready ${tReady - t0} ms after their start; w1 SIGKILLed in ${killedSource.user} ${tKill - tReady} ms after the workers were ready; ` +
          `handed over to another worker ${((tHandover - tKill) / 1000).toFixed(1)} s after the kill; all ${N} first_pass_done ${((tDone - tKill) / 1000).toFixed(1)} s after the kill\n` +
          `[queue-cluster] messages per account, source/target: ${counts.join(', ')}`,
      );
      for (const a of views) {
        expect(a.counters.messagesTotal, a.source).toBe(12);
        expect(a.counters.messagesCopied + a.counters.messagesAlreadyPresent, a.source).toBe(12);
        expect(names, a.source).toContain(a.worker);
      }
      // The account w1 was killed in was finished by another worker, and the coordinator saw the handover.
      expect(views.find((a) => a.source === killedSource.user)?.worker).not.toBe('w1');
      expect(coordinatorLog).toContain('stopped answering');
      for (const stop of stops) expect(stop.code, stop.stderr).toBe(0);
    } finally {
      c?.close();
      await bridge.close();
    }
  }, 300_000);

  it('a second enqueuer of the same accounts follows the queued jobs: each account runs once', async () => {
    const pairs: Array<[DovecotUser, DovecotUser]> = [0, 1, 2].map((i) => [SOURCES[i]!, TARGETS_B[i]!]);
    const key = loadClusterKey(keyFile);
    const [first, second] = await Promise.all([AccountQueue.open(parseRedisUrl(redis.url), key), AccountQueue.open(parseRedisUrl(redis.url), key)]);
    const requests = pairs.map(([s, t]) => request(s, t));
    try {
      // No worker yet: the first enqueuer's jobs wait in the queue when the second comes.
      const a = await Promise.all(requests.map((r) => first.enqueue(r)));
      const b = await Promise.all(requests.map((r) => second.enqueue(r)));
      expect(a.map((e) => e.state)).toEqual(['queued', 'queued', 'queued']);
      expect(b.map((e) => e.state)).toEqual(['already', 'already', 'already']);
      expect(b.map((e) => e.jobId)).toEqual(a.map((e) => e.jobId));
      expect(Number(redis.cli(['LLEN', 'mailmover:accounts:wait']).trim())).toBe(3);
      const worker = await inProcessWorker('w4', key);
      const [ra, rb] = await Promise.all([Promise.all(a.map((e) => first.waitFor(e.jobId))), Promise.all(b.map((e) => second.waitFor(e.jobId)))]);
      const panel = await first.workers();
      await worker.handle.stop();
      expect(panel.find((w) => w.name === 'w4'), JSON.stringify(panel)).toMatchObject({ name: 'w4', protocol: QUEUE_PROTOCOL_VERSION, concurrency: 2, pid: process.pid });
      expect(rb).toEqual(ra);
      for (const o of ra) expect(o.kind === 'result' && o.value.result.status).toBe('done');
      expect(worker.log.filter((l) => l.startsWith('Running ')), worker.log.join('\n')).toHaveLength(3);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
    for (const [s, t] of pairs) await expectExactlyOnce(s, t);
  }, 90_000);

  it('a worker with another cluster key refuses the job; the account shows why, and the worker stops', async () => {
    const worker = await inProcessWorker('wrongkey', writeNewClusterKey(scratch.path('other.key')), 1);
    const r = await runCliInProcess([...hosts(), '--accounts', scratch.write('wrong.csv', csv([[SOURCES[3]!, TARGET_C]])), '--queue', redis.url, '--cluster-key-file', keyFile, '--json']);
    logs.push(r.stdout, r.stderr);
    expect(r.code, describeRun(r)).toBe(1);
    const doc = JSON.parse(r.stdout) as { accounts: Array<{ status: string; worker: string | null; error: { code: string; message: string } | null }> };
    expect(doc.accounts[0]!.status).toBe('failed');
    expect(doc.accounts[0]!.worker).toBe('wrongkey');
    expect(doc.accounts[0]!.error?.message).toContain("this worker's cluster key does not match the coordinator's; copy the key written by `mailmover-bridge cluster init`");
    const end = await worker.handle.stopped;
    expect(end.refusal?.code).toBe('CLUSTER_KEY_MISMATCH');
    expect(worker.log.join('\n')).toContain('cluster key does not match');
    expect(await readFolder(target, TARGET_C, 'INBOX')).toEqual([]);
  }, 60_000);

  it('a worker refuses a job of another queue protocol version with a clear message, and stops', async () => {
    const key = loadClusterKey(keyFile);
    const q = await AccountQueue.open(parseRedisUrl(redis.url), key);
    const raw = new Queue(ACCOUNTS_QUEUE, { connection: redisConnectionOptions(parseRedisUrl(redis.url)), prefix: QUEUE_PREFIX });
    try {
      // What a newer coordinator would queue: another version, a shape this worker does not know.
      await raw.add('account', { protocol: QUEUE_PROTOCOL_VERSION + 1, somethingNew: true }, accountJobOptions('acct-future'));
      const worker = await inProcessWorker('oldworker', key, 1);
      const outcome = await q.waitFor('acct-future');
      expect(outcome).toMatchObject({ kind: 'failed' });
      expect(outcome.kind === 'failed' && outcome.reason).toContain(`queued with queue protocol version ${QUEUE_PROTOCOL_VERSION + 1}, this worker speaks version ${QUEUE_PROTOCOL_VERSION}`);
      expect((await worker.handle.stopped).refusal?.code).toBe('PROTOCOL_MISMATCH');
    } finally {
      await Promise.all([raw.close(), q.close()]);
    }
  }, 60_000);

  it('Redis restarted mid-run (AOF on): worker and enqueuer reconnect and the accounts complete, each message once', async () => {
    const pairs: Array<[DovecotUser, DovecotUser]> = [4, 5].map((i, k) => [SOURCES[i]!, TARGETS_D[k]!]);
    const key = loadClusterKey(keyFile);
    const q = await AccountQueue.open(parseRedisUrl(redis.url), key);
    const worker = await inProcessWorker('w5', key);
    try {
      let progressed!: () => void;
      const firstProgress = new Promise<void>((r) => (progressed = r));
      q.on('progress', () => progressed());
      const queued = await Promise.all(pairs.map(([s, t]) => q.enqueue(request(s, t))));
      await firstProgress;
      await redis.restart();
      const outcomes = await Promise.all(queued.map((e) => q.waitFor(e.jobId)));
      for (const o of outcomes) expect(o.kind === 'result' && o.value.result.status, JSON.stringify(o)).toBe('done');
    } finally {
      await worker.handle.stop();
      await q.close();
    }
    for (const [s, t] of pairs) await expectExactlyOnce(s, t);
  }, 90_000);

  it('no password in Redis (every key, failed jobs, the append-only file) or in any log', async () => {
    const client = new Redis(redis.port, '127.0.0.1', { password: REDIS_PW, lazyConnect: true });
    await client.connect();
    let dump = '';
    let failedJobs = 0;
    try {
      for (const key of await client.keys('*')) {
        const type = await client.type(key);
        const value =
          type === 'string' ? await client.get(key)
          : type === 'hash' ? await client.hgetall(key)
          : type === 'list' ? await client.lrange(key, 0, -1)
          : type === 'set' ? await client.smembers(key)
          : type === 'zset' ? await client.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'stream' ? await client.xrange(key, '-', '+')
          : null;
        dump += `${key} ${JSON.stringify(value)}\n`;
        if (key.endsWith(':failed')) failedJobs += await client.zcard(key);
      }
    } finally {
      await client.quit();
    }
    expect(failedJobs, 'the wrong-key job is kept as a failed job').toBeGreaterThan(0);
    expect(dump).toContain('cluster key does not match');
    const aofDir = join(redis.dir, 'appendonlydir');
    const aof = readdirSync(aofDir).filter((f) => statSync(join(aofDir, f)).isFile()).map((f) => readFileSync(join(aofDir, f), 'latin1')).join('\n');
    expect(aof.length).toBeGreaterThan(1000);
    const forms = (s: string) => [...new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])];
    const accountSecrets = SECRETS.filter((s) => s !== REDIS_PW);
    expect(accountSecrets.filter((s) => forms(s).some((f) => dump.includes(f))), 'in Redis').toEqual([]);
    expect(accountSecrets.filter((s) => forms(s).some((f) => aof.includes(Buffer.from(f, 'utf8').toString('latin1')))), 'in the AOF').toEqual([]);
    const allLogs = logs.join('\n');
    expect(allLogs.length).toBeGreaterThan(1000);
    expect(SECRETS.filter((s) => forms(s).some((f) => allLogs.includes(f))), 'in logs').toEqual([]);
  });
});
