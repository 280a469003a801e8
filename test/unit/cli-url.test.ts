import { describe, expect, it } from 'vitest';
import { UsageError, parseEndpointUrl } from '../../bridge/cli/endpoint-url';

describe('parseEndpointUrl', () => {
  it('reads imap:// as STARTTLS on 143 and imaps:// as TLS on 993', () => {
    expect(parseEndpointUrl('imap://mail.example.com', '--source')).toEqual({ protocol: 'imap', security: 'starttls', host: 'mail.example.com', port: 143, user: undefined });
    expect(parseEndpointUrl('imaps://imap.exmail.qq.com', '--source')).toMatchObject({ security: 'tls', port: 993 });
  });
  it('decodes a percent-encoded user containing @', () => {
    expect(parseEndpointUrl('imaps://zhang.san%40example.com@imap.qiye.aliyun.com:9993', '--source')).toEqual({
      protocol: 'imap',
      security: 'tls',
      host: 'imap.qiye.aliyun.com',
      port: 9993,
      user: 'zhang.san@example.com',
    });
  });
  it('accepts an IPv6 literal', () => {
    expect(parseEndpointUrl('imap://[::1]:1143', '--target')).toMatchObject({ host: '::1', port: 1143 });
  });
  it.each([
    ['pop3://a@b', /POP3 can only be a source/],
    ['pop3s://a@b', /POP3 can only be a source/],
    ['http://a', /unsupported scheme/],
    ['imap://u:secret@host', /do not put a password/],
    ['not a url', /not a URL/],
    ['imap://host/INBOX', /unexpected path/],
  ])('refuses %s with a message naming the option', (url, message) => {
    expect(() => parseEndpointUrl(url, '--source')).toThrow(UsageError);
    expect(() => parseEndpointUrl(url, '--source')).toThrow(message);
    expect(() => parseEndpointUrl(url, '--source')).toThrow(/^--source/);
  });
  it.each(['imaps://alice:Pa#ssw0rd@imap.example.com', 'imap://alice:p/w?x@imap.example.com:143'])(
    'never shows a password that breaks the URL (%s)',
    (url) => {
      expect(() => parseEndpointUrl(url, '--source')).toThrow(/not a URL/);
      let message = '';
      try {
        parseEndpointUrl(url, '--source');
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).not.toMatch(/Pa#ssw0rd|p\/w\?x/);
      expect(message).toContain('alice:***@imap.example.com');
      expect(message).toMatch(/no password in it/);
    },
  );
});
