import { describe, expect, it } from 'vitest';
import { importModeCheck, readImport, type ImportRules } from '../../shared/csv/import-mode';

const enc = (s: string) => new TextEncoder().encode(s);
const row = (r: { source: string; target: string; sourcePassword?: string; targetPassword?: string }) => ({ line: 2, ...r });

describe('import-mode rules (shared by the wizard and accounts.import)', () => {
  const cases: Array<[string, ImportRules, Parameters<ReturnType<typeof importModeCheck>>[0], number]> = [
    ['known passwords: both present', { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false }, row({ source: 'a@x.cn', target: 'a@y.cn', sourcePassword: 'p', targetPassword: 'q' }), 0],
    ['known passwords: both missing', { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false }, row({ source: 'a@x.cn', target: 'a@y.cn' }), 2],
    ['known passwords: admin logins on both sides', { mode: 'admin-with-passwords', sourceAdmin: true, targetAdmin: true }, row({ source: 'a@x.cn', target: 'a@y.cn' }), 0],
    ['without passwords: different addresses and a password', { mode: 'admin-without-passwords', sourceAdmin: false, targetAdmin: false }, row({ source: 'a@x.cn', target: 'b@x.cn', sourcePassword: 'p' }), 2],
    ['self-service: a password given', { mode: 'self-service', sourceAdmin: false, targetAdmin: false }, row({ source: 'a@x.cn', target: 'b@x.cn', sourcePassword: 'p' }), 1],
  ];
  it.each(cases)('%s', (_name, rules, r, problems) => {
    const wizard = importModeCheck(rules, 'wizard')(r);
    const bridge = importModeCheck(rules, 'bridge')(r);
    expect(wizard).toHaveLength(problems);
    expect(bridge).toHaveLength(problems);
  });

  it('a file without rows is an error for both', () => {
    const rules: ImportRules = { mode: 'self-service', sourceAdmin: false, targetAdmin: false };
    expect(readImport(enc('source,target\r\n'), rules, 'wizard').errors).toEqual([{ line: 1, message: 'The file has no account rows.', messageZh: '文件中没有账号数据。' }]);
    expect(readImport(enc('source,target\r\n'), rules, 'bridge').errors).toHaveLength(1);
  });
});
