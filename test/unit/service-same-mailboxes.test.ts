/**
 * Two jobs with the same mailbox pair (the wizard run again while the first job still syncs) in
 * the bridge service: their accounts' passes run one after another, never side by side (each
 * would APPEND the same messages), the one that waits shows "queued", and a copy of missing
 * messages holds back the other job's passes over the pair as it holds back its own account's.
 * The service runs with a runner whose passes end when the test says so; the real copy is
 * test/integration/bridge-same-mailboxes.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { paramsSchema } from '../../shared/protocol/requests';
import type { BridgeService } from '../../bridge/service/bridge-service';
import { HeldRunner, HeldServices, until } from '../support/held-service';

const held = new HeldServices();
afterEach(() => held.cleanup());

const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });
const csv = (rows: string[]) => Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');

/** A job with one account from a@old.test to a@new.test (written as `row` says), syncing every `intervalMinutes`. */
function job(s: BridgeService, name: string, intervalMinutes: number, row = 'a@old.test,pw-src-1,a@new.test,pw-tgt-1'): string {
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name,
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      incremental: { intervalMinutes, windowDays: 30 },
      accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64: csv([row]) }],
    }) as never,
  );
  return r.imports[0]!.accounts[0]!.id;
}

const account = (s: BridgeService, accountId: string) => s.accounts.getAccount({ accountId }).account;

describe('two jobs over the same mailbox pair', () => {
  it('run their passes one after another: the second waits queued, then runs; a sync falling due meanwhile waits queued too', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-pair-')), runner);
    const ids = [job(s, 'first', 1 / 60), job(s, 'again', 1 / 60, 'A@OLD.TEST,pw-src-1,A@New.Test,pw-tgt-1')];
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    const first = runner.calls[0]!.req.accountId;
    const second = ids.find((id) => id !== first)!;
    expect(await until(() => runner.calls.length === 2, 600)).toBe(false);
    expect(account(s, second)).toMatchObject({ status: 'in_progress', phase: 'queued', error: null });
    runner.calls[0]!.finish();
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    expect(runner.calls[1]!.req.accountId).toBe(second);
    // The first account's sync falls due (every second) while the second's first pass runs: it waits, shown queued.
    expect(await until(() => account(s, first).status === 'syncing' && account(s, first).phase === 'queued', 3000)).toBe(true);
    expect(account(s, first).nextRunAt).toBeNull();
    expect(runner.calls.length).toBe(2);
    runner.calls[1]!.finish();
    expect(await until(() => runner.calls.length === 3)).toBe(true);
    expect(runner.calls[2]!.req.accountId).toBe(first);
  });

  it('a copy of missing messages of one job holds back the other job\'s passes over the pair, and is refused while one runs', async () => {
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-pair-')), runner);
    const [a, b] = [job(s, 'first', 1), job(s, 'again', 1)];
    const jobOf = (id: string) => account(s, id).jobId;
    // The verify side stands in for the copy: it holds until the test ends it, as a long copy would.
    const results = (s as unknown as { ctx: { verifyResults: Record<string, unknown> } }).ctx.verifyResults;
    let copying = false;
    let endCopy = (): void => undefined;
    results.run = async () => null;
    results.get = () => ({ totals: { missing: 3 }, depth: 'quick' });
    results.isRunning = (id: string) => copying && id === a;
    results.isUnderWay = (id: string) => copying && id === a;
    results.underWayIds = () => (copying ? [a] : []);
    results.fix = () => {
      copying = true;
      return new Promise((resolve) => (endCopy = () => ((copying = false), resolve(null))));
    };
    // Both first passes, one after the other; then no sync is due for a minute.
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    runner.calls[1]!.finish();
    expect(await until(() => account(s, a).status === 'syncing' && account(s, b).status === 'syncing')).toBe(true);

    expect(s.verify.fixMissing({ jobId: jobOf(a), accountIds: [a] }).results[0]!.ok).toBe(true);
    // b is started by hand while a's copy runs: it waits for the copy.
    s.accounts.pauseAccounts({ accountIds: [b] });
    s.accounts.startAccounts({ accountIds: [b] });
    expect(await until(() => runner.calls.length === 3, 1500)).toBe(false);
    endCopy();
    expect(await until(() => runner.calls.length === 3)).toBe(true);
    expect(runner.calls[2]!.req.accountId).toBe(b);
    // While b's pass runs, a's copy is refused, naming why.
    const refused = s.verify.fixMissing({ jobId: jobOf(a), accountIds: [a] }).results[0]!;
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/another account \(a@old\.test\) is copying between the same mailboxes/) });
  });
});
