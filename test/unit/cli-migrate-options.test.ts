/** `migrate` options: usage errors say what is wrong in the option's own terms; provider names are checked. */
import { describe, expect, it } from 'vitest';
import { parseMigrateOptions } from '../../bridge/cli/migrate-command';
import { parseVerifyOptions } from '../../bridge/cli/verify-command';
import { UsageError } from '../../bridge/cli/endpoint-url';
import { describeRun, runCliInProcess } from '../support/cli-runner';

const base = { source: 'imaps://old.example.com', target: 'imaps://new.example.com' };

function usage(extra: Record<string, unknown>, parse: (raw: Record<string, unknown>) => unknown = parseMigrateOptions): string {
  try {
    parse({ ...base, ...extra });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
}

describe('migrate options', () => {
  it('a count out of range or not a number names the option, its range and the value given, once', () => {
    expect(usage({ concurrency: '0' })).toBe('--concurrency: must be a whole number from 1 to 32 (given: "0")');
    expect(usage({ concurrency: '100' })).toBe('--concurrency: must be a whole number from 1 to 32 (given: "100")');
    expect(usage({ concurrency: '2.5' })).toBe('--concurrency: must be a whole number from 1 to 32 (given: "2.5")');
    expect(usage({ accountConcurrency: 'abc' })).toBe('--account-concurrency: must be a whole number from 1 to 64 (given: "abc")');
    expect(usage({ accountConcurrency: '0' })).toBe('--account-concurrency: must be a whole number from 1 to 64 (given: "0")');
    expect(usage({ batchMessages: '-5' })).toBe('--batch-messages: must be a whole number from 1 to 5000 (given: "-5")');
    expect(usage({ retries: '99' })).toBe('--retries: must be a whole number from 1 to 20 (given: "99")');
    expect(usage({ mode: 'merged' })).toBe('--mode: must be mapped or unified (given: "merged")');
    expect(usage({ accountConcurrency: '0' }, parseVerifyOptions)).toBe('--account-concurrency: must be a whole number from 1 to 64 (given: "0")');
  });

  it('a mistyped provider is refused with the known ones; known names are taken in any spelling', () => {
    expect(usage({ targetProvider: 'alyun' })).toMatch(/^--target-provider: unknown provider "alyun"; known: aliyun, aliyun-personal, tencent, /);
    expect(usage({ provider: 'exmial' })).toMatch(/^--provider: unknown provider "exmial"; known: .*\btencent\b/);
    // An alias or another case of a known one names the same preset: Alibaba's refused characters apply.
    expect(parseMigrateOptions({ ...base, targetProvider: 'Alibaba' }).targetProvider).toBe('aliyun');
    expect(parseMigrateOptions({ ...base, targetProvider: 'aliyun-personal' }).targetProvider).toBe('aliyun-personal');
    expect(parseMigrateOptions({ ...base, provider: 'exmail' }).provider).toBe('tencent');
    expect(parseMigrateOptions({ ...base, provider: 'NetEase' }).provider).toBe('netease');
    expect(parseMigrateOptions({ ...base }).provider).toBeUndefined();
  });
});

/** buildJobs' refusal of an --accounts file with these contents (a temporary file), or null when it takes it. */
async function accountsRefusal(contents: string): Promise<{ file: string; message: string } | null> {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { buildJobs } = await import('../../bridge/cli/build-jobs');
  const dir = mkdtempSync(join(tmpdir(), 'mm-opts-'));
  try {
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, contents);
    const refused = await buildJobs(parseMigrateOptions({ source: 'imaps://imap.old.example.cn', target: 'imaps://imap.new.example.cn', accounts: file })).then(
      () => null,
      (e: Error) => e,
    );
    return refused && { file, message: refused.message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a batch without passwords for one side', () => {
  it('names the column in both spellings and the admin login as the other way', async () => {
    const refused = await accountsRefusal('待搬家账号,搬家账号,待搬家账号密码\r\nzhangsan@old.example.cn,zhangsan@new.example.cn,pw-1\r\n');
    expect(refused?.message).toContain(
      "line 2: no target password for zhangsan@new.example.cn; give --target-password-env NAME or --target-password-file FILE, a target_password (搬家账号密码) column with this row's cell filled in, or --target-auth-user ADMIN with the admin's password",
    );
  });

  it("reports every row without a password together with the file's other errors, in one run", async () => {
    const refused = await accountsRefusal(
      'source,target,source_password,target_password\r\na@old.example.cn,a@new.example.cn,pw-a,pw-A\r\nb@old.example.cn,b@new.example.cn,,pw-B\r\nc@old.example.cn,c@new.example.cn,pw-c,\r\nd@old.example.cn,d@new.example.cn,,\r\nfoo bar\r\n',
    );
    const lines = refused!.message.split('\n');
    expect(lines[0]).toBe(`--accounts: ${refused!.file} cannot be imported; nothing was started:`);
    const named = lines.slice(1).map((l) => /^ {2}line (\d+): (no (?:source|target) password for \S+)?/.exec(l)).map((m) => (m ? `${m[1]} ${m[2] ?? 'other'}` : '?'));
    expect(named).toEqual([
      '3 no source password for b@old.example.cn;',
      '4 no target password for c@new.example.cn;',
      '5 no source password for d@old.example.cn;',
      '5 no target password for d@new.example.cn;',
      '6 other',
    ]);
  });
});

/**
 * An empty --include-folder / --exclude-folder (`--include-folder "$FOLDER"` with FOLDER unset) is
 * a usage error naming the option: it was dropped further on, and an include of only '' copied
 * every folder. verify takes the same options and refuses the same way.
 */
describe('empty folder filters', () => {
  it('an empty include or exclude, alone or beside others, names the option', () => {
    expect(usage({ includeFolder: [''] })).toMatch(/^--include-folder: an empty value is no folder name or glob/);
    expect(usage({ includeFolder: ['INBOX', ''] })).toMatch(/^--include-folder: /);
    expect(usage({ excludeFolder: [''] })).toMatch(/^--exclude-folder: an empty value is no folder name or glob/);
    expect(usage({ excludeFolder: [''] }, parseVerifyOptions)).toMatch(/^--exclude-folder: /);

    // Non-empty globs are taken as given.
    const o = parseMigrateOptions({ ...base, includeFolder: ['Work/**', 'INBOX'], excludeFolder: ['Work/Old'] });
    expect(o.includeFolder).toEqual(['Work/**', 'INBOX']);
    expect(o.excludeFolder).toEqual(['Work/Old']);
  });

  it('the CLI: exit 2 and the message on stderr, before any connection', async () => {
    const r = await runCliInProcess(['--source', 'imaps://127.0.0.1:1', '--target', 'imaps://127.0.0.1:1', '--include-folder', '', '--dry-run'], { timeoutMs: 20_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--include-folder: an empty value/);
  });
});
