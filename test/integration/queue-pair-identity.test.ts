import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import type { AccountJob } from '../../bridge/engine/migrate';
import { accountKey } from '../../bridge/engine/account-job';
import { acquirePairLock } from '../../bridge/engine/pair-lock';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { legacyQueueJobId } from '../../bridge/queue/account-identity';
import { loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { ACCOUNTS_QUEUE, QUEUE_PREFIX } from '../../bridge/queue/queue-config';
import { queueKeyOf } from '../../bridge/queue/queue-runner';
import { startQueueWorker, type QueueWorkerHandle } from '../../bridge/queue/queue-worker';
import { parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities, plainEndpoint } from '../support/engine-fixtures';

/**
 * Queue mode on a real redis-server and Dovecot: what one account is in the cluster, and a pass
 * a worker finds already running on its machine.
 * - The job id is made from the account's mailboxes as the pair lock compares them: the same
 *   account with its logins in other letters (two CSV rows, a coordinator and a batch, another
 *   coordinator) is one job, queued once and run once; otherwise workers on two machines would
 *   copy it at once and double its mail.
 * - A job queued by an earlier build under the account's former id (its mailboxes as written) is
 *   followed, not queued again beside it.
 * - A pass refused as ALREADY_RUNNING (a command-line run of the pair on the worker's machine)
 *   is no failed pass of the worker: its result goes back to whoever queued it, which asks again.
 */
const SRC: DovecotUser[] = [1, 2, 3].map((i) => ({ user: `ident${i}@old.example.com`, password: `Ident-src-${i}-pw-Zq8` }));
const TGT: DovecotUser[] = [1, 2, 3].map((i) => ({ user: `ident${i}@new.example.com`, password: `Ident-tgt-${i}-pw-Wv5` }));
const MESSAGES = 40;

describe('queue mode: one job per mailbox pair, and a pair busy on the worker machine', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  let key: ClusterKey;
  let q: AccountQueue;
  let raw: Queue;
  const workers: QueueWorkerHandle[] = [];
  const scratch = scratchDir('queue-pair-identity');

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([
      startRedis({ name: 'pair-identity' }),
      startDovecot({ name: 'ident-src', users: SRC }),
      startDovecot({ name: 'ident-tgt', users: TGT }),
    ]);
    for (const [i, u] of SRC.entries()) await seedFolder(source, u, 'INBOX', bulkMessages(MESSAGES, 300 + i, { prefix: `ident${i}` }));
    writeNewClusterKey(scratch.path('cluster.key'));
    key = loadClusterKey(scratch.path('cluster.key'));
    q = await AccountQueue.open(parseRedisUrl(redis.url), key);
    raw = new Queue(ACCOUNTS_QUEUE, { connection: redisConnectionOptions(parseRedisUrl(redis.url), 'test'), prefix: QUEUE_PREFIX });
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await Promise.all([q?.close(), raw?.close()]);
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  /** The account i, its logins (and nothing else) written as `spell` has them. */
  function account(i: number, spell: (login: string) => string = (l) => l): AccountJob {
    return {
      source: { ...plainEndpoint(source, { ...SRC[i]!, user: spell(SRC[i]!.user) }), protocol: 'imap' },
      target: { ...plainEndpoint(target, { ...TGT[i]!, user: spell(TGT[i]!.user) }), protocol: 'imap' },
      options: MigrationOptionsSchema.parse({ concurrency: 1 }),
    };
  }
  /** What the coordinator and the CLI batch pass: the key they make of the account. */
  const enqueue = (job: AccountJob) => q.enqueue({ accountKey: queueKeyOf(job), job, hostConnections: 8 });

  async function startWorker(name: string, log: string[]): Promise<QueueWorkerHandle> {
    const w = await startQueueWorker({ redis: parseRedisUrl(redis.url), clusterKey: key, stateDir: scratch.path(`state-${name}`), concurrency: 2, name, log: (l) => log.push(l) });
    workers.push(w);
    return w;
  }

  async function expectEachMessageOnce(i: number): Promise<void> {
    const [want, got] = await Promise.all([readFolder(source, SRC[i]!, 'INBOX'), readFolder(target, TGT[i]!, 'INBOX')]);
    expect(want).toHaveLength(MESSAGES);
    expect(identities(got)).toEqual(identities(want));
  }

  it("a job an earlier build queued under the account's former id is followed, not queued again beside it", async () => {
    const job = account(0);
    // An earlier build hashed the mailboxes as written: accountKey of the job.
    const old = await q.enqueue({ accountKey: accountKey(job), job, hostConnections: 8 });
    expect(old).toEqual({ jobId: legacyQueueJobId(job), state: 'queued' });
    const now = await enqueue(job);
    expect(now).toEqual({ jobId: old.jobId, state: 'already' });
    expect(await raw.getWaitingCount()).toBe(1);
    expect(await raw.remove(old.jobId)).toBe(1);
  });

  it('the same account with its logins in other letters is one job: queued once, run once, each message once', async () => {
    const written = account(1);
    const shouted = account(1, (l) => l.replace(/^\w+/, (w) => w.toUpperCase()).replace(/@(\w+)/, (_, d: string) => `@${d[0]!.toUpperCase()}${d.slice(1)}`));
    expect(shouted.source.user).not.toBe(written.source.user);
    const first = await enqueue(written);
    const second = await enqueue(shouted);
    expect(first.state).toBe('queued');
    // Before: two jobs, which workers on two machines (no common lock) would run at once.
    expect(second).toEqual({ jobId: first.jobId, state: 'already' });
    expect(await raw.getWaitingCount()).toBe(1);
    const log: string[] = [];
    const worker = await startWorker('ident-w1', log);
    const [a, b] = await Promise.all([q.waitFor(first.jobId), q.waitFor(second.jobId)]);
    expect(a).toEqual(b);
    expect(a.kind === 'result' && a.value.result).toMatchObject({ status: 'done', messagesCopied: MESSAGES });
    expect(log.filter((l) => l.startsWith('Running '))).toHaveLength(1);
    await expectEachMessageOnce(1);
    // The next case needs its own worker's log.
    await worker.stop();
    workers.splice(workers.indexOf(worker), 1);
  });

  it('a pass refused as ALREADY_RUNNING on the worker machine goes back as that result, no failed pass of the worker; once the other run ends it runs', async () => {
    const job = account(2);
    // Another process of the worker's machine copies the pair (this process stands for it: the lock
    // refuses a second holder in one process as in two).
    const held = await acquirePairLock(job.source, job.target);
    expect(held.ok).toBe(true);
    const log: string[] = [];
    const worker = await startWorker('ident-w2', log);
    const first = await q.waitFor((await enqueue(job)).jobId);
    // The queuing bridge decides from this result (waiting-retry, asked again in 2-4 minutes,
    // run-outcome.ts), a command-line batch reports it as a run beside another does.
    expect(first.kind === 'result' && first.value.result).toMatchObject({ status: 'failed', messagesCopied: 0, error: { code: 'ALREADY_RUNNING' } });
    const refused = log.find((l) => l.startsWith('Not run now '));
    expect(refused, log.join('\n')).toMatch(/Another mailmover run on this computer \(process \d+, running since .*\) is already migrating/);
    // Before: a "FAILED" line and a failed pass in the worker's figures.
    expect(log.filter((l) => l.startsWith('FAILED'))).toEqual([]);

    // The other run ends; the next pass runs.
    if (held.ok) held.lock.release();
    const second = await q.waitFor((await enqueue(job)).jobId);
    expect(second.kind === 'result' && second.value.result).toMatchObject({ status: 'done', messagesCopied: MESSAGES });
    await expectEachMessageOnce(2);
    // The worker's figures (its heartbeat): one account done, none failed.
    let figures = (await q.workers()).find((w) => w.name === worker.name);
    for (let i = 0; i < 40 && figures?.accountsDone !== 1; i++) {
      await new Promise((r) => setTimeout(r, 250));
      figures = (await q.workers()).find((w) => w.name === worker.name);
    }
    expect(figures).toMatchObject({ accountsDone: 1, accountsFailed: 0 });
  });
});
