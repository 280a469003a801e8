import { describe, expect, it } from 'vitest';
import { parseAccountsCsv } from '../../shared/csv/accounts-csv';

/**
 * Addresses pasted from a web page, a chat or a Word table into Excel can carry invisible
 * format characters (zero-width space U+200B, word joiner U+2060, soft hyphen U+00AD, a
 * direction mark U+200E). Such an address looks right everywhere, fails its login as a wrong
 * address would, and escapes the duplicate check: the same visible mailbox could be listed
 * twice with two targets.
 */
const HEADER = 'source,target,source_password,target_password';
const parse = (lines: string[]) => parseAccountsCsv(new TextEncoder().encode([HEADER, ...lines].join('\r\n') + '\r\n'));

describe('account CSV: invisible characters in an address', () => {
  it.each([
    ['zero-width space', '\u200b'],
    ['word joiner', '\u2060'],
    ['soft hyphen', '\u00ad'],
    ['left-to-right mark', '\u200e'],
  ])('a %s in a source address is reported on its line and column, the row not imported', (_name, ch) => {
    const r = parse([`zhang${ch}san@old.example.com,zhangsan@new.example.com,a,b`, 'lisi@old.example.com,lisi@new.example.com,c,d']);
    expect(r.rows.map((row) => row.source)).toEqual(['lisi@old.example.com']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(2);
    expect(r.errors[0]!.message).toMatch(/"source".*invisible character \(U\+[0-9A-F]{4}\)/);
    expect(r.errors[0]!.messageZh).toMatch(/待搬家账号.*不可见字符/);
  });

  it('in a target address too', () => {
    const r = parse(['zhangsan@old.example.com,zhangsan\u200b@new.example.com,a,b']);
    expect(r.rows).toEqual([]);
    expect(r.errors[0]!.message).toMatch(/"target".*invisible character \(U\+200B\)/);
  });
});
