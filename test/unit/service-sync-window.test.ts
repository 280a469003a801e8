/**
 * The incremental-sync window as the service schedules it, where a wrong decision leaves new mail
 * on the old server for good: the pass that runs while the window ends is not the last one, an
 * outage of the old server does not end an account's syncing, a clock put back does not put off
 * the syncs, turning syncing on reaches the accounts past their first pass, a verify waiting its
 * turn holds no sync back, and with more accounts than may run at once every account still gets
 * its passes. The service runs
 * with a runner whose passes end when the test says so (the engine is not what is tested here).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { paramsSchema } from '../../shared/protocol/requests';
import type { AccountView } from '../../shared/protocol/account';
import type { BridgeService } from '../../bridge/service/bridge-service';
import { HeldRunner, HeldServices, until } from '../support/held-service';

const held = new HeldServices();
afterEach(() => held.cleanup());

const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });

/** A job with one account per name (n@old.test to n@new.test, in that order), started at once. */
function jobWith(s: BridgeService, names: string[], incremental: { intervalMinutes: number; windowDays: number }, concurrency = 2): string[] {
  const rows = names.map((n) => `${n}@old.test,pw-src-${n},${n}@new.test,pw-tgt-${n}`);
  const csvBase64 = Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name: 'window',
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      incremental,
      concurrency,
      accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64 }],
    }) as never,
  );
  return r.imports[0]!.accounts.map((a) => a.id);
}

const view = (s: BridgeService, accountId: string): AccountView => s.accounts.getAccount({ accountId }).account;

/**
 * The verify after each first pass done at once: a real one (to hosts that do not exist) holds its
 * account's passes while it tries, which would decide for the scheduler which accounts are due.
 */
const noVerify = (svc: BridgeService): void => {
  (svc as unknown as { ctx: { verifyResults: { run: () => Promise<null> } } }).ctx.verifyResults.run = async () => null;
};

describe('the end of the incremental window', () => {
  it('a sync pass still running when the window ends is followed by one more, which closes the account', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner);
    const [id] = jobWith(s, ['a'], { intervalMinutes: 1 / 60, windowDays: 5 / 86_400 });
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    const end = Date.parse(view(s, id!).syncEndsAt!);
    // This sync pass started inside the window...
    expect(Date.now()).toBeLessThan(end);
    // ...and the window ends while it runs: mail that reaches a folder it has already read
    // before the end is only seen by a pass that starts after the end.
    expect(await until(() => Date.now() > end, 10_000)).toBe(true);
    runner.calls[1]!.finish();
    expect(await until(() => runner.calls.length === 3)).toBe(true);
    runner.calls[2]!.finish();
    expect(await until(() => view(s, id!).status === 'closed')).toBe(true);
    expect(view(s, id!).hasSourcePassword).toBe(false);
    expect(runner.calls).toHaveLength(3);
  });
});

describe('a syncing account whose old server cannot be reached for a while', () => {
  it('keeps trying until its window ends, however many times in a row its passes fail', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, undefined, { retry: { baseMs: 20, maxMs: 40, maxTransientFailures: 2 } });
    const [id] = jobWith(s, ['a'], { intervalMinutes: 1 / 60, windowDays: 30 });
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    // The old server is unreachable (an outage, the laptop offline) for more retries than a first pass gets.
    for (let i = 1; i <= 4; i++) {
      expect(await until(() => runner.calls.length === i + 1)).toBe(true);
      runner.calls[i]!.finish({ status: 'failed', error: { code: 'CONNECT_FAILED', message: 'connection refused' } });
    }
    expect(await until(() => runner.calls.length === 6)).toBe(true);
    expect(view(s, id!)).toMatchObject({ status: 'syncing', attempts: 6 });
    runner.calls[5]!.finish();
    expect(await until(() => view(s, id!).phase === null && view(s, id!).error === null)).toBe(true);
    expect(view(s, id!).status).toBe('syncing');
  });
});

describe('the clock put back', () => {
  it('a next sync time further ahead than any wait the service sets is taken as due, not waited for', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner);
    const [id] = jobWith(s, ['a'], { intervalMinutes: 60, windowDays: 30 });
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => view(s, id!).status === 'syncing')).toBe(true);
    // The next sync is an hour away, as the job says: it waits.
    expect(await until(() => runner.calls.length === 2, 500)).toBe(false);
    // The system clock goes back a day (a wrong clock corrected, a VM restored): seen from now,
    // the next sync is a day and an hour away, longer than any interval or retry.
    const accounts = (s as unknown as { ctx: { accounts: { update(id: string, p: { nextRunAt: number }): unknown } } }).ctx.accounts;
    accounts.update(id!, { nextRunAt: Date.parse(view(s, id!).nextRunAt!) + 86_400_000 });
    expect(await until(() => runner.calls.length === 2)).toBe(true);
  });
});

describe('incremental sync turned on after the first pass', () => {
  it('an account whose first pass is done starts syncing, its window counted from that first pass', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner);
    const [id] = jobWith(s, ['a'], { intervalMinutes: 0, windowDays: 30 });
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => view(s, id!).status === 'first_pass_done')).toBe(true);
    const { jobId, firstPassDoneAt } = view(s, id!);
    s.jobs.updateJob({ jobId, patch: { incremental: { intervalMinutes: 1 / 60, windowDays: 30 } } });
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    runner.calls[1]!.finish();
    expect(await until(() => view(s, id!).lastSyncAt !== firstPassDoneAt)).toBe(true);
    expect(view(s, id!)).toMatchObject({ status: 'syncing', syncEndsAt: new Date(Date.parse(firstPassDoneAt!) + 30 * 86_400_000).toISOString() });
  });
});

describe('the verify after the first pass', () => {
  it("an account's syncs run while its verify only waits its turn behind another account's", async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, (svc) => {
      // A verify that takes as long as the test (a big mailbox read twice over): the ones after it wait.
      (svc as unknown as { ctx: { verifyResults: { verify: () => Promise<never> } } }).ctx.verifyResults.verify = () => new Promise<never>(() => undefined);
    });
    const [a, b] = jobWith(s, ['a', 'b'], { intervalMinutes: 1 / 60, windowDays: 30 });
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    runner.calls.find((c) => c.req.accountId === a)!.finish();
    expect(await until(() => view(s, a!).status === 'syncing')).toBe(true);
    runner.calls.find((c) => c.req.accountId === b)!.finish();
    // a's verify is under way, b's waits for it: b syncs meanwhile, a does not (its check reads what a pass would change).
    expect(await until(() => runner.calls.slice(2).some((c) => c.req.accountId === b))).toBe(true);
    expect(runner.calls.slice(2).every((c) => c.req.accountId === b)).toBe(true);
  });

  it('no pass of an account starts while its copy of the missing messages waits its turn, so the copy never runs beside a pass', async () => {
    const runner = new HeldRunner();
    const checked: Array<{ user: string; passRunning: boolean }> = [];
    let releaseFirst = (): void => undefined;
    const idOf = new Map<string, string>();
    const s: BridgeService = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, (svc) => {
      const results = (svc as unknown as { ctx: { verifyResults: Record<string, unknown> } }).ctx.verifyResults;
      // The verifies after the first passes are not what is tested; the last one found 3 missing.
      results.run = async () => null;
      results.get = () => ({ totals: { missing: 3 }, depth: 'quick' });
      // The check that opens each copy of the missing messages: the first takes as long as the test
      // says (a big mailbox), the next records whether a pass of its account runs beside it.
      results.verify = (job: { source: { user: string } }) => {
        const passRunning = view(svc, idOf.get(job.source.user)!).phase !== null;
        checked.push({ user: job.source.user, passRunning });
        if (checked.length === 1) return new Promise((_, reject) => (releaseFirst = () => reject(new Error('check ended'))));
        return Promise.reject(new Error('check ended'));
      };
    });
    const ids = jobWith(s, ['a', 'b', 'c'], { intervalMinutes: 1 / 60, windowDays: 30 });
    const [a, b, c] = ids as [string, string, string];
    ['a', 'b', 'c'].forEach((n, i) => idOf.set(`${n}@old.test`, ids[i]!));
    const callsOf = (id: string) => runner.calls.filter((x) => x.req.accountId === id);
    const settled = new Set<object>();
    const finishAll = (id: string) => callsOf(id).forEach((x) => settled.has(x) || (settled.add(x), x.finish()));
    expect(await until(() => runner.calls.length === 3)).toBe(true);
    for (const id of ids) finishAll(id);
    expect(await until(() => ids.every((id) => view(s, id).status === 'syncing'))).toBe(true);
    const jobId = view(s, a).jobId;
    // b's copy first: its check takes long. Then a's, asked for between two of a's passes: it waits its turn.
    expect(await until(() => (finishAll(b), s.verify.fixMissing({ jobId, accountIds: [b] }).results[0]!.ok))).toBe(true);
    expect(await until(() => checked.length === 1)).toBe(true);
    expect(checked[0]!.user).toBe('b@old.test');
    expect(await until(() => (finishAll(a), s.verify.fixMissing({ jobId, accountIds: [a] }).results[0]!.ok))).toBe(true);
    const aPasses = callsOf(a).length;
    // a comes due while its copy waits; a pass of c starting after that shows the scheduler has looked at a since.
    const aDue = Date.parse(view(s, a).nextRunAt!);
    expect(await until(() => Date.now() > aDue)).toBe(true);
    finishAll(c);
    const cPasses = callsOf(c).length;
    expect(await until(() => callsOf(c).length > cPasses)).toBe(true);
    expect(callsOf(a).length).toBe(aPasses);
    releaseFirst();
    expect(await until(() => checked.length === 2)).toBe(true);
    expect(checked[1]).toEqual({ user: 'a@old.test', passRunning: false });
    // Once its copy is over, a syncs again.
    expect(await until(() => callsOf(a).length > aPasses)).toBe(true);
  });
});

describe('more accounts than may run at once', () => {
  it('every account gets its passes in turn: the syncs of the first accounts do not keep the others waiting forever', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, undefined, { limits: { maxAccounts: 1 } });
    const names = ['a', 'b', 'c'];
    const ids = jobWith(s, names, { intervalMinutes: 1 / 60, windowDays: 30 });
    const allDue = () =>
      ids.every((id) => {
        const next = view(s, id).nextRunAt;
        return next === null || Date.parse(next) <= Date.now();
      });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      expect(await until(() => runner.calls.length === i + 1)).toBe(true);
      order.push(names[ids.indexOf(runner.calls[i]!.req.accountId)]!);
      // Each pass lasts longer than the interval (a big first pass, a slow server): when it ends, every other account is due.
      expect(await until(allDue, 5000)).toBe(true);
      runner.calls[i]!.finish();
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('first passes that last for days leave one account at a time free for the syncs of the accounts already past theirs', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, undefined, { limits: { maxAccounts: 2 } });
    const [early, f1, f2] = jobWith(s, ['early', 'f1', 'f2'], { intervalMinutes: 1 / 60, windowDays: 30 });
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    expect(runner.calls.map((c) => c.req.accountId)).toEqual([early, f1]);
    // early's first pass ends; f1's goes on (a big mailbox). early syncs every second from now.
    runner.calls[0]!.finish();
    const ofEarly = () => runner.calls.filter((c) => c.req.accountId === early);
    for (let n = 2; n <= 3; n++) {
      expect(await until(() => ofEarly().length === n)).toBe(true);
      ofEarly()[n - 1]!.finish();
    }
    // Meanwhile f2's first pass waited for f1's; it starts when f1's ends.
    expect(runner.calls.some((c) => c.req.accountId === f2)).toBe(false);
    runner.calls[1]!.finish();
    expect(await until(() => runner.calls.some((c) => c.req.accountId === f2))).toBe(true);
  });

  it('with no sync due soon the place kept for syncs goes to a first pass, which makes room when a sync comes due and resumes after it', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, noVerify, { limits: { maxAccounts: 2 } });
    const [early, f1, f2] = jobWith(s, ['early', 'f1', 'f2'], { intervalMinutes: 60, windowDays: 30 }) as [string, string, string];
    const callsOf = (id: string) => runner.calls.filter((c) => c.req.accountId === id);
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    expect(runner.calls.map((c) => c.req.accountId)).toEqual([early, f1]);
    // early's first pass ends: its next sync is an hour away. f1's first pass goes on (a big mailbox).
    callsOf(early)[0]!.finish();
    expect(await until(() => view(s, early).status === 'syncing')).toBe(true);
    // f2's first pass starts beside f1's instead of the second place standing idle for that hour.
    expect(await until(() => callsOf(f2).length === 1)).toBe(true);
    // The hour passes (the state store says so): f2's first pass, started last, stops between chunks and early's sync runs.
    (s as unknown as { ctx: { accounts: { update(id: string, p: { nextRunAt: number }): void } } }).ctx.accounts.update(early, { nextRunAt: Date.now() });
    expect(await until(() => callsOf(early).length === 2)).toBe(true);
    expect(view(s, f2)).toMatchObject({ status: 'in_progress', phase: 'queued', error: null });
    expect(view(s, f1).phase).toBe('connecting');
    expect(callsOf(f1)).toHaveLength(1);
    // The sync ends: f2 carries on.
    callsOf(early)[1]!.finish();
    expect(await until(() => callsOf(f2).length === 2)).toBe(true);
    expect(view(s, early)).toMatchObject({ status: 'syncing', error: null });
  });

  it('a first pass stopped to make room for a sync waits in the queue with no next run shown, not one in the past', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, noVerify, { limits: { maxAccounts: 2 } });
    const [early, f1, f2] = jobWith(s, ['early', 'f1', 'f2'], { intervalMinutes: 60, windowDays: 30 }) as [string, string, string];
    const callsOf = (id: string) => runner.calls.filter((c) => c.req.accountId === id);
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    expect(runner.calls.map((c) => c.req.accountId)).toEqual([early, f1]);
    callsOf(early)[0]!.finish();
    expect(await until(() => callsOf(f2).length === 1)).toBe(true);
    (s as unknown as { ctx: { accounts: { update(id: string, p: { nextRunAt: number }): void } } }).ctx.accounts.update(early, { nextRunAt: Date.now() });
    expect(await until(() => callsOf(early).length === 2)).toBe(true);
    expect(await until(() => view(s, f2).phase === 'queued')).toBe(true);
    // Queued like any first pass waiting for a place: the drawer shows no "Next run", least of all one already gone by.
    const shown = view(s, f2);
    expect(shown.status).toBe('in_progress');
    expect(shown.nextRunAt).toBeNull();
    // Its turn comes when the sync is over.
    callsOf(early)[1]!.finish();
    expect(await until(() => callsOf(f2).length === 2)).toBe(true);
  });

  it('an account that needs more connections to its source host than the others gets them: the narrower ones do not keep taking what frees up', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, noVerify, { limits: { maxAccounts: 4, maxConnectionsPerHost: 4 } });
    // Two jobs on one old server: three accounts with 2 connections each, then one with 4.
    const narrow = jobWith(s, ['y1', 'y2', 'y3'], { intervalMinutes: 1 / 60, windowDays: 30 }, 2);
    const [wide] = jobWith(s, ['x'], { intervalMinutes: 1 / 60, windowDays: 30 }, 4);
    const names = new Map([...narrow.map((id, i) => [id, `y${i + 1}`] as const), [wide!, 'x']]);
    const allDue = () =>
      [...names.keys()].every((id) => {
        const next = view(s, id).nextRunAt;
        return next === null || Date.parse(next) <= Date.now();
      });
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    // The passes end one after the other, each once every account waiting is due again: the
    // connections each one frees go to whoever the scheduler picks. From when y3's first pass has
    // ended (x waited for it, as for a first pass of hours, and a sync of y1 that fitted ran
    // meanwhile), the narrow syncs wait for x instead of taking in turn what each one frees.
    const started = () => runner.calls.some((c) => c.req.accountId === wide);
    for (let i = 0; i < 8 && !started(); i++) {
      expect(await until(allDue, 5000)).toBe(true);
      expect(await until(() => runner.calls.length > i)).toBe(true);
      const pass = runner.calls[i]!;
      if (pass.req.accountId === wide) break;
      pass.finish();
      expect(await until(() => view(s, pass.req.accountId).nextRunAt !== null)).toBe(true);
    }
    expect(started()).toBe(true);
    const order = runner.calls.map((c) => names.get(c.req.accountId));
    expect(order.slice(0, 3)).toEqual(['y1', 'y2', 'y3']);
    expect(order.indexOf('x')).toBeLessThanOrEqual(4);
  });

  it("a wider account waiting for a first pass of days on its host to end does not hold back the narrower ones' syncs meanwhile, and still starts when it ends", async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-window-')), runner, noVerify, { limits: { maxAccounts: 4, maxConnectionsPerHost: 4 } });
    // One old server: n (1 connection) syncs every second; then a job of two accounts with 3 connections each.
    const [n] = jobWith(s, ['n'], { intervalMinutes: 1 / 60, windowDays: 30 }, 1);
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => view(s, n!).status === 'syncing')).toBe(true);
    const [w1, w2] = jobWith(s, ['w1', 'w2'], { intervalMinutes: 1 / 60, windowDays: 30 }, 3);
    const callsOf = (id: string) => runner.calls.filter((c) => c.req.accountId === id);
    // w1's first pass (a big mailbox) takes 3 of the 4 connections; w2 waits for them.
    expect(await until(() => callsOf(w1!).length === 1)).toBe(true);
    // n's syncs use the connection left, one after another, while w1's first pass goes on.
    for (let k = 2; k <= 3; k++) {
      expect(await until(() => callsOf(n!).length === k)).toBe(true);
      expect(callsOf(w2!)).toHaveLength(0);
      callsOf(n!)[k - 1]!.finish();
    }
    // w1's ends: w2 gets its connections (n's syncs then wait for it, not the other way round).
    callsOf(w1!)[0]!.finish();
    expect(await until(() => callsOf(w2!).length === 1)).toBe(true);
  });
});
