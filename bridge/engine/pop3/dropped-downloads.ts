import { MigrationError } from '../errors';

/**
 * A POP3 server that cannot read one message may drop the session in the middle of sending
 * it: Courier's pop3d, on a read error, exits with "All we can do is drop the connection"
 * (pop3dserver.c). Every session then ends at that message, so one damaged message would stop
 * the whole maildrop. This keeps, across the passes of one run, which messages were being
 * downloaded when a session dropped, and whether whole messages came through meanwhile.
 *
 * A message is blamed only when it dropped a fresh session on which it was sent alone, while
 * other messages' bodies came through in this run or an earlier run already skipped it as
 * unreadable: a link that drops everything is a connection problem, not a bad message. A
 * message that dropped a session goes last in the passes after, so the rest comes first.
 */
export class DroppedDownloads {
  private readonly dropped = new Set<string>();
  /** Whole messages downloaded in this run: the link carries bodies. */
  private delivered = 0;
  /** Messages an earlier run skipped as unreadable (their row says so): that run saw others come through. */
  private readonly unreadableBefore = new Set<string>();

  /** The message `key` was skipped as unreadable by an earlier run: blamed again when it drops a fresh session alone, and sent last. */
  skippedBefore(key: string): void {
    this.unreadableBefore.add(key);
  }

  /** A session dropped during the download of the message `key`. */
  droppedDuring(key: string): void {
    this.dropped.add(key);
  }

  /** A whole message came through. */
  deliveredOne(): void {
    this.delivered++;
  }

  /** Whether the message `key`, which just dropped a fresh session it was sent alone on, is to blame. */
  blame(key: string): boolean {
    return this.delivered > 0 || this.unreadableBefore.has(key);
  }

  /** `messages` with those that dropped a session moved to the end (otherwise in their order). */
  lastIfDropped<T>(messages: T[], key: (m: T) => string): T[] {
    const last = (m: T): boolean => this.dropped.has(key(m)) || this.unreadableBefore.has(key(m));
    if (this.dropped.size === 0 && this.unreadableBefore.size === 0) return messages;
    return [...messages.filter((m) => !last(m)), ...messages.filter(last)];
  }
}

/** Whether a POP3 command failed because the session went away (closed or reset), not by a timeout, a -ERR or a stop. */
export function sessionDropped(err: unknown): boolean {
  return err instanceof MigrationError && err.code === 'CONNECT_FAILED';
}
