import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { FINGERPRINT_HEADERS, exactFingerprint, fingerprint } from '../engine/fingerprint';
import { headerField } from './header-fields';

/** What verify knows of one message without its body. */
export interface MessageMeta {
  uid: number;
  /** the engine's identity: Message-ID, Date, From, Subject (8-bit header bytes as 'X') and size */
  fingerprint: string;
  /**
   * The same with the 8-bit bytes as they are (undefined: equal to `fingerprint`): two messages
   * that differ only in 8-bit header bytes share a fingerprint, and are told apart by this.
   */
  exact?: string;
  size: number;
  /** as the server returned them, \Recent left out (a session flag, never copied) */
  flags: string[];
  internalDate: Date;
  readonly messageId: string | null;
  readonly subject: string | null;
}

export interface FolderMeta {
  uidValidity: number;
  /** PERMANENTFLAGS of the folder; undefined or empty when the server did not say (EXAMINE often says nothing) */
  permanentFlags: string[] | undefined;
  messages: MessageMeta[];
}

/**
 * A fetched message. Message-ID and Subject are decoded only when asked for: a report names
 * the few messages that differ, and decoding every header of a large mailbox cost more CPU
 * than the rest of the match.
 */
class FetchedMeta implements MessageMeta {
  private id: string | null | undefined;
  private subj: string | null | undefined;

  readonly exact: string | undefined;

  constructor(
    readonly uid: number,
    readonly fingerprint: string,
    readonly size: number,
    readonly flags: string[],
    readonly internalDate: Date,
    private readonly headers: Buffer | undefined,
  ) {
    // Only a header with 8-bit bytes has a second form; hashing every header twice is not needed.
    this.exact = headers && headers.some((b) => b >= 0x80) ? exactFingerprint(headers, size) : undefined;
  }

  get messageId(): string | null {
    if (this.id === undefined) this.id = headerField(this.headers, 'message-id');
    return this.id;
  }

  get subject(): string | null {
    if (this.subj === undefined) this.subj = headerField(this.headers, 'subject');
    return this.subj;
  }
}

/**
 * A message the folder's index lists that its FETCH left out (Cyrus answers OK without a
 * message whose file it cannot read: omitted-messages.ts). Its headers cannot be read, so
 * its fingerprint is the one the migration recorded when it copied the message, if it did;
 * otherwise one that matches no copy, so it is missing from the target (or skipped when the
 * migration recorded it so), never silently absent from the check. Its flags, size and date
 * come from the index when the server gives them (Cyrus does).
 */
class UnreadableMeta implements MessageMeta {
  readonly fingerprint: string;
  readonly messageId = null;
  readonly subject = null;

  constructor(
    readonly uid: number,
    recorded: string | undefined,
    readonly size = 0,
    readonly flags: string[] = [],
    readonly internalDate = new Date(Number.NaN),
  ) {
    this.fingerprint = recorded ?? `unreadable-on-the-source:${uid}`;
  }
}

/** A message's flags as the server returned them, \Recent left out (a session flag, never copied). */
function keptFlags(flags: Iterable<string> | undefined): string[] {
  return [...(flags ?? [])].filter((f) => f.toLowerCase() !== '\\recent');
}

/** What readFolderMeta does on the source: ask the index for left-out messages, and the fingerprints the migration recorded for them. */
export interface SourceListing {
  recorded: (uidValidity: number, uids: readonly number[]) => Map<number, string>;
}

/**
 * EXAMINEs a folder and reads every message's metadata: UID, FLAGS, INTERNALDATE,
 * RFC822.SIZE and BODY.PEEK[HEADER.FIELDS (...)] for the fingerprint. One FETCH per folder,
 * no body: this is the whole cost of a metadata verify. `listed` (the source): the index is
 * asked too (UID SEARCH ALL) for messages the FETCH left out (UnreadableMeta).
 */
export async function readFolderMeta(client: ImapFlow, folder: string, opts: { listed?: SourceListing } = {}): Promise<FolderMeta> {
  const box = await client.mailboxOpen(folder, { readOnly: true });
  const messages: MessageMeta[] = [];
  if (box.exists > 0) {
    const query = { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS] };
    for (const msg of await client.fetchAll('1:*', query, { uid: true })) {
      const size = msg.size ?? 0;
      messages.push(
        new FetchedMeta(
          msg.uid,
          fingerprint(msg.headers, size),
          size,
          keptFlags(msg.flags),
          msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0),
          msg.headers,
        ),
      );
    }
  }
  if (opts.listed) {
    // Every time, not when fewer came than EXISTS said: a message expunged by another client
    // meanwhile lowers that count and would hide the one left out.
    const sent = new Set(messages.map((m) => m.uid));
    let listed: number[] = [];
    try {
      listed = (await client.search({ all: true }, { uid: true })) || [];
    } catch {
      // An index that cannot be searched: the folder is checked by what the FETCH sent, as it was.
    }
    const left = listed.filter((uid) => !sent.has(uid));
    if (left.length > 0) {
      const recorded = opts.listed.recorded(Number(box.uidValidity), left);
      const indexed = new Map<number, FetchMessageObject>();
      try {
        // What the index holds without the file (Cyrus answers these for a message it cannot open).
        for (const m of await client.fetchAll(left.join(','), { uid: true, flags: true, internalDate: true, size: true }, { uid: true })) indexed.set(m.uid, m);
      } catch {
        // Not even that: the UID alone.
      }
      for (const uid of left) {
        const m = indexed.get(uid);
        const date = m?.internalDate instanceof Date ? m.internalDate : m?.internalDate ? new Date(m.internalDate) : new Date(Number.NaN);
        messages.push(new UnreadableMeta(uid, recorded.get(uid), m?.size ?? 0, keptFlags(m?.flags), date));
      }
    }
  }
  messages.sort((a, b) => a.uid - b.uid);
  return {
    uidValidity: Number(box.uidValidity),
    permanentFlags: box.permanentFlags ? [...box.permanentFlags] : undefined,
    messages,
  };
}
