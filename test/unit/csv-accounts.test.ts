import { describe, it, expect } from 'vitest';
import iconv from 'iconv-lite';
import { decodeCsvBytes, parseAccountsCsv, type AccountsCsvResult } from '../../shared/csv/accounts-csv';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const withBom = (s: string): Uint8Array => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(s)]);
const lines = (r: AccountsCsvResult): number[] => r.errors.map((e) => e.line);

/** Every error must come in both languages and name no cell value. */
function expectCleanMessages(r: AccountsCsvResult, secrets: string[]): void {
  for (const e of r.errors) {
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.messageZh).toMatch(/[\u4e00-\u9fff]/);
    for (const secret of secrets) {
      expect(e.message, `message leaks ${secret}`).not.toContain(secret);
      expect(e.messageZh, `messageZh leaks ${secret}`).not.toContain(secret);
    }
  }
}

describe('decodeCsvBytes', () => {
  it('decodes UTF-8 and drops the BOM', () => {
    expect(decodeCsvBytes(utf8('source,target'))).toEqual({ text: 'source,target', encoding: 'utf-8' });
    expect(decodeCsvBytes(withBom('搬家账号'))).toEqual({ text: '搬家账号', encoding: 'utf-8' });
  });

  it('falls back to GB18030 for bytes that are not UTF-8 (Excel on Chinese Windows)', () => {
    // "搬家账号" in GBK, written out byte by byte.
    const gbk = new Uint8Array([0xb0, 0xe1, 0xbc, 0xd2, 0xd5, 0xcb, 0xba, 0xc5]);
    expect(decodeCsvBytes(gbk)).toEqual({ text: '搬家账号', encoding: 'gb18030' });
  });
});

describe('parseAccountsCsv: formats', () => {
  it('parses an English-header UTF-8 file', () => {
    const r = parseAccountsCsv(
      utf8('source,target,source_password,target_password\nalice@old.com,alice@new.com,pw1,tp1\nbob@old.com,bob@new.com,,\n'),
    );
    expect(r).toEqual({
      rows: [
        { line: 2, source: 'alice@old.com', target: 'alice@new.com', sourcePassword: 'pw1', targetPassword: 'tp1' },
        { line: 3, source: 'bob@old.com', target: 'bob@new.com' },
      ],
      errors: [],
      encoding: 'utf-8',
      headerStyle: 'english',
    });
  });

  it('accepts header case, spacing and a few aliases', () => {
    const r = parseAccountsCsv(utf8(' Source Email , TARGET ,Source-Password\na@x.com,b@y.com,s\n'));
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 2, source: 'a@x.com', target: 'b@y.com', sourcePassword: 's' }]);
  });

  it("parses Alibaba Mail's template Chinese headers (搬家账号 = target, 待搬家账号 = source) with a UTF-8 BOM", () => {
    const r = parseAccountsCsv(withBom('搬家账号,待搬家账号,待搬家账号密码\r\nzhangsan@new.cn,zhangsan@old.cn,旧密码1\r\n'));
    expect(r.headerStyle).toBe('chinese');
    expect(r.encoding).toBe('utf-8');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 2, source: 'zhangsan@old.cn', target: 'zhangsan@new.cn', sourcePassword: '旧密码1' }]);
  });

  it('accepts 搬家账号密码 as the target password and annotated headers like 搬家账号（必选）', () => {
    const r = parseAccountsCsv(utf8('搬家账号（必选）,*待搬家账号,待搬家账号密码(可选),搬家账号密码\nn@new.cn,o@old.cn,a,b\n'));
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 2, source: 'o@old.cn', target: 'n@new.cn', sourcePassword: 'a', targetPassword: 'b' }]);
  });

  it('reads a GBK file written by Excel on Chinese Windows (iconv-lite)', () => {
    const text = '搬家账号,待搬家账号,待搬家账号密码\r\nli@new.cn,li@old.cn,密码一\r\nwang@new.cn,wang@old.cn,"含,逗号"\r\n';
    const r = parseAccountsCsv(new Uint8Array(iconv.encode(text, 'gbk')));
    expect(r.encoding).toBe('gb18030');
    expect(r.headerStyle).toBe('chinese');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      { line: 2, source: 'li@old.cn', target: 'li@new.cn', sourcePassword: '密码一' },
      { line: 3, source: 'wang@old.cn', target: 'wang@new.cn', sourcePassword: '含,逗号' },
    ]);
  });

  it('reads GBK bytes given literally (header 搬家账号,待搬家账号 + one row)', () => {
    const bytes = new Uint8Array([
      0xb0, 0xe1, 0xbc, 0xd2, 0xd5, 0xcb, 0xba, 0xc5, 0x2c, 0xb4, 0xfd, 0xb0, 0xe1, 0xbc, 0xd2, 0xd5, 0xcb, 0xba, 0xc5, 0x0d, 0x0a,
      ...utf8('t@new.cn,s@old.cn\r\n'),
    ]);
    const r = parseAccountsCsv(bytes);
    expect(r.encoding).toBe('gb18030');
    expect(r.rows).toEqual([{ line: 2, source: 's@old.cn', target: 't@new.cn' }]);
  });

  it('handles quoted fields with commas, doubled quotes and spaces; trims unquoted cells', () => {
    const r = parseAccountsCsv(
      utf8('source,target,source_password\n  a@x.com  ,"b@y.com", "pa,ss"\nc@x.com,d@y.com,"say ""hi"""\ne@x.com,f@y.com,"  keep spaces  "\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.source, x.target, x.sourcePassword])).toEqual([
      ['a@x.com', 'b@y.com', 'pa,ss'],
      ['c@x.com', 'd@y.com', 'say "hi"'],
      ['e@x.com', 'f@y.com', '  keep spaces  '],
    ]);
  });

  it('handles CRLF, lone CR (old Mac Excel) and LF line ends, and a missing final newline', () => {
    for (const eol of ['\r\n', '\r', '\n']) {
      const r = parseAccountsCsv(utf8(['source,target', 'a@x.com,b@y.com', 'c@x.com,d@y.com'].join(eol)));
      expect(r.errors, JSON.stringify(eol)).toEqual([]);
      expect(r.rows.map((x) => x.line)).toEqual([2, 3]);
    }
  });

  it('skips blank rows (also ",,,") but keeps counting them as spreadsheet rows', () => {
    const r = parseAccountsCsv(utf8('\nsource,target\n\na@x.com,b@y.com\n,,\n  \nc@x.com,d@y.com\n\n'));
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.line, x.source])).toEqual([
      [4, 'a@x.com'],
      [7, 'c@x.com'],
    ]);
  });

  it('numbers rows like a spreadsheet when a quoted cell spans two text lines', () => {
    const r = parseAccountsCsv(utf8('source,target,source_password\na@x.com,b@y.com,"two\nlines"\nc@x.com,not@an-address,x\n'));
    expect(r.rows).toEqual([{ line: 2, source: 'a@x.com', target: 'b@y.com', sourcePassword: 'two\nlines' }]);
    expect(lines(r)).toEqual([3]);
  });

  it('accepts internationalised addresses and ignores unknown columns', () => {
    const r = parseAccountsCsv(utf8('source,备注,target\n张三@公司.中国,财务部,zhangsan@example.com\nO\'Brien+tag@xn--fiqs8s.cn,,ob@example.co.uk\n'));
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.source, x.target])).toEqual([
      ['张三@公司.中国', 'zhangsan@example.com'],
      ["O'Brien+tag@xn--fiqs8s.cn", 'ob@example.co.uk'],
    ]);
  });
});

describe('parseAccountsCsv: errors', () => {
  it('reports a malformed row by its line while the other rows still parse', () => {
    const r = parseAccountsCsv(
      utf8(
        [
          'source,target,source_password',
          'a@x.com,b@y.com,pw-a',
          'c@x.com,d@y.com,pw,with,commas', // 5 fields instead of 3
          'e@x.com,f@y.com,"unterminated', // never closed
          'g@x.com,h@y.com,pw-g',
          'i@x.com,"j@y.com"junk,pw-i', // text after closing quote
          'k@x.com,l@y.com', // 2 fields instead of 3
          'm@x.com,n@y.com,pw-m',
        ].join('\n'),
      ),
    );
    expect(r.rows.map((x) => [x.line, x.source])).toEqual([
      [2, 'a@x.com'],
      [5, 'g@x.com'],
      [8, 'm@x.com'],
    ]);
    expect(lines(r)).toEqual([3, 4, 6, 7]);
    expect(r.errors[0]?.message).toMatch(/Expected 3 columns.*found 5/);
    expect(r.errors[0]?.messageZh).toContain('应与表头一样有 3 列');
    expect(r.errors[1]?.message).toMatch(/never closed/);
    expect(r.errors[1]?.messageZh).toContain('引号未闭合');
    expect(r.errors[2]?.message).toMatch(/follows a closing quote/);
    expect(r.errors[3]?.message).toMatch(/found 2/);
    expectCleanMessages(r, ['pw,with,commas', 'unterminated', 'pw-a', 'pw-g', 'pw-i', 'junk']);
  });

  it('an unterminated quote on the last row is reported on that row', () => {
    const r = parseAccountsCsv(utf8('source,target\na@x.com,b@y.com\n"c@x.com,d@y.com'));
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(lines(r)).toEqual([3]);
  });

  it('tolerates empty extra cells (trailing commas) but not filled ones', () => {
    const r = parseAccountsCsv(utf8('source,target,,\na@x.com,b@y.com,,\nc@x.com,d@y.com\ne@x.com,f@y.com,,oops\n'));
    expect(r.rows.map((x) => x.line)).toEqual([2, 3]);
    expect(lines(r)).toEqual([4]);
  });

  it('validates addresses (required, format) with zod, naming the column', () => {
    const r = parseAccountsCsv(
      utf8(
        [
          'source,target,source_password',
          ',b@y.com,secret-1',
          'not@an-address,c@y.com,secret-2',
          'd@x.com,,secret-3',
          'e@x.com,f@localhost,secret-4',
          'g@@x.com,h@y.com,secret-5',
          'i..j@x.com,k@y.com,secret-6',
          'Name <l@x.com>,m@y.com,secret-7',
          'n@x.com,o@y.com,secret-8',
        ].join('\n'),
      ),
    );
    expect(r.rows.map((x) => x.line)).toEqual([9]);
    expect(lines(r)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(r.errors[0]?.message).toBe('The "source" address is empty; it is required.');
    expect(r.errors[0]?.messageZh).toBe('“待搬家账号”为空，此列必填。');
    expect(r.errors[1]?.message).toBe('The "source" value is not a valid email address (expected name@domain).');
    expect(r.errors[2]?.message).toContain('"target"');
    expect(r.errors[2]?.messageZh).toContain('搬家账号');
    expect(r.errors[3]?.message).toContain('"target"');
    expectCleanMessages(r, ['secret-', 'not@an-address', 'localhost', 'Name <']);
  });

  it('reports a duplicate source on the later line, naming the earlier one (case-insensitive)', () => {
    const r = parseAccountsCsv(utf8('source,target,source_password\na@x.com,a@y.com,p1\nb@x.com,b@y.com,p2\nA@X.COM,c@y.com,p3\n'));
    expect(r.rows.map((x) => x.line)).toEqual([2, 3]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.line).toBe(4);
    expect(r.errors[0]?.message).toContain('line 2');
    expect(r.errors[0]?.messageZh).toContain('第 2 行');
    expectCleanMessages(r, ['p1', 'p3', 'a@x.com', 'A@X.COM']);
  });

  it('reports a duplicate target and says why', () => {
    const r = parseAccountsCsv(utf8('待搬家账号,搬家账号\none@old.cn,same@new.cn\ntwo@old.cn,SAME@new.cn\n'));
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.line).toBe(3);
    expect(r.errors[0]?.message).toMatch(/already used on line 2.*mistake in the account pairing/);
    expect(r.errors[0]?.messageZh).toContain('第 2 行');
  });

  it('allows the same address as source and target (same account, different servers)', () => {
    const r = parseAccountsCsv(utf8('source,target\nsame@corp.cn,same@corp.cn\n'));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
  });

  it('reports a missing required column on the header line, naming it', () => {
    const r = parseAccountsCsv(utf8('source,source_password\na@x.com,pw\n'));
    expect(r.rows).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.line).toBe(1);
    expect(r.errors[0]?.message).toContain('"target"');
    expect(r.errors[0]?.messageZh).toContain('搬家账号');

    const zh = parseAccountsCsv(utf8('搬家账号,待搬家账号密码\nn@new.cn,pw\n'));
    expect(zh.headerStyle).toBe('chinese');
    expect(zh.errors.map((e) => [e.line, e.messageZh.includes('待搬家账号')])).toEqual([[1, true]]);
    expect(zh.errors[0]?.message).toContain('"待搬家账号"');
  });

  it('says so when the header row is missing (first row looks like data)', () => {
    const r = parseAccountsCsv(utf8('a@x.com,b@y.com,secret\n'));
    expect(r.rows).toEqual([]);
    expect(r.errors.map((e) => e.line)).toEqual([1, 1]);
    expect(r.errors[0]?.message).toMatch(/first row looks like data/);
    expectCleanMessages(r, ['secret', 'a@x.com']);
  });

  it('with plain logins (no @) and no header row: the first row names no column, so the message says to add a header', () => {
    const r = parseAccountsCsv(utf8('bob,secret-1,bob,secret-2\n'));
    expect(r.rows).toEqual([]);
    expect(r.errors.map((e) => e.line)).toEqual([1, 1]);
    expect(r.errors[0]?.message).toContain('No cell of the first row is a column name: if it holds an account, add a header row above it.');
    expect(r.errors[0]?.messageZh).toContain('请在其上方加一行表头');
    expectCleanMessages(r, ['secret-1', 'secret-2']);
    // A header with one known column and a misspelt one is a header: no such hint.
    const misspelt = parseAccountsCsv(utf8('source,targt\nbob,bob\n'));
    expect(misspelt.errors).toHaveLength(1);
    expect(misspelt.errors[0]?.message).not.toContain('header row above');
  });

  it('reports an empty file and a UTF-16 file on line 1', () => {
    expect(parseAccountsCsv(new Uint8Array()).errors.map((e) => e.line)).toEqual([1]);
    expect(parseAccountsCsv(utf8('\n\n,,\n')).rows).toEqual([]);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(utf8('source,target')).flatMap((b) => [b, 0])]);
    const r = parseAccountsCsv(utf16);
    expect(r.rows).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/UTF-16/);
  });

  it('reports a column given twice', () => {
    const r = parseAccountsCsv(utf8('source,target,待搬家账号\na@x.com,b@y.com,c@x.com\n'));
    expect(r.errors.map((e) => e.line)).toEqual([1]);
    expect(r.errors[0]?.message).toMatch(/appears twice/);
  });

  it('a file separated by semicolons or tabs is told so, with how to save it with commas', () => {
    for (const [sep, word, zh] of [[';', 'semicolons', '分号'], ['\t', 'tabs', '制表符']] as const) {
      const r = parseAccountsCsv(utf8(`source${sep}target${sep}source_password\r\na@old.cn${sep}a@new.cn${sep}pw\r\n`));
      expect(r.rows).toEqual([]);
      expect(r.errors.map((e) => e.line)).toEqual([1, 1]);
      expect(r.errors[0]?.message).toContain(`the file separates its values with ${word}; save it as CSV with commas`);
      expect(r.errors[0]?.messageZh).toContain(`该文件用${zh}分隔各值`);
    }
    // A comma file missing a column gets no such hint.
    expect(parseAccountsCsv(utf8('source,password\r\na@old.cn,x\r\n')).errors[0]?.message).not.toContain('separates its values');
  });

  it("a Chinese template's rows are told about by its own column names", () => {
    const r = parseAccountsCsv(utf8('待搬家账号,搬家账号,待搬家账号密码\r\n,b@new.cn,pw\r\nnot-an-address@,b2@new.cn,pw\r\n'));
    expect(r.errors.map((e) => e.message)).toEqual([
      'The "待搬家账号" (source) address is empty; it is required.',
      'The "待搬家账号" (source) value is not a valid email address (expected name@domain).',
    ]);
  });

  it('imports at most 1000 rows at once: 1001 rows → 1000 rows and one error on the 1001st', () => {
    const body = Array.from({ length: 1001 }, (_, i) => `u${i}@old.cn,u${i}@new.cn,pw${i}`).join('\r\n');
    const r = parseAccountsCsv(utf8(`source,target,source_password\r\n${body}\r\n`));
    expect(r.rows).toHaveLength(1000);
    expect(r.rows[999]).toEqual({ line: 1001, source: 'u999@old.cn', target: 'u999@new.cn', sourcePassword: 'pw999' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.line).toBe(1002);
    expect(r.errors[0]?.message).toMatch(/1001 account rows; at most 1000/);
    // Said for the extension's import and the command line's batch alike.
    expect(r.errors[0]?.message).toMatch(/put them in a second file and migrate that file as well/);
    expect(r.errors[0]?.messageZh).toMatch(/一次最多只能导入 1000 条/);
    expect(r.errors[0]?.messageZh).toMatch(/第二个文件/);
    expectCleanMessages(r, ['pw1000', 'u1000@']);
  });

  it('exactly 1000 rows is fine; maxRows can be lowered', () => {
    const body = Array.from({ length: 1000 }, (_, i) => `u${i}@old.cn,u${i}@new.cn`).join('\n');
    expect(parseAccountsCsv(utf8(`source,target\n${body}`)).errors).toEqual([]);
    const r = parseAccountsCsv(utf8(`source,target\n${body}`), { maxRows: 10 });
    expect(r.rows).toHaveLength(10);
    expect(r.errors.map((e) => e.line)).toEqual([12]);
  });

  it('never puts a password into any message, whatever goes wrong', () => {
    const pw = 'S3cr3t!pw';
    const r = parseAccountsCsv(
      utf8(
        [
          'source,target,source_password,target_password',
          `${pw},b@y.com,${pw},${pw}`, // password typed in the source column
          `a@x.com,${pw},${pw},${pw}`,
          `a@x.com,c@y.com,${pw},${pw}`,
          `a@x.com,d@y.com,${pw},${pw}`, // duplicate source
          `e@x.com,c@y.com,${pw},${pw}`, // duplicate target
          `f@x.com,g@y.com,"${pw}`, // unterminated
          `f@x.com,g@y.com,${pw},${pw},${pw}`, // extra column
        ].join('\n'),
      ),
    );
    expect(r.errors.length).toBeGreaterThanOrEqual(6);
    expectCleanMessages(r, [pw, 'S3cr3t']);
  });
});
