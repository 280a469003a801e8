/**
 * Helpers for the pop3-*.test.ts integration tests (not a test file itself).
 */
import { readFileSync } from 'node:fs';
import type { Endpoint } from '../../bridge/engine/endpoint';
import type { DovecotServer, DovecotUser } from '../harness/dovecot';
import { textMessage } from '../support/corpus';

/** A POP3 endpoint on a harness server: plain (loopback, plaintext allowed), pop3s, or STLS. */
export function pop3Endpoint(server: DovecotServer, user: DovecotUser, security: 'plain' | 'tls' | 'starttls' = 'plain'): Endpoint {
  return {
    protocol: 'pop3',
    host: server.host,
    port: security === 'tls' ? server.pop3sPort : server.pop3Port,
    security,
    user: user.user,
    auth: { kind: 'password', password: user.password },
    allowPlaintext: security === 'plain',
    insecureTls: false,
    ca: server.caPem,
  };
}

export interface Pop3SessionStats {
  user: string;
  top: number;
  retr: number;
  retrBytes: number;
  /** Messages deleted (DELE) / messages in the maildrop, from Dovecot's pop3_logout_format. */
  del: number;
  messages: number;
}

/**
 * Every ended POP3 session in the server's log, from Dovecot's logout line
 * ("... top=0/0, retr=10/6679, del=0/10, size=6515", written when the session ends,
 * with QUIT or not).
 */
export function pop3Sessions(server: DovecotServer): Pop3SessionStats[] {
  const log = readFileSync(server.logPath, 'utf8');
  const out: Pop3SessionStats[] = [];
  for (const m of log.matchAll(/pop3\(([^)]+)\)<[^\n]*?top=(\d+)\/\d+, retr=(\d+)\/(\d+), del=(\d+)\/(\d+)/g)) {
    out.push({ user: m[1]!, top: Number(m[2]), retr: Number(m[3]), retrBytes: Number(m[4]), del: Number(m[5]), messages: Number(m[6]) });
  }
  return out;
}

/** Waits until the server has logged at least `n` ended POP3 sessions (the log line follows the disconnect). */
export async function waitForSessions(server: DovecotServer, n: number): Promise<Pop3SessionStats[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = pop3Sessions(server);
    if (s.length >= n || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CRLF = '\r\n';

/** Lines that start with "." (stuffed on the wire), a lone "." line and CRLF.CRLF in the body. */
export function dottedMessage(): Buffer {
  return Buffer.from(
    [
      'From: dots@old.example.com',
      'To: x@old.example.com',
      'Subject: dot-stuffing',
      'Date: Sat, 6 Feb 2016 10:00:00 +0000',
      'Message-ID: <dots@old.example.com>',
      '',
      '.starts with a dot',
      '..two dots',
      '.',
      '',
      '.',
      '...',
      'end',
      '',
    ].join(CRLF),
    'latin1',
  );
}

/** Received says 2016-03-01 01:30:00 UTC, Date says a day earlier. */
export function receivedMessage(): Buffer {
  return Buffer.concat([
    Buffer.from(
      `Received: from mx.sender.example (mx.sender.example [192.0.2.1])${CRLF}\tby mail.old.example.com with ESMTP id 4F2A; Tue, 1 Mar 2016 09:30:00 +0800 (CST)${CRLF}` +
        `Received: from client by mx.sender.example; Mon, 29 Feb 2016 23:00:00 +0000${CRLF}`,
      'latin1',
    ),
    textMessage({ id: 'received', subject: 'with Received', date: new Date('2016-02-29T09:00:00Z') }),
  ]);
}
export const RECEIVED_DATE = new Date('2016-03-01T01:30:00Z');
