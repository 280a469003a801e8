/**
 * STAT of a POP3 inbox, for the connection test: the inbox count of a POP3 source, and the POP3
 * side of the comparison that spots an IMAP view limited to recent mail. It goes through the
 * migration's own client (bridge/engine/pop3/client.ts), so the test sees the same framing, TLS
 * policy, timeouts and read-only allowlist as a migration: CAPA, STLS, the login, UTF8, STAT and
 * QUIT are all that reach the server.
 */
import type { ErrorCode } from '../../shared/errors';
import type { Endpoint } from '../engine/endpoint';
import { MigrationError } from '../engine/errors';
import { Pop3Client } from '../engine/pop3/client';
import { Pop3ProtocolError, Pop3ServerError, classifyPop3Error } from '../engine/pop3/errors';
import { foreignServiceKind, mailGreeting } from './mail-greeting';

export interface InboxStat {
  messages: number;
  octets: number;
}

/** A failed STAT check: the engine's error code, a message without secrets, and what the server said. */
export class Pop3CheckError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly serverText: string | null = null,
  ) {
    super(message);
    this.name = 'Pop3CheckError';
  }
}

/** Login refusals that mean "not now" rather than "wrong password", beyond the RFC 2449 response codes the engine reads. */
const BUSY_TEXT = /too many|try again|频繁/i;
const GREETING_REFUSED = /^expected \+OK or -ERR in answer to greeting, got "(.*)"$/;

/**
 * The engine's Pop3ProtocolError quotes the first line of whatever answered. The connection test
 * can be pointed at any host and port, so that line is repeated only when it is a mail greeting;
 * for another service only its kind is said (see mail-greeting.ts).
 */
function notPop3(where: string, cause: Pop3ProtocolError): Pop3CheckError | null {
  const first = GREETING_REFUSED.exec(cause.message)?.[1];
  if (first === undefined) return null;
  const mail = mailGreeting(first);
  return new Pop3CheckError('PROTOCOL_ERROR', mail ? `${where} is not a POP3 server (greeting "${mail.slice(0, 80)}").` : `${where} is ${foreignServiceKind(first)}, not a POP3 server.`, mail);
}

function toCheckError(err: unknown, ep: Endpoint, side: 'source' | 'target'): Pop3CheckError {
  const where = `POP3 ${ep.host}:${ep.port}`;
  const e = err instanceof MigrationError ? err : classifyPop3Error(err, { side, account: ep.user, host: ep.host, port: ep.port }, 'session');
  const cause = e.cause;
  if (cause instanceof Pop3ProtocolError) {
    const foreign = notPop3(where, cause);
    if (foreign) return foreign;
  }
  const serverText = cause instanceof Pop3ServerError ? cause.responseText : null;
  const code = e.code === 'AUTH_FAILED' && serverText !== null && BUSY_TEXT.test(serverText) ? 'THROTTLED' : e.code;
  return new Pop3CheckError(code, e.message, serverText);
}

/**
 * Logs in, sends STAT and QUIT. Each network step waits at most `timeoutMs`. Rejects with a
 * Pop3CheckError naming `side`; the password is never in its message.
 */
export async function pop3InboxStat(ep: Endpoint, timeoutMs: number, side: 'source' | 'target' = 'source'): Promise<InboxStat> {
  let client: Pop3Client;
  try {
    client = await Pop3Client.connect(ep, { connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs });
  } catch (err) {
    throw toCheckError(err, ep, side);
  }
  try {
    const { text } = await client.command('STAT');
    const m = /^(\d+)\s+(\d+)/.exec(text);
    if (!m) throw new Pop3CheckError('PROTOCOL_ERROR', `POP3 ${ep.host}:${ep.port} sent an unreadable STAT reply "+OK ${text.slice(0, 80)}".`, text.slice(0, 200));
    return { messages: Number(m[1]), octets: Number(m[2]) };
  } catch (err) {
    throw err instanceof Pop3CheckError ? err : toCheckError(err, ep, side);
  } finally {
    await client.quit();
  }
}
