import { MigrationError } from '../errors';

/**
 * The POP3 counterpart of bridge/engine/read-only-guard.ts. POP3 has no read-only mode:
 * DELE marks a message, and the server removes it when the session ends with QUIT (the
 * UPDATE state, RFC 1939 section 6). So the source session may only send the commands
 * below; DELE, RSET (Dovecot with pop3_enable_last=yes clears every \Seen flag on RSET),
 * LAST, APOP and anything else are refused before they reach the wire.
 *
 * QUIT is allowed: it ends the session in the UPDATE state, which removes only messages
 * marked with DELE, and this session never marks any.
 */
const ALLOWED = new Set(['CAPA', 'STLS', 'USER', 'PASS', 'AUTH', 'UIDL', 'LIST', 'STAT', 'RETR', 'TOP', 'NOOP', 'QUIT', 'UTF8']);

/** Commands that change the maildrop or its flags; listed for documentation and tests. */
export const FORBIDDEN_POP3_COMMANDS: ReadonlySet<string> = new Set(['DELE', 'RSET', 'LAST']);

export function assertPop3CommandAllowed(verb: string): void {
  const v = verb.toUpperCase();
  if (!ALLOWED.has(v)) {
    throw new MigrationError('INTERNAL', `Blocked ${v} on the source POP3 mailbox: the source is never modified.`, { side: 'source' });
  }
}
