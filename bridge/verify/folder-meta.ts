import type { ImapFlow } from 'imapflow';
import { FINGERPRINT_HEADERS, fingerprint } from '../engine/fingerprint';
import { headerField } from './header-fields';

/** What verify knows of one message without its body. */
export interface MessageMeta {
  uid: number;
  /** the engine's identity: Message-ID, Date, From, Subject (8-bit header bytes as 'X') and size */
  fingerprint: string;
  size: number;
  /** as the server returned them, \Recent left out (a session flag, never copied) */
  flags: string[];
  internalDate: Date;
  messageId: string | null;
  subject: string | null;
}

export interface FolderMeta {
  uidValidity: number;
  /** PERMANENTFLAGS of the folder; undefined or empty when the server did not say (EXAMINE often says nothing) */
  permanentFlags: string[] | undefined;
  messages: MessageMeta[];
}

/**
 * EXAMINEs a folder and reads every message's metadata: UID, FLAGS, INTERNALDATE,
 * RFC822.SIZE and BODY.PEEK[HEADER.FIELDS (...)] for the fingerprint. One FETCH per folder,
 * no body: this is the whole cost of a metadata verify.
 */
export async function readFolderMeta(client: ImapFlow, folder: string): Promise<FolderMeta> {
  const box = await client.mailboxOpen(folder, { readOnly: true });
  const messages: MessageMeta[] = [];
  if (box.exists > 0) {
    const query = { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS] };
    for (const msg of await client.fetchAll('1:*', query, { uid: true })) {
      const size = msg.size ?? 0;
      messages.push({
        uid: msg.uid,
        fingerprint: fingerprint(msg.headers, size),
        size,
        flags: [...(msg.flags ?? [])].filter((f) => f.toLowerCase() !== '\\recent'),
        internalDate: msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0),
        messageId: headerField(msg.headers, 'message-id'),
        subject: headerField(msg.headers, 'subject'),
      });
    }
  }
  messages.sort((a, b) => a.uid - b.uid);
  return {
    uidValidity: Number(box.uidValidity),
    permanentFlags: box.permanentFlags ? [...box.permanentFlags] : undefined,
    messages,
  };
}
