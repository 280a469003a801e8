import { MigrationError, classifyError, type ErrorContext } from '../errors';

/** A "-ERR" answer. `command` is the verb only (never an argument: PASS and AUTH carry secrets). */
export class Pop3ServerError extends Error {
  constructor(
    readonly command: string,
    /** The server's text after "-ERR", e.g. "[AUTH] Authentication failed." */
    readonly responseText: string,
  ) {
    super(`${command} failed: -ERR ${responseText}`.trim());
    this.name = 'Pop3ServerError';
  }

  /** RFC 2449 / RFC 3206 response code, e.g. 'AUTH', 'IN-USE', 'SYS/TEMP', 'LOGIN-DELAY'. */
  get responseCode(): string | undefined {
    return /^\[([^\]]+)\]/.exec(this.responseText)?.[1]?.toUpperCase();
  }
}

/** No answer within the command's timeout; the socket is closed. */
export class Pop3TimeoutError extends Error {
  readonly code = 'ETIMEOUT';
  constructor(readonly command: string, readonly ms: number) {
    super(`no answer to ${command} for ${Math.round(ms / 1000)} s`);
    this.name = 'Pop3TimeoutError';
  }
}

/** The server broke the protocol (no +OK/-ERR, a line too long, bytes after STLS...). */
export class Pop3ProtocolError extends Error {
  readonly code = 'ProtocolError';
  constructor(message: string) {
    super(message);
    this.name = 'Pop3ProtocolError';
  }
}

/** The connection went away (closed by the server, reset, ...). */
export class Pop3ClosedError extends Error {
  readonly code = 'EConnectionClosed';
  constructor(message = 'connection closed by the server') {
    super(message);
    this.name = 'Pop3ClosedError';
  }
}

const DISABLED = /disabled|not enabled|not allowed|not permitted|未开启|未启用|未开通|关闭/i;

/**
 * Turns what the POP3 client threw into a coded MigrationError naming the account and
 * server. Socket and TLS errors go through the engine's classifyError (same codes as IMAP).
 * `phase` says whether the error came while logging in: a -ERR to PASS or AUTH is a
 * failed login, a -ERR to RETR is not.
 */
export function classifyPop3Error(err: unknown, ctx: ErrorContext, phase: 'login' | 'session'): MigrationError {
  if (err instanceof MigrationError) return err;
  const where = `${ctx.side} ${ctx.account} at ${ctx.host}:${ctx.port} (POP3)`;
  const opts = { cause: err, side: ctx.side };
  if (err instanceof Pop3ServerError) {
    const said = ` The server said: "-ERR ${err.responseText}".`;
    const code = err.responseCode;
    if (code === 'IN-USE' || code === 'LOGIN-DELAY' || code === 'SYS/TEMP' || /too many|try again later|rate limit|maildrop (is )?(already )?locked|busy/i.test(err.responseText)) {
      return new MigrationError('THROTTLED', `The ${where} refused the session for now.${said} It is retried; close other POP3 clients of this mailbox if it persists.`, opts);
    }
    if (DISABLED.test(err.responseText) && (phase === 'login' || /pop/i.test(err.responseText))) {
      return new MigrationError('IMAP_DISABLED', `The ${where} refused POP3 access.${said} Enable POP3 for this mailbox in its settings.`, opts);
    }
    if (phase === 'login' || code === 'AUTH') {
      return new MigrationError('AUTH_FAILED', `Login failed for the ${where}.${said} Check the password (or authorization code / app password) and that POP3 is enabled for this account.`, opts);
    }
    if (code === 'SYS/PERM') {
      return new MigrationError('PROTOCOL_ERROR', `The ${where} failed ${err.command}.${said}`, opts);
    }
    return new MigrationError('PROTOCOL_ERROR', `The ${where} refused ${err.command}.${said}`, opts);
  }
  if (err instanceof Pop3TimeoutError) {
    return new MigrationError('TIMEOUT', `The ${where} stopped answering (${err.message}).`, opts);
  }
  if (err instanceof Pop3ProtocolError) {
    return new MigrationError('PROTOCOL_ERROR', `The ${where} sent an invalid response: ${err.message}.`, opts);
  }
  if (err instanceof Pop3ClosedError && phase === 'login') {
    // Courier's pop3d opens every message file it has not sized before right after the login,
    // and exits when one cannot be read (pop3dserver.c, calcsize): the client sees the close.
    return new MigrationError(
      'CONNECT_FAILED',
      `The ${where} closed the connection during the login, without an answer. Servers do this after a wrong password, or when they cannot open the mailbox (Courier's POP3 server exits so when it cannot read one of the mailbox's message files): check the password, then the mailbox on the old server, or migrate it over IMAP.`,
      opts,
    );
  }
  if (err instanceof Pop3ClosedError) {
    return new MigrationError('CONNECT_FAILED', `The connection to the ${where} was lost (${err.message}).`, opts);
  }
  return classifyError(err, { ...ctx, protocol: 'pop3' });
}
