import { ServiceFoundSchema, serviceWords } from '../../shared/wrong-service';
import { REMEDIES, type ErrorCode, type ErrorInfo } from '../../shared/errors';
import type { WarningFacts } from '../../shared/warning-facts';
import { originOf, type ErrorContext } from './error-origin';

export type { ErrorContext } from './error-origin';

/** An error whose code the UI and the report understand; `message` never holds a secret. */
export class MigrationError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { cause?: unknown; side?: 'source' | 'target'; facts?: WarningFacts } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
  }

  get transient(): boolean {
    return REMEDIES[this.code].transient;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.options.side ? { side: this.options.side } : {}), ...(this.options.facts ? { facts: this.options.facts } : {}) };
  }
}

interface ImapLikeError {
  code?: string;
  /** imapflow: the text of the BYE that ended the connection, on the errors of the commands it failed. */
  reason?: string;
  message?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  responseStatus?: string;
  /** imap-client.ts: what answered instead of an IMAP server (NOT_IMAP_GREETING). */
  serviceFound?: unknown;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'CONNECT_TIMEOUT']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'NoConnection', 'ClosedAfterConnectTLS', 'ClosedAfterConnectText', 'EConnectionClosed']);

/**
 * What to do about a failed TLS connection. The message is read in the extension (a checkbox
 * "Accept a self-signed certificate") and on the command line (--insecure-tls), so it names the
 * choice in words that fit both; the connection test, on either, shows the certificate's
 * fingerprint to check first. A port that does not speak TLS is not helped by accepting anything.
 */
/** OpenSSL's reason out of its error line ("80BC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record.c:355:"). */
function opensslReason(message: string | undefined): string | undefined {
  return /SSL routines:[^:]*:([^:]+)/.exec(message ?? '')?.[1];
}

const PLAIN_PORT = /wrong version number|packet length too long|unknown protocol|http request/i;

function tlsAdvice(code: string, message: string, protocol: ErrorContext['protocol']): string {
  const accept = "If you trust this server, choose to accept a self-signed certificate for it. The connection test shows the certificate's SHA-256 fingerprint: check it with the server's administrator first.";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `Use the server name the certificate was issued for. ${accept}`;
  // Accepting would hide the cause: a certificate not valid yet usually means this computer's clock is wrong.
  if (code === 'CERT_NOT_YET_VALID') return "The certificate is not valid yet: check this computer's date and time first.";
  if (code === 'CERT_HAS_EXPIRED') return `The server's certificate has expired: its administrator has to renew it (check this computer's date and time too). ${accept}`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ISSUER/.test(code) || /certificate|self[- ]signed/i.test(message)) return accept;
  // OpenSSL's words for a peer that answered in clear text: a STARTTLS (or plain) port given as TLS.
  if (PLAIN_PORT.test(message)) {
    return protocol === 'pop3'
      ? 'The port does not speak TLS from the start: use pop3:// (STLS) for port 110, pop3s:// for 995.'
      : 'The port does not speak TLS from the start: use imap:// (STARTTLS) for port 143, imaps:// for 993.';
  }
  return 'Check that the port and the security setting (TLS from the start, or STARTTLS) match what the server offers.';
}

/**
 * Turns whatever imapflow, node:net or node:tls threw into a coded MigrationError.
 * The server's own words are kept (they often name the real cause, e.g. "IMAP is
 * disabled for this account"), credentials never appear in them.
 */
export function classifyError(err: unknown, fallback: ErrorContext): MigrationError {
  if (err instanceof MigrationError) return err;
  // The connection the error came from knows its side better than the caller's guess.
  const origin = originOf(err);
  const ctx = origin?.context ?? fallback;
  if (origin) err = origin.cause;
  if (err instanceof MigrationError) return err;
  const e = (err ?? {}) as ImapLikeError;
  const where = `${ctx.side} ${ctx.account} at ${ctx.host}:${ctx.port}`;
  const serverText = (e.responseText ?? '').trim();
  const said = serverText ? ` The server said: "${serverText}".` : '';
  const code = e.code ?? '';
  const responseCode = (e.serverResponseCode ?? '').toUpperCase();
  const text = `${e.message ?? ''} ${serverText}`.toLowerCase();
  const opts = { cause: err, side: ctx.side };

  // Before the TLS check: imapflow's ClosedAfterConnectTLS is a connection that closed
  // (during or after the handshake), not a certificate problem, and is worth a retry.
  if (DROPPED_CODES.has(code)) {
    // A BYE says why (a restart, a connection limit, "Internal error" over a message the server
    // cannot read): without it the report cannot tell those from a network fault.
    const bye = typeof e.reason === 'string' && e.reason.trim() ? ` The server said: "${e.reason.trim()}".` : '';
    return new MigrationError('CONNECT_FAILED', `The connection to the ${where} was lost (${code}).${bye}`, opts);
  }
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|tls|ssl/.test(code.toLowerCase())) {
    return new MigrationError('TLS_FAILED', `TLS to the ${where} failed: ${opensslReason(e.message) ?? e.message ?? code}. ${tlsAdvice(code, e.message ?? '', ctx.protocol)}`, opts);
  }
  if (code === 'NOT_IMAP_GREETING') {
    const found = ServiceFoundSchema.catch('other').parse(e.serviceFound);
    const pop3 = ctx.side === 'source' ? '; POP3 is 110, or 995 with TLS, given as pop3:// or pop3s://' : '';
    return new MigrationError('CONFIG_INVALID', `The ${where} is ${serviceWords(found, 'en')}, not an IMAP server. Check the port (IMAP is 143 with STARTTLS, or 993 with TLS${pop3}) and the server address.`, {
      ...opts,
      facts: { kind: 'wrong-service', found, expected: 'imap' },
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MigrationError('DNS_FAILED', `The server name of the ${where} could not be resolved (${code}). Check the server address.`, opts);
  }
  if (CONNECT_CODES.has(code)) {
    return new MigrationError('CONNECT_FAILED', `Cannot connect to the ${where} (${code}). Check the server address and port.`, opts);
  }
  if (code === 'ETIMEDOUT' || code === 'ETIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'SOCKET_TIMEOUT') {
    return new MigrationError('TIMEOUT', `The ${where} stopped answering (${code}).`, opts);
  }
  // Checked before authentication: Dovecot refuses a login over its per-user connection
  // limit with NO [UNAVAILABLE] "Maximum number of connections...", which is a reason to
  // wait and use fewer connections, not a wrong password.
  if (/maximum number of connections|too many (simultaneous |concurrent )?connections|rate limit|throttl|try again later/.test(text)) {
    return new MigrationError('THROTTLED', `The ${where} is limiting connections or requests.${said}`, opts);
  }
  if (/disabled|not enabled|imap.*(off|closed)|未开启|未启用/.test(text) && (e.authenticationFailed || responseCode === 'UNAVAILABLE' || /imap/.test(text))) {
    return new MigrationError('IMAP_DISABLED', `The ${where} refused IMAP access.${said} Enable IMAP for this mailbox.`, opts);
  }
  if (e.authenticationFailed || responseCode === 'AUTHENTICATIONFAILED' || responseCode === 'AUTHORIZATIONFAILED') {
    return new MigrationError('AUTH_FAILED', `Login failed for the ${where}.${said} Check the password (or authorization code / app password) and that IMAP is enabled for this account.`, opts);
  }
  if (responseCode === 'OVERQUOTA' || /quota/.test(text)) {
    return new MigrationError('QUOTA_EXCEEDED', `The ${where} is over quota.${said}`, opts);
  }
  if (responseCode === 'LIMIT' || responseCode === 'INUSE' || /too many|rate limit|throttl|try again later/.test(text)) {
    return new MigrationError('THROTTLED', `The ${where} is limiting requests.${said}`, opts);
  }
  if (DROPPED_CODES.has(code) || /connection (closed|not available|reset)|socket closed|unexpected close/.test(text)) {
    return new MigrationError('CONNECT_FAILED', `The connection to the ${where} was lost (${code || 'closed'}).`, opts);
  }
  if (code === 'ProtocolError' || code === 'LineTooLarge' || code === 'LiteralTooLarge') {
    return new MigrationError('PROTOCOL_ERROR', `The ${where} sent an invalid response (${code}).`, opts);
  }
  return new MigrationError('INTERNAL', `Unexpected error talking to the ${where}: ${e.message ?? String(err)}${said}`, opts);
}

/** The error of a run the user stopped (its AbortSignal fired). */
export function stoppedError(): MigrationError {
  return new MigrationError('CANCELLED', 'The migration was stopped.');
}
