/**
 * The bundle's ASCII escaping (bridge/cli/bundle-ascii.mjs) changes the bytes of the code,
 * never what it computes: each snippet runs before and after, with the same result.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { asciiOnly } from '../../bridge/cli/bundle-ascii.mjs';

const SNIPPETS: Array<[string, string]> = [
  ['a string', '"阿里企业邮 — 草稿"'],
  ['a Chinese regex, as the provider presets have', '/未开启|未启用/.test("IMAP 服务未开启")'],
  ['a regex character class with full-width punctuation', '"列（注）".replace(/[（(][^）)]*[）)]\\s*$/u, "")'],
  ['identity escapes in a string and in a regex without the u flag', '["\\未", /\\未/.test("未"), /\\\\未/.test("\\\\未")]'],
  ['an escaped backslash before the character', '"a\\\\中".length'],
  ['a character outside the BMP, in strings and regexes with and without u', '["😀".length, /^😀$/u.test("😀"), /^😀$/.test("😀"), /^.$/u.test("😀")]'],
  ['a template literal', '`合计 ${1 + 1} 封`'],
  ['an identifier', '(() => { const 邮件 = 3; return 邮件 * 2; })()'],
  ['a comment', '/* 注释 — note */ 42 // 行尾注释'],
  ['Latin-1 and symbols', '"¥ Ménage ©"'],
];

describe('asciiOnly', () => {
  it.each(SNIPPETS)('%s: ASCII only, same result', (_, code) => {
    const escaped = asciiOnly(code);
    expect(escaped).toMatch(/^[\x00-\x7f]*$/);
    expect(runInNewContext(escaped)).toEqual(runInNewContext(code));
  });

  it('keeps U+2028 and U+2029, which end a // comment and continue a string after a backslash', () => {
    for (const code of ['// note\u2028 42', '"a\\\u2028b"', '"x\u2029y" + 1']) {
      const escaped = asciiOnly(code);
      expect(escaped).toBe(code);
      expect(runInNewContext(escaped)).toEqual(runInNewContext(code));
    }
    expect(runInNewContext('"a\\\u2028b"')).toBe('ab');
    expect(runInNewContext('// note\u2028 42')).toBe(42);
  });

  it('leaves ASCII code as it is', () => {
    const code = 'const a = "x\\\\y"; /\\d+/.test("12") // plain\n';
    expect(asciiOnly(code)).toBe(code);
  });
});
