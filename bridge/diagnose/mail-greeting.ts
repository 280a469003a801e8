/**
 * What a connection test may repeat of the first line a server sent. A mail server's greeting
 * (IMAP `* OK` / `* PREAUTH` / `* BYE`, POP3 `+OK` / `-ERR`) names its software and, when it
 * refuses the session, why: that helps whoever set up the connection. Anything else is some other
 * service's banner, and repeating it would make endpoint.test a way to read the banner of any
 * host and port the bridge can reach (an SSH server's version, an internal service's name); so
 * for those only the kind of service is said, never its text.
 */

const MAIL_GREETING = /^(\* (OK|PREAUTH|BYE)\b|\+OK\b|-ERR\b)/i;

/** The first line, when it is an IMAP or POP3 greeting (of either protocol), else null. */
export function mailGreeting(line: string | null | undefined): string | null {
  if (!line || !MAIL_GREETING.test(line)) return null;
  // Printable text only, and not a page of it: a greeting is one short line.
  return line.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
}

/** What kind of service a non-mail first line comes from, in words, without its text. */
export function foreignServiceKind(line: string): string {
  if (/^SSH-/.test(line)) return 'an SSH server';
  if (/^220[ -]/.test(line)) return /ftp/i.test(line) ? 'an FTP server' : 'an SMTP server';
  if (/^HTTP\//.test(line)) return 'a web server';
  return 'not a mail server';
}
