/**
 * What the bridge keeps of a pass in its own process: the warnings, the error and the skip
 * reasons carry a server's words (a refused folder name, a refusal of an APPEND), and a server
 * can echo the login it was given. None of it may reach the stored account, its view or the
 * report CSV with a password in it (the queue's workers mask them before the result leaves
 * them; the in-process runner hands the engine's result over as it is). The same holds for the
 * errors of a verify the bridge runs (its own logins to both servers).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { paramsSchema } from '../../shared/protocol/requests';
import type { BridgeService } from '../../bridge/service/bridge-service';
import type { VerifyAccount } from '../../shared/verify';
import { HeldRunner, HeldServices, until } from '../support/held-service';

const held = new HeldServices();
afterEach(() => held.cleanup());

const server = (host: string) => ({ host, port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false });
const csv = (rows: string[]) => Buffer.from(['source,source_password,target,target_password', ...rows].join('\n') + '\n').toString('base64');

const SOURCE_PASSWORD = 'src-Secret-4711';
const TARGET_PASSWORD = 'tgt-Secret-0815';

function oneAccount(s: BridgeService): { jobId: string; accountId: string } {
  const r = s.jobs.createJobWithAccounts(
    paramsSchema('job.createWithAccounts').parse({
      name: 'echo',
      source: { protocol: 'imap', ...server('imap.old.test') },
      target: server('imap.new.test'),
      incremental: { intervalMinutes: 0, windowDays: 1 },
      accounts: [{ mode: 'admin-with-passwords', autoStart: true, csvBase64: csv([`a@old.test,${SOURCE_PASSWORD},a@new.test,${TARGET_PASSWORD}`]) }],
    }) as never,
  );
  return { jobId: r.job!.id, accountId: r.imports[0]!.accounts[0]!.id };
}

describe('a pass whose server echoed the login', () => {
  it('keeps its warnings and error without the passwords, in the view, after a restart and in the CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-echo-'));
    const runner = new HeldRunner();
    const s = held.start(dir, runner);
    const { jobId, accountId } = oneAccount(s);
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish({
      status: 'failed',
      warnings: [
        { code: 'FOLDER_RENAMED', message: `The target refused the folder name "Pro" ("NO bad name (LOGIN a@new.test ${TARGET_PASSWORD})"); its mail goes to "Pro_" instead.` },
      ],
      error: { code: 'AUTH_FAILED', side: 'source', message: `The source said: "LOGIN a@old.test ${SOURCE_PASSWORD} rejected".` },
    });
    expect(await until(() => s.accounts.getAccount({ accountId }).account.status === 'failed')).toBe(true);
    const view = s.accounts.getAccount({ accountId }).account;
    expect(view.warnings.map((w) => w.code)).toEqual(['FOLDER_RENAMED']);
    expect(view.warnings[0]!.message).toContain('LOGIN a@new.test');
    expect(view.error?.message).toContain('LOGIN a@old.test');
    const shown = JSON.stringify(view) + s.jobs.report(jobId, 'en').csv + s.jobs.report(jobId, 'zh-CN').csv;
    expect(shown).not.toContain(SOURCE_PASSWORD);
    expect(shown).not.toContain(TARGET_PASSWORD);
    await s.stop();
    held.forget(s);
    const again = held.start(dir, new HeldRunner());
    const reopened = JSON.stringify(again.accounts.getAccount({ accountId }).account);
    expect(reopened).toContain('LOGIN a@new.test');
    expect(reopened).not.toContain(SOURCE_PASSWORD);
    expect(reopened).not.toContain(TARGET_PASSWORD);
  });
});

describe('a verify whose servers echoed the login', () => {
  it('keeps its errors without the passwords, in the view and the CSV', async () => {
    // Module mocks do not reach a file that shares its worker's modules (the unit project's isolate: false).
    const echoingVerify = async (job: { source: { user: string }; target: { user: string } }): Promise<VerifyAccount> => ({
      source: job.source.user,
      target: job.target.user,
      status: 'failed',
      error: { code: 'AUTH_FAILED', side: 'target', message: `The target said: "LOGIN a@new.test ${TARGET_PASSWORD} rejected".` },
      depth: 'metadata',
      checkedAt: new Date().toISOString(),
      folders: [
        {
          source: 'INBOX',
          target: 'INBOX',
          sourceCount: 2,
          targetCount: 1,
          matched: 1,
          missing: [],
          extra: [],
          changed: [],
          skipped: [{ uid: 2, messageId: null, subject: 'big', date: null, size: 9, reason: `MESSAGE_TOO_LARGE: NO too big for ${SOURCE_PASSWORD}` }],
          rewritten: [],
          elsewhere: [],
          outOfScope: 0,
          error: { code: 'PROTOCOL_ERROR', message: `NO [SERVERBUG] ${SOURCE_PASSWORD}` },
        },
      ],
      totals: { matched: 1, missing: 0, extra: 0, changed: 0, skipped: 1, elsewhere: 0 },
    });
    const runner = new HeldRunner();
    const s = held.start(mkdtempSync(join(tmpdir(), 'mailmover-echo-verify-')), runner, (svc) => {
      (svc as unknown as { ctx: { verifyResults: { verify: unknown } } }).ctx.verifyResults.verify = echoingVerify;
    });
    const { jobId, accountId } = oneAccount(s);
    expect(await until(() => runner.calls.length === 1)).toBe(true);
    runner.calls[0]!.finish();
    expect(await until(() => s.accounts.getAccount({ accountId }).account.verify?.status === 'failed')).toBe(true);
    const verify = s.accounts.getAccount({ accountId }).account.verify!;
    expect(verify.error?.message).toContain('LOGIN a@new.test');
    const shown = JSON.stringify(s.accounts.getAccount({ accountId }).account) + s.jobs.report(jobId, 'en').csv + s.jobs.report(jobId, 'zh-CN').csv;
    expect(shown).toContain('NO [SERVERBUG] ***');
    expect(shown).not.toContain(SOURCE_PASSWORD);
    expect(shown).not.toContain(TARGET_PASSWORD);
  });
});
