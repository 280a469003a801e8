/** `migrate` options: usage errors say what is wrong in the option's own terms; provider names are checked. */
import { describe, expect, it } from 'vitest';
import { parseMigrateOptions } from '../../bridge/cli/migrate-command';
import { parseVerifyOptions } from '../../bridge/cli/verify-command';
import { UsageError } from '../../bridge/cli/endpoint-url';

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

describe('a batch without passwords for one side', () => {
  it('names the column in both spellings and the admin login as the other way', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { buildJobs } = await import('../../bridge/cli/build-jobs');
    const dir = mkdtempSync(join(tmpdir(), 'mm-opts-'));
    try {
      const file = join(dir, 'accounts.csv');
      writeFileSync(file, '待搬家账号,搬家账号,待搬家账号密码\r\nzhangsan@old.example.cn,zhangsan@new.example.cn,pw-1\r\n');
      await expect(buildJobs(parseMigrateOptions({ source: 'imaps://imap.old.example.cn', target: 'imaps://imap.new.example.cn', accounts: file }))).rejects.toThrow(
        'line 2: no target password for zhangsan@new.example.cn; give --target-password-env NAME or --target-password-file FILE, a target_password (搬家账号密码) column with this row\'s cell filled in, or --target-auth-user ADMIN with the admin\'s password',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every row without a password together with the file\'s other errors, in one run', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { buildJobs } = await import('../../bridge/cli/build-jobs');
    const dir = mkdtempSync(join(tmpdir(), 'mm-opts-'));
    try {
      const file = join(dir, 'accounts.csv');
      writeFileSync(file, 'source,target,source_password,target_password\r\na@old.example.cn,a@new.example.cn,pw-a,pw-A\r\nb@old.example.cn,b@new.example.cn,,pw-B\r\nc@old.example.cn,c@new.example.cn,pw-c,\r\nd@old.example.cn,d@new.example.cn,,\r\nfoo bar\r\n');
      const refused = await buildJobs(parseMigrateOptions({ source: 'imaps://imap.old.example.cn', target: 'imaps://imap.new.example.cn', accounts: file })).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      const lines = (refused as Error).message.split('\n');
      expect(lines[0]).toBe(`--accounts: ${file} cannot be imported; nothing was started:`);
      const named = lines.slice(1).map((l) => /^ {2}line (\d+): (no (?:source|target) password for \S+)?/.exec(l)).map((m) => (m ? `${m[1]} ${m[2] ?? 'other'}` : '?'));
      expect(named).toEqual([
        '3 no source password for b@old.example.cn;',
        '4 no target password for c@new.example.cn;',
        '5 no source password for d@old.example.cn;',
        '5 no target password for d@new.example.cn;',
        '6 other',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
