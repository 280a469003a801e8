/**
 * An account's life in the bridge service, where a wrong move loses or doubles mail or sends a
 * password where it was not given for: a syncing account keeps syncing (after the bridge was
 * killed during a sync pass, after a retry by hand), no pass runs beside a copy of missing
 * messages, and a CSV imported again keeps each password with the server and mailbox it is
 * for. The service runs with a runner whose passes end when the test says so (the engine is
 * not what is tested here).
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
const service = (stateDir: string, runner: HeldRunner): BridgeService => held.start(stateDir, runner);

const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });

const csv = (rows: string[]) => Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');

/** One account (a@old.test to a@new.test), syncing every second for 30 days once its first pass is done, or `intervalMinutes`. */
function syncingJob(s: BridgeService, intervalMinutes = 1 / 60): string {
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name: 'sync',
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      incremental: { intervalMinutes, windowDays: 30 },
      accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64: csv(['a@old.test,pw-src-1,a@new.test,pw-tgt-1']) }],
    }) as never,
  );
  return r.imports[0]!.accounts[0]!.id;
}

describe('a syncing account keeps syncing', () => {
  it('after the bridge was killed during a sync pass: the next start runs it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-sync-'));
    const first = new HeldRunner();
    const before = service(dir, first);
    const accountId = syncingJob(before);
    expect(await until(() => first.calls.length === 1)).toBe(true);
    first.calls[0]!.finish();
    expect(await until(() => first.calls.length === 2)).toBe(true);
    expect(before.accounts.getAccount({ accountId }).account).toMatchObject({ status: 'syncing', phase: 'connecting' });
    // Killed: the first service never records how its pass ended; another opens the same state.
    held.forget(before);
    const second = new HeldRunner();
    const after = service(dir, second);
    expect(await until(() => second.calls.length === 1)).toBe(true);
    expect(after.accounts.getAccount({ accountId }).account.status).toBe('syncing');
  });

  it('retried by hand while it waited for a retry: it runs now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-sync-'));
    const runner = new HeldRunner();
    const s = service(dir, runner);
    const accountId = syncingJob(s);
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    // A transient failure of the sync pass: the account waits a minute for its retry.
    runner.calls[1]!.finish({ status: 'failed', error: { code: 'CONNECT_FAILED', message: 'connection cut' } });
    expect(await until(() => s.accounts.getAccount({ accountId }).account.phase === 'waiting-retry')).toBe(true);
    expect(s.accounts.retryAccounts({ accountIds: [accountId] }).results[0]!.ok).toBe(true);
    expect(await until(() => runner.calls.length === 3)).toBe(true);
    expect(s.accounts.getAccount({ accountId }).account.status).toBe('syncing');
  });

  it('no pass starts while the missing messages found by a verify are being copied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-sync-'));
    const runner = new HeldRunner();
    const s = service(dir, runner);
    const accountId = syncingJob(s);
    const jobId = s.accounts.getAccount({ accountId }).account.jobId;
    // The verify side stands in for the copy: it holds until the test ends it, as a long copy would.
    const results = (s as unknown as { ctx: { verifyResults: Record<string, unknown> } }).ctx.verifyResults;
    let copying = false;
    let endCopy = (): void => undefined;
    results.run = async () => null;
    results.get = () => ({ totals: { missing: 3 }, depth: 'quick' });
    results.isRunning = () => copying;
    results.isUnderWay = () => copying;
    results.fix = () => {
      copying = true;
      return new Promise((resolve) => (endCopy = () => ((copying = false), resolve(null))));
    };
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    runner.calls[1]!.finish();
    expect(await until(() => s.accounts.getAccount({ accountId }).account.nextRunAt !== null)).toBe(true);
    expect(s.verify.fixMissing({ jobId, accountIds: [accountId] }).results[0]!.ok).toBe(true);
    // The next sync falls due (every second) while the copy runs: it waits for the copy.
    expect(await until(() => runner.calls.length === 3, 2500)).toBe(false);
    endCopy();
    expect(await until(() => runner.calls.length === 3)).toBe(true);
  });
});

describe('a CSV imported again', () => {
  it('a row moving an open account to another target mailbox is refused, by line, and nothing is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-reimport-'));
    const runner = new HeldRunner();
    const s = service(dir, runner);
    const accountId = syncingJob(s, 0);
    const jobId = s.accounts.getAccount({ accountId }).account.jobId;
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish({ status: 'failed', error: { code: 'AUTH_FAILED', message: 'target login failed', side: 'target' } });
    expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'failed')).toBe(true);
    const again = s.accounts.importAccounts(
      paramsSchema('accounts.import').parse({ jobId, mode: 'admin-with-passwords', autoStart: true, csvBase64: csv(['a@old.test,pw-src-1,b@new.test,pw-for-b']) }) as never,
    );
    expect(again.updated).toBe(0);
    expect(again.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/already being migrated to a@new\.test, not b@new\.test/) })]);
    // Retried: it logs in as its own target mailbox, with the password it had.
    expect(s.accounts.retryAccounts({ accountIds: [accountId] }).results[0]!.ok).toBe(true);
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    expect(runner.calls[1]!.req.job.target).toMatchObject({ user: 'a@new.test', auth: { password: 'pw-tgt-1' } });
  });

  it('a closed account kept on the old source server by a change for new accounts starts on the job\'s server of today', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-reimport-'));
    const runner = new HeldRunner();
    const s = service(dir, runner);
    const accountId = syncingJob(s, 60);
    const jobId = s.accounts.getAccount({ accountId }).account.jobId;
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    await s.jobs.changeServer(paramsSchema('server.change').parse({ jobId, scope: 'new-accounts', host: 'imap.moved.test' }) as never);
    runner.calls[0]!.finish();
    expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'syncing')).toBe(true);
    s.accounts.stopAccounts({ accountIds: [accountId] });
    expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'closed')).toBe(true);
    const again = s.accounts.importAccounts(
      paramsSchema('accounts.import').parse({ jobId, mode: 'admin-with-passwords', autoStart: true, csvBase64: csv(['a@old.test,pw-src-NEW,a@new.test,pw-tgt-1']) }) as never,
    );
    expect(again.updated).toBe(1);
    expect(await until(() => runner.calls.length === 2)).toBe(true);
    expect(runner.calls[1]!.req.job.source).toMatchObject({ host: 'imap.moved.test', auth: { password: 'pw-src-NEW' } });
  });
});

describe('a closed account imported again', () => {
  it('towards another target mailbox: its runs keep no checkpoint of the old mailbox (they would copy nothing); towards the same one they carry on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-reimport-elsewhere-'));
    const runner = new HeldRunner();
    const s = service(dir, runner);
    const accountId = syncingJob(s, 60);
    const jobId = s.accounts.getAccount({ accountId }).account.jobId;
    const closeAndImport = async (row: string, calls: number) => {
      runner.calls[calls - 1]!.finish();
      expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'syncing')).toBe(true);
      s.accounts.stopAccounts({ accountIds: [accountId] });
      expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'closed')).toBe(true);
      const again = s.accounts.importAccounts(paramsSchema('accounts.import').parse({ jobId, mode: 'admin-with-passwords', autoStart: true, csvBase64: csv([row]) }) as never);
      expect(again.updated).toBe(1);
      expect(await until(() => runner.calls.length === calls + 1)).toBe(true);
      return runner.calls[calls]!.req.job;
    };
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    const first = runner.calls[0]!.req.job;
    const sameMailbox = await closeAndImport('a@old.test,pw-src-1,a@new.test,pw-tgt-1', 1);
    expect(sameMailbox.stateKey).toBe(first.stateKey);
    const elsewhere = await closeAndImport('a@old.test,pw-src-1,b@new.test,pw-for-b', 2);
    expect(elsewhere.target).toMatchObject({ user: 'b@new.test' });
    expect(elsewhere.stateKey).not.toBe(first.stateKey);
  });
});

describe('a job whose old and new mailboxes are on one server (a domain change within one provider)', () => {
  it('a row with one mailbox on both sides, or chaining into an open account\'s old mailbox, is refused by line, and nothing is stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-same-server-'));
    const runner = new HeldRunner();
    const s = service(dir, runner);
    const r = s.jobs.createJobWithAccounts(
      paramsSchema('job.createWithAccounts').parse({
        name: 'rename',
        source: { protocol: 'imap', ...server('imap.same.test') },
        target: server('IMAP.same.test'),
        accounts: [{ mode: 'admin-with-passwords', autoStart: false, csvBase64: csv(['a@old.test,pw-a,a@new.test,pw-a2']) }],
      }) as never,
    );
    const jobId = r.job!.id;
    expect(r.imports[0]!.errors).toEqual([]);
    const importing = (rows: string[]) =>
      s.accounts.importAccounts(paramsSchema('accounts.import').parse({ jobId, mode: 'admin-with-passwords', autoStart: false, csvBase64: csv(rows) }) as never);

    const self = importing(['b@old.test,pw-b,b@new.test,pw-b2', 'C@old.test,pw-c,c@old.test,pw-c2']);
    expect(self.imported).toBe(0);
    expect(self.errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/c@old\.test is both the old and the new mailbox on IMAP\.same\.test:993/), messageZh: expect.stringMatching(/既是旧邮箱又是新邮箱/) })]);

    const chain = importing(['z@old.test,pw-z,a@old.test,pw-z2']);
    expect(chain.imported).toBe(0);
    expect(chain.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/z@old\.test is copied into a@old\.test, which is itself copied into a@new\.test/) })]);
    expect(s.accounts.listAccounts(paramsSchema('account.list').parse({ jobId }) as never).accounts.map((a: { source: string }) => a.source)).toEqual(['a@old.test']);

    // A row pairing an old mailbox with a new one is imported as ever.
    expect(importing(['b@old.test,pw-b,b@new.test,pw-b2']).imported).toBe(1);
  });
});

describe('server.change to another host', () => {
  it('does not carry the old host\'s certificate exception to the new one unless given again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-server-change-'));
    const s = service(dir, new HeldRunner());
    const r = s.jobs.createJobWithAccounts(
      paramsSchema('job.createWithAccounts').parse({
        name: 'self-signed',
        source: { protocol: 'imap', ...server('imap.old.test'), insecureTls: true, allowPlaintext: true },
        target: server('imap.new.test'),
        accounts: [{ mode: 'admin-with-passwords', autoStart: false, csvBase64: csv(['a@old.test,pw-a,a@new.test,pw-a2']) }],
      }) as never,
    );
    const jobId = r.job!.id;
    const samePlace = await s.jobs.changeServer(paramsSchema('server.change').parse({ jobId, scope: 'all-accounts', host: 'IMAP.old.test', port: 994 }) as never);
    expect(samePlace.job.source).toMatchObject({ host: 'IMAP.old.test', port: 994, insecureTls: true, allowPlaintext: true });
    const moved = await s.jobs.changeServer(paramsSchema('server.change').parse({ jobId, scope: 'all-accounts', host: 'imap.elsewhere.test' }) as never);
    expect(moved.job.source).toMatchObject({ host: 'imap.elsewhere.test', insecureTls: false, allowPlaintext: true });
    const given = await s.jobs.changeServer(paramsSchema('server.change').parse({ jobId, scope: 'all-accounts', host: 'imap.third.test', insecureTls: true }) as never);
    expect(given.job.source).toMatchObject({ host: 'imap.third.test', insecureTls: true, allowPlaintext: true });
  });
});
