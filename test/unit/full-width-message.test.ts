/**
 * The full-width check of typed fields (shared/full-width.ts) says what the account file's check
 * says of an address column, so that a field and a CSV cell read alike.
 */
import { describe, expect, it } from 'vitest';
import { parseAccountsCsv } from '../../shared/csv/accounts-csv';
import { fullWidthIn, fullWidthMessage } from '../../shared/full-width';

describe('full-width characters', () => {
  it('finds the full-width forms of ASCII, the ideographic full stop and space, each once', () => {
    expect(fullWidthIn('ｉｍａｐ。qiye.aliyun.com')).toEqual([
      { char: 'ｉ', ascii: 'i' },
      { char: 'ｍ', ascii: 'm' },
      { char: 'ａ', ascii: 'a' },
      { char: 'ｐ', ascii: 'p' },
      { char: '。', ascii: '.' },
    ]);
    expect(fullWidthIn('９９３\u3000')).toEqual([
      { char: '９', ascii: '9' },
      { char: '３', ascii: '3' },
      { char: '\u3000', ascii: '' },
    ]);
    expect(fullWidthIn('张三@公司.中国')).toEqual([]);
    expect(fullWidthMessage('imap.example.com', { en: 'The server address', zh: '“服务器地址”' })).toBeNull();
  });

  it.each(['user＠corp.com', 'ｃ１@corp.com', 'a\u3000b@corp.com', 'ａｂｃｄｅ@corp.com'])('reads as the CSV import’s message for %s', (address) => {
    const csv = parseAccountsCsv(new TextEncoder().encode(`source,target,source_password,target_password\r\n${address},li@new.example,pw,pw2\r\n`));
    const fromCsv = csv.errors[0]!;
    expect(fullWidthMessage(address, { en: 'The "source" address', zh: '“待搬家账号”' })).toEqual({ en: fromCsv.message, zh: fromCsv.messageZh });
  });
});
