/**
 * Which connection an error came from. imapflow's errors say what failed but not on which
 * side of the migration: a cut target connection surfaced as "the connection to the
 * source was lost". Each ImapClient marks the errors of its commands with its side and
 * account, and with the connection's last 'error' event, which is the real cause when a
 * command only learns that the connection is gone (a socket timeout, say).
 */

/** The account a connection belongs to, so an error says whose login failed. */
export interface ErrorContext {
  side: 'source' | 'target';
  account: string;
  host: string;
  port: number;
  /** The protocol spoken on the connection; absent: IMAP. */
  protocol?: 'imap' | 'pop3';
}

interface Origin {
  context: ErrorContext;
  cause: unknown;
}

const ORIGIN = Symbol('mailmover.errorOrigin');
const CONNECTION_GONE = new Set(['NoConnection', 'EConnectionClosed', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS']);

export function markOrigin(err: unknown, context: ErrorContext, lastError: unknown): unknown {
  if (!err || typeof err !== 'object' || ORIGIN in err) return err;
  const code = (err as { code?: string }).code ?? '';
  const cause = CONNECTION_GONE.has(code) && lastError ? lastError : err;
  Object.defineProperty(err, ORIGIN, { value: { context, cause } satisfies Origin, enumerable: false });
  return err;
}

export function originOf(err: unknown): Origin | undefined {
  return err && typeof err === 'object' && ORIGIN in err ? ((err as Record<symbol, Origin>)[ORIGIN] as Origin) : undefined;
}
