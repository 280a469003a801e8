/**
 * What the bridge keeps of a pass in its own process: the warnings, the error and the skip
 * reasons carry a server's words (a refused folder name, a refusal of an APPEND), and a server
 * can echo the login it was given. None of it may reach the stored account, its view or the
 * report CSV with a password in it (the queue's workers mask them before the result leaves
 * them; the in-process runner hands the engine's result over as it is).
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
