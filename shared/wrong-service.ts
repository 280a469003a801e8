import { z } from 'zod';

/**
 * What answered on a port given for IMAP or POP3, from the first line it sent: a mail server of
 * the other protocol (the POP3 port typed into the IMAP settings, one line off on the provider's
 * page), or another service. Never the line itself: repeating a banner would let a connection
 * test read the version of any service the bridge can reach.
 */
export const ServiceFoundSchema = z.enum(['imap', 'pop3', 'smtp', 'ssh', 'ftp', 'http', 'other']);
export type ServiceFound = z.infer<typeof ServiceFoundSchema>;

export function serviceOfLine(line: string): ServiceFound {
  if (/^\* (OK|PREAUTH|BYE)\b/i.test(line)) return 'imap';
  if (/^(\+OK|-ERR)\b/i.test(line)) return 'pop3';
  if (/^SSH-/.test(line)) return 'ssh';
  if (/^220[ -]/.test(line)) return /ftp/i.test(line) ? 'ftp' : 'smtp';
  if (/^HTTP\//.test(line)) return 'http';
  return 'other';
}

const FOUND = {
  en: { imap: 'an IMAP server', pop3: 'a POP3 server', smtp: 'an SMTP (mail sending) server', ssh: 'an SSH server', ftp: 'an FTP server', http: 'a web server', other: 'not a mail server' },
  zh: { imap: 'IMAP 服务器', pop3: 'POP3 服务器', smtp: 'SMTP（发信）服务器', ssh: 'SSH 服务器', ftp: 'FTP 服务器', http: '网页服务器', other: '非邮件服务' },
} as const;

export function serviceWords(found: ServiceFound, lang: 'en' | 'zh'): string {
  return FOUND[lang][found];
}

/**
 * What to do, in both languages, when `found` answered where an `expected` server was given. The
 * old mailbox may be read over either protocol; the new one is always written over IMAP.
 */
export function wrongServiceRemedy(found: ServiceFound, expected: 'imap' | 'pop3', side: 'source' | 'target' | undefined): { en: string; zh: string } {
  const otherProtocol = side === 'source' && (found === 'pop3' || found === 'imap');
  const en =
    `This port answers as ${FOUND.en[found]}, not as ${expected === 'imap' ? 'an IMAP' : 'a POP3'} server. ` +
    "Check the port in the provider's settings: IMAP is 993 (SSL/TLS) or 143 (STARTTLS), POP3 is 995 (SSL/TLS) or 110." +
    (otherProtocol ? ` Or choose ${found.toUpperCase()} for this mailbox, if that is what the provider offers.` : '');
  const zh =
    `该端口上是${FOUND.zh[found]}，不是 ${expected.toUpperCase()} 服务器。请核对服务商提供的端口：IMAP 为 993（SSL/TLS）或 143（STARTTLS），POP3 为 995（SSL/TLS）或 110。` +
    (otherProtocol ? `如服务商提供的是 ${found.toUpperCase()}，也可为该邮箱改选 ${found.toUpperCase()}。` : '');
  return { en, zh };
}
