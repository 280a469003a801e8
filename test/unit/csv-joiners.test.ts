import { describe, expect, it } from 'vitest';
import { parseAccountsCsv } from '../../shared/csv/accounts-csv';

/**
 * Zero-width non-joiner (U+200C) and joiner (U+200D) in an address: part of the spelling of
 * Persian and Indic words (IDNA CONTEXTJ, RFC 5892 Appendix A.1/A.2), so accepted between the
 * letters that use them; anywhere else as invisible and as wrong as a zero-width space.
 */
const HEADER = 'source,target,source_password,target_password';
const parse = (lines: string[]) => parseAccountsCsv(new TextEncoder().encode([HEADER, ...lines].join('\r\n') + '\r\n'));
const ZWNJ = '\u200C';
const ZWJ = '\u200D';

describe('account CSV: joiners in an internationalised address', () => {
  it.each([
    // Persian "I want": ی (dual-joining) ZWNJ خ (dual-joining)
    ['Persian ZWNJ in the local part', `می${ZWNJ}خواهم@example.com`],
    // Persian "letters": ه (dual-joining) ZWNJ ا (right-joining); domain in Persian
    ['Persian ZWNJ before a right-joining letter, Persian domain', `نامه${ZWNJ}ها@شرکت.ایران`],
    // a kasra (transparent) between the letter and the ZWNJ
    ['Persian ZWNJ after a vowel mark', `میِ${ZWNJ}خواهم@example.com`],
    ['Persian ZWNJ inside a domain label', `ali@می${ZWNJ}خواهم.ایران`],
    // Hindi "state" with an explicit half-form: ज (ja) ् (virama) ZWJ य (ya); domain with vowel signs
    ['Devanagari ZWJ after a virama, Devanagari domain', `राज्${ZWJ}य@उदाहरण.भारत`],
    ['Devanagari ZWNJ after a virama', `क्${ZWNJ}ष@example.in`],
    ['Devanagari ZWJ after a virama in a domain label', `raj@राज्${ZWJ}य.भारत`],
  ])('%s is accepted', (_name, address) => {
    const r = parse([`${address},${address},a,b`]);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((row) => [row.source, row.target])).toEqual([[address, address]]);
  });

  it.each([
    ['at the start', `${ZWNJ}ali@example.com`, 'U+200C'],
    ['at the end of the local part', `ali${ZWNJ}@example.com`, 'U+200C'],
    ['between Latin letters (ZWNJ)', `zhang${ZWNJ}san@example.com`, 'U+200C'],
    ['between Latin letters (ZWJ)', `zhang${ZWJ}san@example.com`, 'U+200D'],
    ['ZWJ between Persian letters (no virama before it)', `می${ZWJ}خواهم@example.com`, 'U+200D'],
    ['doubled', `می${ZWNJ}${ZWNJ}خواهم@example.com`, 'U+200C'],
    // و (waw) joins only the letter before it: a ZWNJ after it has nothing to break
    ['after a right-joining letter', `رو${ZWNJ}ز@example.com`, 'U+200C'],
    ['next to the @', `می${ZWNJ}@example.com`, 'U+200C'],
    ['at the start of a domain label', `ali@${ZWNJ}شرکت.ایران`, 'U+200C'],
    ['before a dot in the domain', `ali@شرکت${ZWNJ}.ایران`, 'U+200C'],
    ['Devanagari ZWJ without a virama', `क${ZWJ}ष@example.in`, 'U+200D'],
    ['between a Persian and a Latin letter', `میx${ZWNJ}خ@example.com`, 'U+200C'],
  ])('%s is reported on its line, in English and Chinese', (_name, address, code) => {
    const r = parse(['lisi@old.example.com,lisi@new.example.com,c,d', `${address},zhangsan@new.example.com,a,b`]);
    expect(r.rows.map((row) => row.source)).toEqual(['lisi@old.example.com']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(3);
    expect(r.errors[0]!.message).toContain(`"source" address contains an invisible character (${code})`);
    expect(r.errors[0]!.messageZh).toContain(`中含有不可见字符（${code}）`);
  });

  it('a legitimate joiner does not hide a zero-width space elsewhere in the address', () => {
    const r = parse([`می${ZWNJ}خواهم@example\u200B.com,a@new.example.com,a,b`]);
    expect(r.rows).toEqual([]);
    expect(r.errors[0]!.message).toContain('(U+200B)');
  });
});
