/**
 * Pausing or closing an account in the middle of its pass: its row keeps the figures the pass
 * had reached. The stored counters are those of the pass's last phase change (the start of
 * copying), so the paused row used to show its count going back (3,071 copied → 0) until the
 * pass had stopped. The pass runner is a stand-in that reports progress and then waits to be
 * stopped; the service's bookkeeping is real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountProgress } from '../../shared/migration';
import { paramsSchema } from '../../shared/protocol/requests';
import type { BridgeService, ServiceEvent } from '../../bridge/service/bridge-service';
import type { PassCallbacks, PassRequest } from '../../bridge/service/runner/account-runner';
import { HeldRunner, HeldServices, until } from '../support/held-service';

const progress = (phase: AccountProgress['phase'], copied: number): AccountProgress => ({
  type: 'account-progress',
  account: 'a',
  phase,
  messagesTotal: 7003,
  messagesCopied: copied,
  messagesSkipped: 0,
  messagesAlreadyPresent: 0,
  bytesTotal: 7003 * 1000,
  bytesCopied: copied * 1000,
  rate: 100,
  bytesPerSecond: 100_000,
  etaSeconds: 10,
  folders: [],
});

/**
 * Reports the start of copying (stored), then 3,071 copied (not stored), then waits to be
 * stopped. Like the engine, it takes a while to stop: the pass ends when the test calls
 * `stopped()`, not at the abort.
 */
class CopyingRunner extends HeldRunner {
  reported = false;
  aborted = false;
  override run(req: PassRequest, callbacks: unknown, signal: AbortSignal) {
    const pending = super.run(req, callbacks, new AbortController().signal);
    signal.addEventListener('abort', () => (this.aborted = true));
    const cb = callbacks as PassCallbacks;
    cb.onProgress?.(progress('copying', 3));
    cb.onProgress?.(progress('copying', 3071));
    this.reported = true;
    return pending;
  }

  /** The pass has finished the chunk it was copying and stops. */
  stopped(): void {
    this.calls.at(-1)?.finish({ status: 'failed', error: { code: 'CANCELLED', message: 'stopped' } });
  }
}

const held = new HeldServices();
const runners: CopyingRunner[] = [];
afterEach(async () => {
  // A service stops by stopping its passes: end the ones a test left waiting.
  for (const r of runners.splice(0)) r.stopped();
  await held.cleanup();
});
const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });

async function copyingAccount(): Promise<{ s: BridgeService; accountId: string; runner: CopyingRunner }> {
  const runner = new CopyingRunner();
  runners.push(runner);
  const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-pause-live-')), runner);
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name: 'pause',
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64: Buffer.from('source,source_password,target,target_password\na@old.test,pw-1,a@new.test,pw-2\n').toString('base64') }],
    }) as never,
  );
  const accountId = r.imports[0]!.accounts[0]!.id;
  expect(await until(() => runner.reported)).toBe(true);
  return { s, accountId, runner };
}

describe('pause and close while a pass copies', () => {
  it('a running account is shown with the figures its pass reached, not those of its last phase change', async () => {
    const { s, accountId } = await copyingAccount();
    const view = s.accounts.getAccount({ accountId }).account;
    expect(view.status).toBe('in_progress');
    expect(view.counters).toMatchObject({ messagesTotal: 7003, messagesCopied: 3071 });
    // A list (the monitor's first load) says the same.
    expect(s.accounts.listAccounts({ jobId: view.jobId } as never).accounts[0]!.counters.messagesCopied).toBe(3071);
  });

  it.each([
    { action: 'pause', status: 'paused', act: (s: BridgeService, accountId: string) => s.accounts.pauseAccounts({ accountIds: [accountId] } as never) },
    { action: 'close', status: 'closed', act: (s: BridgeService, accountId: string) => s.accounts.stopAccounts({ accountIds: [accountId] } as never) },
  ])('$action: the account keeps the figures the pass reached', async ({ status, act }) => {
    const { s, accountId } = await copyingAccount();
    act(s, accountId);
    const view = s.accounts.getAccount({ accountId }).account;
    expect(view.status).toBe(status);
    expect(view.counters).toMatchObject({ messagesTotal: 7003, messagesCopied: 3071 });
  });

  it.each([
    { action: 'pause', status: 'paused', act: (s: BridgeService, accountId: string) => s.accounts.pauseAccounts({ accountIds: [accountId] } as never) },
    { action: 'close', status: 'closed', act: (s: BridgeService, accountId: string) => s.accounts.stopAccounts({ accountIds: [accountId] } as never) },
  ])('$action: the account shows it is stopping until its pass has stopped, then says so', async ({ status, act }) => {
    const { s, accountId, runner } = await copyingAccount();
    const seen: Array<{ status: string; stopping: boolean }> = [];
    s.on((e) => {
      if (e.event !== 'account.status') return;
      const { account } = (e as ServiceEvent<'account.status'>).data;
      if (account.id === accountId) seen.push({ status: account.status, stopping: account.stopping });
    });
    expect(s.accounts.getAccount({ accountId }).account.stopping).toBe(false);
    act(s, accountId);
    expect(await until(() => runner.aborted)).toBe(true);
    expect(s.accounts.getAccount({ accountId }).account).toMatchObject({ status, stopping: true });
    expect(seen[0]).toEqual({ status, stopping: true });
    runner.stopped();
    expect(await until(() => !s.accounts.getAccount({ accountId }).account.stopping)).toBe(true);
    expect(s.accounts.getAccount({ accountId }).account.status).toBe(status);
    // The clients are told, once each way, not only a later reload: the pass's outcome is the "stopped".
    expect(seen).toEqual([
      { status, stopping: true },
      { status, stopping: false },
    ]);
  });

  it('pausing the whole job: answered at once; its running account says it is stopping until its pass has stopped', async () => {
    const { s, accountId, runner } = await copyingAccount();
    const jobId = s.accounts.getAccount({ accountId }).account.jobId;
    const seen: Array<{ status: string; stopping: boolean }> = [];
    s.on((e) => {
      if (e.event !== 'account.status') return;
      const { account } = (e as ServiceEvent<'account.status'>).data;
      if (account.id === accountId) seen.push({ status: account.status, stopping: account.stopping });
    });
    // Answered at once, while the pass still finishes its chunk (a client gave up waiting before).
    expect(s.jobs.pauseJob(jobId).status).toBe('paused');
    expect(await until(() => runner.aborted)).toBe(true);
    expect(s.accounts.getAccount({ accountId }).account).toMatchObject({ status: 'in_progress', stopping: true });
    runner.stopped();
    expect(await until(() => !s.accounts.getAccount({ accountId }).account.stopping)).toBe(true);
    expect(s.accounts.getAccount({ accountId }).account).toMatchObject({ status: 'in_progress', stopping: false });
    expect(seen[0]).toEqual({ status: 'in_progress', stopping: true });
    expect(seen.at(-1)).toEqual({ status: 'in_progress', stopping: false });
  });
});
