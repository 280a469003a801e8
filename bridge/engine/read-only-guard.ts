import type { ImapFlow } from 'imapflow';
import { MigrationError } from './errors';

/**
 * Commands that can change a mailbox. The source of a migration must never see one:
 * we open folders with EXAMINE and fetch with BODY.PEEK[], and this guard makes any
 * slip (ours or a library's) fail loudly instead of touching the old mailbox.
 */
const FORBIDDEN = new Set([
  'SELECT', 'STORE', 'UID STORE', 'EXPUNGE', 'UID EXPUNGE', 'CREATE', 'DELETE', 'RENAME',
  'APPEND', 'MOVE', 'UID MOVE', 'COPY', 'UID COPY', 'SUBSCRIBE', 'UNSUBSCRIBE',
  'SETMETADATA', 'SETACL', 'DELETEACL', 'SETQUOTA', 'CLOSE',
]);

type Exec = (command: string, ...rest: unknown[]) => Promise<unknown>;

export function guardReadOnly<C extends ImapFlow>(client: C): C {
  const target = client as unknown as { exec: Exec };
  const exec = target.exec.bind(client);
  target.exec = (command: string, ...rest: unknown[]) => {
    if (FORBIDDEN.has(command.toUpperCase())) {
      return Promise.reject(
        new MigrationError('INTERNAL', `Blocked ${command} on the source mailbox: the source is never modified.`, { side: 'source' }),
      );
    }
    return exec(command, ...rest);
  };
  return client;
}

export const FORBIDDEN_SOURCE_COMMANDS: ReadonlySet<string> = FORBIDDEN;
