/**
 * Plain logins (no '@') in the account CSV. Self-hosted servers with system users (Dovecot,
 * Cyrus, Courier) log in as `bob`, and `migrate --source imaps://bob@host` takes that for one
 * account; the CSV (`migrate --accounts`, the wizard, accounts.import) refused the same login
 * row by row as "not a valid email address". A value with an '@' is still checked as a whole
 * address ("bob@corp" is a typo), the checks that protect a file (invisible and full-width
 * characters, spaces, duplicates) apply to logins too, and the two import modes whose employee
 * is found by their email address still require one, saying so.
 */
import { describe, expect, it } from 'vitest';
import { parseAccountsCsv, type AccountsCsvResult, type CsvRowError } from '../../shared/csv/accounts-csv';
import { readImport, type ImportAudience, type ImportRules } from '../../shared/csv/import-mode';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (text: string): AccountsCsvResult => parseAccountsCsv(utf8(text));
const lines = (errors: readonly CsvRowError[]): number[] => errors.map((e) => e.line);

const KNOWN: ImportRules = { mode: 'admin-with-passwords', sourceAdmin: false, targetAdmin: false };
const UNKNOWN: ImportRules = { mode: 'admin-without-passwords', sourceAdmin: false, targetAdmin: false };
const SELF: ImportRules = { mode: 'self-service', sourceAdmin: false, targetAdmin: false };

/** As test/unit/zh-punctuation.test.ts: no ASCII : , ( ) ; ? ! next to a Chinese character. */
const MIXED = /[\u3400-\u4dbf\u4e00-\u9fff] ?[:,();?!]|[:,();?!] ?[\u3400-\u4dbf\u4e00-\u9fff]/u;

/** Both languages, full-width punctuation in Chinese, no cell value in either. */
function expectClean(errors: readonly CsvRowError[], values: readonly string[]): void {
  for (const e of errors) {
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.messageZh).toMatch(/[\u4e00-\u9fff]/);
    expect(e.messageZh, e.messageZh).not.toMatch(MIXED);
    for (const v of values) {
      expect(e.message, `message names ${v}`).not.toContain(v);
      expect(e.messageZh, `messageZh names ${v}`).not.toContain(v);
    }
  }
}

describe('account CSV: plain logins', () => {
  it('takes the QA row "bob,bob,SrcPw,TgtPw" as it takes imaps://bob@host', () => {
    const r = parse('source,target,source_password,target_password\r\nbob,bob,SrcPw,TgtPw\r\n');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 2, source: 'bob', target: 'bob', sourcePassword: 'SrcPw', targetPassword: 'TgtPw' }]);
  });

  it('takes the logins of system users, under the Chinese headers too, mixed with addresses', () => {
    const r = parse(
      [
        '待搬家账号,搬家账号,待搬家账号密码,搬家账号密码',
        'john.smith,john.smith@new.example.com,a,b',
        'mail-admin,mail-admin,c,d',
        '_svc01,svc01@new.example.com,e,f',
        'Bob2,bob2,g,h',
        'zhang@old.example.com,zhang,i,j',
      ].join('\r\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.headerStyle).toBe('chinese');
    expect(r.rows.map((x) => [x.line, x.source, x.target])).toEqual([
      [2, 'john.smith', 'john.smith@new.example.com'],
      [3, 'mail-admin', 'mail-admin'],
      [4, '_svc01', 'svc01@new.example.com'],
      [5, 'Bob2', 'bob2'],
      [6, 'zhang@old.example.com', 'zhang'],
    ]);
  });

  it("a value with '@' must still be a whole address: the typos are refused as addresses, the login beside them is not", () => {
    const typos = ['bob@corp', 'bob@@corp.com', 'bob@', '@corp.com', 'bob @corp.com', 'bob@corp..com', 'Bob <bob@corp.com>'];
    const r = parse(['source,target', 'bob,bob@new.example.com', ...typos.map((t, i) => `${t},t${i}@new.example.com`)].join('\n'));
    expect(r.rows.map((x) => [x.line, x.source])).toEqual([[2, 'bob']]);
    expect(lines(r.errors)).toEqual(typos.map((_, i) => 3 + i));
    for (const e of r.errors) {
      expect(e.message).toBe('The "source" value is not a valid email address (expected name@domain).');
      expect(e.messageZh).toBe('“待搬家账号”不是有效的邮箱地址（应为 名称@域名 的形式）。');
    }
    expectClean(r.errors, typos);
  });

  it('what is neither an address nor a login is refused, saying what a login may hold: spaces, a name, a shifted password', () => {
    const bad = ['bob smith', '张三', 'S3cr3t!pw', 'bob#1', '.bob', '-bob', 'bob/corp', 'b'.repeat(65)];
    const r = parse(['source,target', 'bob,bob', ...bad.map((v, i) => `u${i}@old.example.com,${v.includes(',') ? `"${v}"` : v}`)].join('\n'));
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(lines(r.errors)).toEqual(bad.map((_, i) => 3 + i));
    for (const e of r.errors) {
      expect(e.message).toBe(
        'The "target" value is neither an email address (name@domain) nor a login: a login without "@" has only the letters A-Z and a-z, digits, ".", "_" and "-", and no spaces.',
      );
      expect(e.messageZh).toBe('“搬家账号”既不是邮箱地址（名称@域名），也不是有效的登录名：不含 @ 的登录名只能由英文字母、数字及“.”“_”“-”组成，不能有空格。');
    }
    expectClean(r.errors, bad);
    // The Chinese template names its own column.
    const zh = parse('待搬家账号,搬家账号\r\nbob smith,bob\r\n');
    expect(zh.errors[0]?.message).toMatch(/^The "待搬家账号" \(source\) value is neither an email address/);
  });

  it('invisible and full-width characters in a login are named as in an address, the clean login passes', () => {
    const r = parse(['source,target', 'bob,bob', 'bo\u200bb2,bob2', 'ｂｏｂ3,bob3', 'bob\u30004,bob4', 'bob5,bob5\u00ad'].join('\n'));
    expect(r.rows.map((x) => x.source)).toEqual(['bob']);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [3, expect.stringMatching(/^The "source" address contains an invisible character \(U\+200B\)/)],
      [4, expect.stringMatching(/^The "source" address contains full-width characters.*"ｂ": type the half-width "b"/)],
      [5, expect.stringMatching(/^The "source" address contains full-width characters.*the full-width space \(U\+3000\)/)],
      [6, expect.stringMatching(/^The "target" address contains an invisible character \(U\+00AD\)/)],
    ]);
    expectClean(r.errors, ['bo\u200bb2', 'ｂｏｂ3']);
  });

  it('duplicate logins are caught case-insensitively, on either side, naming the earlier line', () => {
    const r = parse(['source,target', 'bob,bob', 'alice,alice', 'BOB,robert', 'carol,Alice', 'Dave,dave', 'dave,DAVE'].join('\n'));
    expect(r.rows.map((x) => [x.line, x.source, x.target])).toEqual([
      [2, 'bob', 'bob'],
      [3, 'alice', 'alice'],
      [6, 'Dave', 'dave'],
    ]);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [4, expect.stringMatching(/^The source account is already listed on line 2;/)],
      [5, expect.stringMatching(/^The target account is already used on line 3\./)],
      [7, 'The source and target accounts are both the same as on line 6: the pair is listed twice. Delete one of the two rows.'],
    ]);
    expectClean(r.errors, ['bob', 'BOB', 'alice', 'Alice', 'dave', 'DAVE']);
  });
});

describe('account CSV: a missing password is told with a bad address, not after it', () => {
  it('header source,target only (known passwords, no admin login): the address error and both password errors on one line', () => {
    const r = readImport(utf8('source,target\r\nbob@corp,bob\r\nalice,alice\r\n'), KNOWN, 'bridge');
    expect(r.rows.map((x) => x.source)).toEqual(['alice']);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'The "source" value is not a valid email address (expected name@domain).'],
      [2, expect.stringMatching(/^The old password \(source_password \/ 待搬家账号密码\) is empty\./)],
      [2, expect.stringMatching(/^The new mailbox password \(target_password \/ 搬家账号密码\) is empty/)],
      [3, expect.stringMatching(/^The old password/)],
      [3, expect.stringMatching(/^The new mailbox password/)],
    ]);
  });

  it('a row with a refused address is not checked for what depends on that address', () => {
    // Without passwords the addresses must match: an empty or refused one is not "different" too.
    const r = readImport(utf8('source,target,source_password\r\n,bob@new.example.com,pw\r\n'), UNKNOWN, 'wizard');
    expect(r.errors.map((e) => e.message)).toEqual([
      'The "source" address is empty; it is required.',
      'In this mode the employee supplies the old password: remove the source_password (待搬家账号密码) column.',
    ]);
  });
});

describe('account CSV: the modes whose employee is found by their address still need one', () => {
  const cases: Array<[ImportRules, ImportAudience, RegExp, RegExp]> = [
    [SELF, 'bridge', /In the "self-service" mode/, /“员工自助”方式下/],
    [SELF, 'wizard', /In the "Employee self-service" mode/, /“员工自助搬家”方式下/],
    [UNKNOWN, 'bridge', /In the "without passwords" mode/, /“未知密码”方式下/],
    [UNKNOWN, 'wizard', /In the "Batch, passwords unknown" mode/, /“批量搬家（未知密码）”方式下/],
  ];
  it.each(cases)('%o (%s): a login is refused with the reason and the way out, an address is taken', (rules, audience, en, zh) => {
    const r = readImport(utf8('source,target\r\nbob,bob\r\nalice@corp.example.com,alice@corp.example.com\r\n'), rules, audience);
    expect(r.rows.map((x) => x.line)).toEqual([2, 3]);
    expect(lines(r.errors)).toEqual([2]);
    const [e] = r.errors;
    expect(e!.message).toMatch(/^The source \(待搬家账号\) and target \(搬家账号\) values are logins without "@"\./);
    expect(e!.message).toMatch(en);
    expect(e!.message).toMatch(/each employee is found by their email address/);
    expect(e!.message).toMatch(audience === 'wizard' ? /choose "Batch, passwords known"/ : /use the "known passwords" mode/);
    expect(e!.messageZh).toMatch(/^“待搬家账号”和“搬家账号”是不含 @ 的登录名。/);
    expect(e!.messageZh).toMatch(zh);
    expectClean(r.errors, ['bob']);
  });

  it('self-service with an address target and a login source names the source column only', () => {
    const r = readImport(utf8('source,target\r\nbob,bob@new.example.com\r\n'), SELF, 'bridge');
    expect(r.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^The source \(待搬家账号\) value is a login without "@"\./)]);
    expect(r.errors[0]?.messageZh).toMatch(/^“待搬家账号”是不含 @ 的登录名。/);
  });

  it('the known-passwords mode takes logins, in the wizard and on the bridge', () => {
    for (const audience of ['wizard', 'bridge'] as const) {
      const r = readImport(utf8('source,target,source_password,target_password\r\nbob,bob,SrcPw,TgtPw\r\n'), KNOWN, audience);
      expect(r.errors).toEqual([]);
      expect(r.rows).toEqual([{ line: 2, source: 'bob', target: 'bob', sourcePassword: 'SrcPw', targetPassword: 'TgtPw' }]);
    }
  });
});
