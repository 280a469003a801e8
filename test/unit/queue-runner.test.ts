import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccountResult } from '../../shared/migration';
import type { AccountJob } from '../../bridge/engine/migrate';
import type { AccountOutcome, AccountQueue, EnqueueRequest } from '../../bridge/queue/account-queue';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { accountJobId } from '../../bridge/queue/queue-config';
import { QUEUE_PROTOCOL_VERSION } from '../../bridge/queue/protocol';
import { QueueRunner, queueKeyOf } from '../../bridge/queue/queue-runner';
import { legacyQueueJobId } from '../../bridge/queue/account-identity';
import type { Logger } from '../../bridge/service/logger';

/**
 * The coordinator's runner over a queue (a fake AccountQueue here; queue-coordinator.test.ts
 * runs the real one): what a pause, a stop or a shutdown does to a waiting and to a running
 * job, and how a restarted coordinator collects a pass it queued before.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mm-qrunner-'));
  dirs.push(d);
  return d;
};

const job: AccountJob = {
  source: { host: 'old.example.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false, user: 'a@old.example.com', auth: { kind: 'password', password: 'Src-pw-1' } },
  target: { host: 'new.example.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false, user: 'a@new.example.com', auth: { kind: 'password', password: 'Tgt-pw-1' } },
  options: {} as AccountJob['options'],
  stateKey: 'account:acc-1',
};
const JOB_ID = accountJobId(queueKeyOf(job));
const result = (copied: number): AccountResult => ({ source: 'a', target: 'a', status: 'done', messagesCopied: copied, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 10, folders: [], skipped: [], warnings: [], error: null });

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

/** A queue whose jobs are in one of: waiting, active (a worker runs it), done (its outcome), or gone. */
class FakeQueue extends EventEmitter {
  state = new Map<string, 'waiting' | 'active' | AccountOutcome>();
  enqueued: EnqueueRequest[] = [];
  cancelled: string[] = [];
  private waiters = new Map<string, Array<(o: AccountOutcome) => void>>();
  async enqueue(req: EnqueueRequest) {
    this.enqueued.push(req);
    const jobId = accountJobId(req.accountKey);
    const s = this.state.get(jobId);
    if (s === 'waiting' || s === 'active') return { jobId, state: 'already' as const };
    this.state.set(jobId, 'waiting');
    return { jobId, state: 'queued' as const };
  }
  waitFor(jobId: string): Promise<AccountOutcome> {
    const s = this.state.get(jobId);
    if (s === undefined) return Promise.resolve({ jobId, kind: 'failed', reason: 'the job is no longer in the queue (removed by someone else)' });
    if (typeof s === 'object') return Promise.resolve(s);
    return new Promise((resolve) => this.waiters.set(jobId, [...(this.waiters.get(jobId) ?? []), resolve]));
  }
  finish(jobId: string, outcome: AccountOutcome) {
    this.state.set(jobId, outcome);
    for (const w of this.waiters.get(jobId) ?? []) w(outcome);
    this.waiters.delete(jobId);
  }
  async cancel(jobId: string) {
    this.cancelled.push(jobId);
    if (this.state.get(jobId) === 'active') return 0;
    this.state.delete(jobId);
    return 1;
  }
  stopRequests: string[] = [];
  /** A worker of this version stops the job when asked; an older one ignores the request. */
  honoursStop = true;
  async requestStop(jobId: string) {
    this.stopRequests.push(jobId);
    if (this.honoursStop) setTimeout(() => this.finish(jobId, { jobId, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result: { ...result(2), status: 'failed', error: { code: 'CANCELLED', message: 'The migration was stopped.' } } } }), 5);
  }
  async workerOf() {
    return 'w1';
  }
  async workers() {
    return [];
  }
  async close() {}
}

function setup(dir = stateDir()) {
  const queue = new FakeQueue();
  const inflight = new InflightStore(dir);
  const runner = new QueueRunner({ queue: queue as unknown as AccountQueue, inflight, hostConnections: 6, queueLabel: 'redis://q:6379/0', log: quiet, stopWaitMs: 100 });
  const progress: number[] = [];
  const workers: string[] = [];
  const callbacks = { onProgress: (p: { messagesCopied: number }) => progress.push(p.messagesCopied), onRetry: () => undefined, onWorker: (w: string) => workers.push(w) };
  return { queue, inflight, runner, progress, workers, callbacks: callbacks as never, dir };
}
const tick = () => new Promise((r) => setTimeout(r, 10));

describe('QueueRunner', () => {
  it('enqueues the pass with the mailbox key and the host cap, forwards progress and the worker, returns the result', async () => {
    const t = setup();
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, new AbortController().signal);
    await tick();
    expect(t.queue.enqueued).toHaveLength(1);
    // The mailboxes as the pair lock compares them (account-identity.ts), not as written.
    expect(t.queue.enqueued[0]).toMatchObject({ accountKey: '["old.example.com","mail","a@old.example.com","new.example.com","mail","a@new.example.com"]', hostConnections: 6 });
    expect(t.queue.enqueued[0]!.job.stateKey).toBe('account:acc-1');
    t.queue.emit('progress', JOB_ID, { worker: 'w2', progress: { messagesCopied: 3 } });
    t.queue.emit('progress', 'acct-other', { worker: 'w9', progress: { messagesCopied: 99 } });
    t.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w2', result: result(5) } });
    expect((await run).messagesCopied).toBe(5);
    expect(t.progress).toEqual([3]);
    expect(t.workers).toEqual(['w2']);
    expect(t.runner.workerOf('acc-1')).toBe('w2');
    expect(t.inflight.pending('acc-1')).toBeUndefined();
  });

  it("a sync's spacing of unreadable messages (unreadableRetryMs) does not travel to the workers: each keeps its own store, so every pass tries them", async () => {
    const t = setup();
    const sync = { ...job, options: { ...job.options, unreadableRetryMs: 6 * 3_600_000 } };
    const run = t.runner.run({ accountId: 'acc-1', job: sync }, t.callbacks, new AbortController().signal);
    await tick();
    expect(t.queue.enqueued).toHaveLength(1);
    expect(t.queue.enqueued[0]!.job.options).not.toHaveProperty('unreadableRetryMs');
    expect(t.queue.enqueued[0]!.job.options.concurrency).toBe(job.options.concurrency);
    t.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w2', result: result(5) } });
    await run;
  });

  it('a refused or crashed job fails the account with CONFIG_INVALID and the reason', async () => {
    const t = setup();
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, new AbortController().signal);
    await tick();
    t.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'failed', reason: "this worker's cluster key does not match" });
    expect(await run).toMatchObject({ status: 'failed', error: { code: 'CONFIG_INVALID', message: "this worker's cluster key does not match" } });
  });

  it('pause of a running job: the worker is asked to stop it and the pass ends with its counters', async () => {
    const t = setup();
    const stop = new AbortController();
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, stop.signal);
    await tick();
    t.queue.state.set(JOB_ID, 'active');
    stop.abort();
    expect(await run).toMatchObject({ status: 'failed', messagesCopied: 2, error: { code: 'CANCELLED' } });
    expect(t.queue.stopRequests).toEqual([JOB_ID]);
    expect(t.inflight.pending('acc-1')).toBeUndefined();
  });

  it('pause: a waiting job is taken out of the queue; a running one a worker ignores the stop of finishes there and is collected next time', async () => {
    const t = setup();
    const stop = new AbortController();
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, stop.signal);
    await tick();
    stop.abort();
    expect(await run).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
    expect(t.queue.cancelled).toEqual([JOB_ID]);
    expect(t.queue.state.has(JOB_ID)).toBe(false);
    expect(t.inflight.pending('acc-1')).toBeUndefined();

    t.queue.honoursStop = false;
    const again = new AbortController();
    const run2 = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, again.signal);
    await tick();
    t.queue.state.set(JOB_ID, 'active');
    again.abort();
    expect(await run2).toMatchObject({ error: { code: 'CANCELLED', message: expect.stringContaining('finishes on its worker') } });
    expect(t.inflight.pending('acc-1')).toBe(JOB_ID);
    t.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result: result(7) } });
    // Resumed: the pass that went on is collected, not run again.
    const enqueuedBefore = t.queue.enqueued.length;
    expect((await t.runner.run({ accountId: 'acc-1', job }, t.callbacks, new AbortController().signal)).messagesCopied).toBe(7);
    expect(t.queue.enqueued.length).toBe(enqueuedBefore);
  });

  it('shutdown leaves the queue alone; the restarted coordinator follows the job, or queues it again when it is gone', async () => {
    const t = setup();
    const stop = new AbortController();
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, stop.signal);
    await tick();
    t.runner.prepareShutdown();
    stop.abort();
    expect(await run).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(t.queue.cancelled).toEqual([]);

    // A new coordinator on the same state dir (same queue): the job is still waiting, so it follows it.
    const restarted = setup(t.dir);
    restarted.queue.state = t.queue.state;
    const follow = restarted.runner.run({ accountId: 'acc-1', job }, restarted.callbacks, new AbortController().signal);
    await tick();
    expect(restarted.queue.enqueued).toHaveLength(0); // it was pending: followed, nothing queued
    restarted.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w3', result: result(2) } });
    expect((await follow).messagesCopied).toBe(2);

    // Pending, but the job vanished while the coordinator was down: queued again.
    const lost = setup(stateDir());
    lost.inflight.setPending('acc-1', JOB_ID);
    const requeued = lost.runner.run({ accountId: 'acc-1', job }, lost.callbacks, new AbortController().signal);
    await tick();
    expect(lost.queue.enqueued).toHaveLength(1);
    lost.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result: result(1) } });
    expect((await requeued).status).toBe('done');
  });

  it("a pass this coordinator queued before its update, under the account's former id, is followed to its end and collected, not queued again", async () => {
    const t = setup();
    const former = legacyQueueJobId(job);
    expect(former).not.toBe(JOB_ID);
    t.inflight.setPending('acc-1', former);
    t.queue.state.set(former, 'active');
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, new AbortController().signal);
    await tick();
    expect(t.queue.enqueued).toHaveLength(0);
    expect(t.queue.cancelled).toEqual([]);
    // Its progress reaches the account too.
    t.queue.emit('progress', former, { worker: 'w4', progress: { messagesCopied: 6 } });
    t.queue.finish(former, { jobId: former, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w4', result: result(7) } });
    expect((await run).messagesCopied).toBe(7);
    expect(t.progress).toEqual([6]);
    expect(t.queue.enqueued).toHaveLength(0);
    expect(t.inflight.pending('acc-1')).toBeUndefined();
  });

  it('a pass queued for the previous server settings ends before the new one is queued', async () => {
    const t = setup();
    t.inflight.setPending('acc-1', 'acct-previous');
    t.queue.state.set('acct-previous', 'active');
    const run = t.runner.run({ accountId: 'acc-1', job }, t.callbacks, new AbortController().signal);
    await tick();
    expect(t.queue.enqueued).toHaveLength(0);
    t.queue.finish('acct-previous', { jobId: 'acct-previous', kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result: result(0) } });
    await tick();
    expect(t.queue.enqueued).toHaveLength(1);
    t.queue.finish(JOB_ID, { jobId: JOB_ID, kind: 'result', value: { protocol: QUEUE_PROTOCOL_VERSION, worker: 'w1', result: result(4) } });
    expect((await run).messagesCopied).toBe(4);
  });
});
