/**
 * A server address whose port answers as another service (the POP3 port typed into the IMAP
 * settings, an SMTP or SSH port): the error's facts name what answered, and the words a person
 * reads, in both languages, say so and which ports to check, instead of "retry, and report the
 * server software". Only the old mailbox may switch protocol: the new one is written over IMAP.
 */
import { describe, expect, it } from 'vitest';
import { errorMessage, errorRemedy } from '../../shared/errors';
import { serviceOfLine } from '../../shared/wrong-service';

describe('a port that answers as another service', () => {
  it('tells the service from its first line', () => {
    expect(serviceOfLine('+OK Dovecot (Debian) ready.')).toBe('pop3');
    expect(serviceOfLine('* OK [CAPABILITY IMAP4rev1] ready')).toBe('imap');
    expect(serviceOfLine('220 mail.example.com ESMTP Postfix')).toBe('smtp');
    expect(serviceOfLine('220 ProFTPD Server ready')).toBe('ftp');
    expect(serviceOfLine('SSH-2.0-OpenSSH_9.2p1')).toBe('ssh');
    expect(serviceOfLine('HTTP/1.1 400 Bad Request')).toBe('http');
    expect(serviceOfLine('hello')).toBe('other');
  });

  it('the old mailbox on its POP3 port: says so in both languages, with the ports, and that POP3 may be chosen', () => {
    const error = { code: 'CONFIG_INVALID' as const, message: 'x', side: 'source' as const, facts: { kind: 'wrong-service' as const, found: 'pop3' as const, expected: 'imap' as const } };
    expect(errorMessage(error, 'en')).toBe("The port given for the old mailbox's server answers as a POP3 server, not as an IMAP server.");
    expect(errorMessage(error, 'zh')).toBe('原邮箱服务器地址的端口上是POP3 服务器，不是 IMAP 服务器。');
    const remedy = errorRemedy(error);
    expect(remedy.transient).toBe(false);
    expect(remedy.en).toBe(
      "This port answers as a POP3 server, not as an IMAP server. Check the port in the provider's settings: IMAP is 993 (SSL/TLS) or 143 (STARTTLS), POP3 is 995 (SSL/TLS) or 110. Or choose POP3 for this mailbox, if that is what the provider offers.",
    );
    expect(remedy.zh).toBe('该端口上是POP3 服务器，不是 IMAP 服务器。请核对服务商提供的端口：IMAP 为 993（SSL/TLS）或 143（STARTTLS），POP3 为 995（SSL/TLS）或 110。如服务商提供的是 POP3，也可为该邮箱改选 POP3。');
  });

  it('the new mailbox: no suggestion to switch protocol (it is always written over IMAP)', () => {
    const remedy = errorRemedy({ code: 'CONFIG_INVALID', side: 'target', facts: { kind: 'wrong-service', found: 'pop3', expected: 'imap' } });
    expect(remedy.en).toContain('This port answers as a POP3 server, not as an IMAP server.');
    expect(remedy.en).not.toContain('choose POP3');
    expect(remedy.zh).not.toContain('改选');
  });

  it('another service: named, never quoted', () => {
    const error = { code: 'CONFIG_INVALID' as const, message: 'x', side: 'target' as const, facts: { kind: 'wrong-service' as const, found: 'smtp' as const, expected: 'imap' as const } };
    expect(errorMessage(error, 'en')).toBe("The port given for the new mailbox's server answers as an SMTP (mail sending) server, not as an IMAP server.");
    expect(errorRemedy(error).zh).toContain('该端口上是SMTP（发信）服务器');
  });
});
