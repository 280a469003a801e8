import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { describeRun, leakedSecrets, parseReport, runCli, scratchDir, serverUrl, spawnCli, type CliResult, type RunningCli } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

/**
 * Queue mode (BullMQ on Redis) end to end, without a coordinator: `migrate --accounts --queue`
 * enqueues, worker processes run the accounts. 30 accounts over 3 workers with one SIGKILLed in
 * the middle of an account (BullMQ's stalled check hands its accounts over); a second enqueuer of
 * the same accounts runs nothing twice; a worker with another cluster key refuses; and no password
 * is anywhere in Redis (its append-only file included, so also what was written and deleted),
 * in the failed-job records, or in any log.
 */
const N = 30;
const src = (i: number): DovecotUser => ({ user: `q${i}@old.example.com`, password: `Src-${i}-pw-Qz7"${i}x` });
const tgt = (i: number, run = 'a'): DovecotUser => ({ user: `q${i}${run}@new.example.com`, password: `Tgt-${i}${run}-pw-Mv4${i}` });
const SOURCES = Array.from({ length: N }, (_, i) => src(i + 1));
const TARGETS = SOURCES.map((_, i) => tgt(i + 1));
// The second-enqueuer and wrong-key cases copy sources 1-3 and 4 to targets of their own.
const TARGETS_B = [1, 2, 3].map((i) => tgt(i, 'b'));
const TARGET_C = tgt(4, 'c');
const REDIS_PW = 'Redis-auth-pw-Jk3Lp9';
const SECRETS = [...SOURCES, ...TARGETS, ...TARGETS_B, TARGET_C].map((u) => u.password).concat(REDIS_PW);
const FOLDERS = ['INBOX', 'Archive/2024'];

function cell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
function csv(pairs: Array<[DovecotUser, DovecotUser]>): string {
  const rows = [['source', 'target', 'source_password', 'target_password'], ...pairs.map(([s, t]) => [s.user, t.user, s.password, t.password])];
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

describe('queue mode: migrate --queue with worker processes', () => {
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
  async function batch(file: string, extra: string[] = []): Promise<CliResult> {
    const r = await runCli([...hosts(), '--accounts', file, '--queue', redis.url, '--cluster-key-file', keyFile, '--concurrency', '2', '--host-connections', '12', '--json', ...extra], { timeoutMs: 150_000 });
    logs.push(r.stdout, r.stderr);
    return r;
  }
  const sourceMessages = new Map<string, ReturnType<typeof bulkMessages>>();
  async function expectExactlyOnce(from: DovecotUser, to: DovecotUser): Promise<void> {
    for (const folder of FOLDERS) {
      const want = await readFolder(source, from, folder);
      expect(identities(await readFolder(target, to, folder)), `${from.user} ${folder} -> ${to.user}`).toEqual(identities(want));
    }
  }

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([
      startRedis({ name: 'queue', password: REDIS_PW }),
      startDovecot({ name: 'queue-src', users: SOURCES }),
      startDovecot({ name: 'queue-tgt', users: [...TARGETS, ...TARGETS_B, TARGET_C] }),
    ]);
    await Promise.all(
      SOURCES.map(async (u, i) => {
        const inbox = bulkMessages(8, 100 + i, { prefix: `q${i}` });
        sourceMessages.set(u.user, inbox);
        await seedFolder(source, u, 'INBOX', inbox);
        await seedFolder(source, u, 'Archive/2024', bulkMessages(4, 200 + i, { prefix: `q${i}a` }));
      }),
    );
    const init = await runCli(['init', '--out', scratch.path('cluster.key')], { command: 'cluster' });
    expect(init.code, describeRun(init)).toBe(0);
    keyFile = scratch.path('cluster.key');
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  it('30 accounts over 3 workers, one SIGKILLed mid-account: every message on the target exactly once, byte-exact', async () => {
    const names = ['w1', 'w2', 'w3'];
    const [w1, w2, w3] = names.map((n) => startWorker(n));
    const file = scratch.write('all.csv', csv(SOURCES.map((s, i) => [s, TARGETS[i]!])));
    const run = batch(file);
    // SIGKILL w1 while it runs an account it has not finished.
    let stderr1 = '';
    w1!.child.stderr!.on('data', (d: Buffer) => (stderr1 += d.toString()));
    const deadline = Date.now() + 60_000;
    let killedLabel: string | undefined;
    while (!killedLabel && Date.now() < deadline) {
      const running = [...stderr1.matchAll(/Running (\S+) -> /g)].map((m) => m[1]!);
      const doneCount = (stderr1.match(/ (Done|FAILED) /g) ?? []).length;
      if (running.length >= 2 && running.length > doneCount) killedLabel = running[running.length - 1];
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(killedLabel, 'w1 never ran an account').toBeDefined();
    w1!.child.kill('SIGKILL');
    const killed = await w1!.done;
    expect(killed.signal).toBe('SIGKILL');
    logs.push(killed.stderr);

    const r = await run;
    expect(r.code, describeRun(r)).toBe(0);
    expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    const report = parseReport(r.stdout);
    expect(report.accounts).toHaveLength(N);
    const doc = JSON.parse(r.stdout) as { accounts: Array<{ source: string; status: string; worker: string | null }> };
    for (const a of doc.accounts) {
      expect(a.status, a.source).toBe('done');
      expect(names, a.source).toContain(a.worker);
    }
    // The account w1 was killed in was finished by another worker.
    const handedOver = doc.accounts.find((a) => killedLabel!.includes(encodeURIComponent(a.source)));
    expect(handedOver?.worker).not.toBe('w1');
    expect(r.stderr).toContain('stopped answering');
    for (let i = 0; i < N; i++) await expectExactlyOnce(SOURCES[i]!, TARGETS[i]!);
    for (const w of [w2!, w3!]) expect((await stopWorker(w)).code).toBe(0);
  }, 150_000);

  it('a second enqueuer of the same accounts follows the queued jobs: each account runs once', async () => {
    const pairs: Array<[DovecotUser, DovecotUser]> = [0, 1, 2].map((i) => [SOURCES[i]!, TARGETS_B[i]!]);
    const file = scratch.write('second.csv', csv(pairs));
    const args = [...hosts(), '--accounts', file, '--queue', redis.url, '--cluster-key-file', keyFile, '--concurrency', '2', '--json'];
    // No worker yet: the first batch's jobs wait in the queue when the second batch comes.
    const first = spawnCli(args, { timeoutMs: 120_000 });
    const waiting = async (n: number) => {
      for (let t = 0; t < 400 && Number(redis.cli(['LLEN', 'mailmover:accounts:wait']).trim()) < n; t++) await new Promise((r) => setTimeout(r, 50));
    };
    await waiting(3);
    const second = spawnCli(args, { timeoutMs: 120_000 });
    let secondErr = '';
    second.child.stderr!.on('data', (d: Buffer) => (secondErr += d.toString()));
    for (let t = 0; t < 400 && (secondErr.match(/already queued or running/g) ?? []).length < 3; t++) await new Promise((r) => setTimeout(r, 50));
    expect(Number(redis.cli(['LLEN', 'mailmover:accounts:wait']).trim())).toBe(3);
    const w = startWorker('w4');
    const [a, b] = await Promise.all([first.done, second.done]);
    logs.push(a.stdout, a.stderr, b.stdout, b.stderr);
    expect(a.code, describeRun(a)).toBe(0);
    expect(b.code, describeRun(b)).toBe(0);
    expect((b.stderr.match(/already queued or running in the cluster/g) ?? []).length).toBe(3);
    const ra = parseReport(a.stdout);
    const rb = parseReport(b.stdout);
    expect(rb.accounts).toEqual(ra.accounts);
    const stopped = await stopWorker(w);
    expect((stopped.stderr.match(/Running /g) ?? []).length, stopped.stderr).toBe(3);
    for (const [s, t] of pairs) await expectExactlyOnce(s, t);
  }, 120_000);

  it('a worker with another cluster key refuses the job; the account shows why, and the worker stops', async () => {
    const wrong = await runCli(['init', '--out', scratch.path('other.key')], { command: 'cluster' });
    expect(wrong.code).toBe(0);
    const w = startWorker('wrongkey', scratch.path('other.key'), 1);
    const r = await batch(scratch.write('wrong.csv', csv([[SOURCES[3]!, TARGET_C]])));
    expect(r.code, describeRun(r)).toBe(1);
    const doc = JSON.parse(r.stdout) as { accounts: Array<{ status: string; worker: string | null; error: { code: string; message: string } | null }> };
    expect(doc.accounts[0]!.status).toBe('failed');
    expect(doc.accounts[0]!.worker).toBe('wrongkey');
    expect(doc.accounts[0]!.error?.message).toContain("this worker's cluster key does not match the coordinator's; copy the key written by `bridge cluster init`");
    const end = await w.done;
    logs.push(end.stdout, end.stderr);
    expect(end.code, end.stderr).toBe(3);
    expect(end.stderr).toContain('cluster key does not match');
    expect(await readFolder(target, TARGET_C, 'INBOX')).toEqual([]);
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
