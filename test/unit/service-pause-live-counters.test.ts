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
import type { BridgeService } from '../../bridge/service/bridge-service';
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

/** Reports the start of copying (stored), then 3,071 copied (not stored), then waits to be stopped. */
class CopyingRunner extends HeldRunner {
  reported = false;
  override run(req: PassRequest, callbacks: unknown, signal: AbortSignal) {
    const pending = super.run(req, callbacks, signal);
    const cb = callbacks as PassCallbacks;
    cb.onProgress?.(progress('copying', 3));
    cb.onProgress?.(progress('copying', 3071));
    this.reported = true;
    return pending;
  }
}

const held = new HeldServices();
afterEach(() => held.cleanup());
const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });

async function copyingAccount(): Promise<{ s: BridgeService; accountId: string; runner: CopyingRunner }> {
  const runner = new CopyingRunner();
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
});
