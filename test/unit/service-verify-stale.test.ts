/**
 * 已核验 is what an admin reads before closing the old system: it must describe the mailbox
 * the account copies into now. A check of a target the account no longer copies into (the
 * job's target server changed, or a closed account imported again towards another mailbox)
 * is not shown as the account's check, on screen or in the report CSV.
 * The verify itself is replaced by a stand-in that says "verified" for whatever it is given
 * (the servers are not what is tested here); the service's bookkeeping around it is real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { paramsSchema } from '../../shared/protocol/requests';
import type { VerifyAccount } from '../../shared/verify';
import type { BridgeService } from '../../bridge/service/bridge-service';
import { HeldRunner, HeldServices, until } from '../support/held-service';

const verifyCalls: Array<{ target: string; release: () => void }> = [];
let holdVerify = false;
/** Stands in for the check: "verified" for whatever it is given (optionally held until released). */
async function standInVerify(job: { source: { user: string }; target: { user: string; host: string } }): Promise<VerifyAccount> {
  if (holdVerify) await new Promise<void>((release) => verifyCalls.push({ target: job.target.host, release }));
  return {
    source: job.source.user,
    target: job.target.user,
    status: 'verified',
    depth: 'metadata',
    checkedAt: new Date().toISOString(),
    folders: [{ source: 'INBOX', target: 'INBOX', sourceCount: 3, targetCount: 3, matched: 3, missing: [], extra: [], changed: [], skipped: [], rewritten: [], elsewhere: [], outOfScope: 0 }],
    totals: { matched: 3, missing: 0, extra: 0, changed: 0, skipped: 0, elsewhere: 0 },
  };
}

const held = new HeldServices();
afterEach(async () => {
  holdVerify = false;
  for (const c of verifyCalls.splice(0)) c.release();
  await held.cleanup();
});

function service(runner: HeldRunner): BridgeService {
  // Module mocks do not reach a file that shares its worker's modules (the unit project's isolate: false).
  return held.start(mkdtempSync(join(tmpdir(), 'mailmover-verify-stale-')), runner, (s) => {
    (s as unknown as { ctx: { verifyResults: { verify: unknown } } }).ctx.verifyResults.verify = standInVerify;
  });
}

const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });
const csv = (rows: string[]) => Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');

/** One account whose first pass is done and verified (syncing hourly). */
async function verifiedAccount(s: BridgeService, runner: HeldRunner): Promise<{ accountId: string; jobId: string }> {
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name: 'stale',
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      incremental: { intervalMinutes: 60, windowDays: 30 },
      accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64: csv(['a@old.test,pw-src-1,a@new.test,pw-tgt-1']) }],
    }) as never,
  );
  const accountId = r.imports[0]!.accounts[0]!.id;
  expect(await until(() => runner.calls.length === 1)).toBe(true);
  runner.calls[0]!.finish();
  expect(await until(() => s.accounts.getAccount({ accountId }).account.verify?.status === 'verified')).toBe(true);
  return { accountId, jobId: r.job!.id };
}

const reportRow = (s: BridgeService, jobId: string): Record<string, string> => {
  const { csv: text } = s.jobs.report(jobId);
  return (parse(text.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>)[0]!;
};

describe('已核验 describes the mailbox the account copies into now', () => {
  it('after the job\'s target server changed, the old target\'s check is not shown (screen and report)', async () => {
    const runner = new HeldRunner();
    const s = service(runner);
    const { accountId, jobId } = await verifiedAccount(s, runner);
    expect(reportRow(s, jobId)).toMatchObject({ verify_status: 'verified', verify_status_zh: '已核验' });
    s.jobs.updateJob(paramsSchema('job.update').parse({ jobId, patch: { target: server('imap.other-provider.test') }, targetServer: server('imap.other-provider.test') }) as never);
    expect(s.accounts.getAccount({ accountId }).account.verify ?? null).toBeNull();
    expect(reportRow(s, jobId)).toMatchObject({ verify_status: '', verify_status_zh: '' });
  });

  it('a check of the old target still under way when the target changed is not stored as the account\'s', async () => {
    const runner = new HeldRunner();
    const s = service(runner);
    const { accountId, jobId } = await verifiedAccount(s, runner);
    holdVerify = true;
    expect(s.verify.verifyAccounts(paramsSchema('account.verify').parse({ accountIds: [accountId], deep: false }) as never).results[0]!.ok).toBe(true);
    expect(await until(() => verifyCalls.length === 1)).toBe(true);
    s.jobs.updateJob(paramsSchema('job.update').parse({ jobId, patch: { target: server('imap.other-provider.test') }, targetServer: server('imap.other-provider.test') }) as never);
    verifyCalls[0]!.release();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.accounts.getAccount({ accountId }).account.verify ?? null).toBeNull();
  });

  it('a closed account imported again towards another mailbox does not keep the old mailbox\'s 已核验', async () => {
    const runner = new HeldRunner();
    const s = service(runner);
    const { accountId, jobId } = await verifiedAccount(s, runner);
    s.accounts.stopAccounts({ accountIds: [accountId] });
    expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'closed')).toBe(true);
    const again = s.accounts.importAccounts(
      paramsSchema('accounts.import').parse({ jobId, mode: 'admin-with-passwords', autoStart: false, csvBase64: csv(['a@old.test,pw-src-1,b@new.test,pw-tgt-b']) }) as never,
    );
    expect(again.updated).toBe(1);
    expect(s.accounts.getAccount({ accountId }).account).toMatchObject({ target: 'b@new.test', status: 'not_started' });
    expect(s.accounts.getAccount({ accountId }).account.verify ?? null).toBeNull();
    expect(reportRow(s, jobId)).toMatchObject({ target: 'b@new.test', verify_status: '' });
  });
});
