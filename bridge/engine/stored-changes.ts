import type { ImapFlow } from 'imapflow';
import { headerBlock } from './pop3/headers';
import { deselect } from './target-scan';

export interface StoredCopy {
  /** Source UID (IMAP) or the engine's id of the POP3 message. */
  uid: number;
  targetUid: number | null;
  raw: Buffer;
}

export interface StoredChange {
  uid: number;
  targetUid: number;
  what: string;
}

function hasEightBitHeader(raw: Buffer): boolean {
  const header = headerBlock(raw);
  for (let i = 0; i < header.length; i++) if (header[i]! >= 0x80) return true;
  return false;
}

/**
 * Reads back the header of each copy whose source header has raw 8-bit bytes, the one
 * thing servers are known to rewrite on APPEND (Cyrus turns each such byte into 'X'),
 * and returns those the target did not store as sent. Other copies are not read: the
 * check costs a round trip only where a change is possible.
 */
export async function findStoredChanges(target: ImapFlow, folder: string, copies: StoredCopy[]): Promise<StoredChange[]> {
  const suspects = copies.filter((c): c is StoredCopy & { targetUid: number } => c.targetUid !== null && hasEightBitHeader(c.raw));
  if (suspects.length === 0) return [];
  const stored = new Map<number, Buffer>();
  await target.mailboxOpen(folder, { readOnly: true });
  try {
    const uids = suspects.map((c) => c.targetUid).join(',');
    for (const msg of await target.fetchAll(uids, { uid: true, headers: true }, { uid: true })) {
      if (msg.headers) stored.set(msg.uid, msg.headers);
    }
  } finally {
    await deselect(target);
  }
  const changes: StoredChange[] = [];
  for (const c of suspects) {
    const got = stored.get(c.targetUid);
    const sent = headerBlock(c.raw);
    // BODY[HEADER] includes the empty line that ends the header; headerBlock does not.
    if (got && !got.subarray(0, sent.length).equals(sent)) {
      changes.push({ uid: c.uid, targetUid: c.targetUid, what: '8-bit header bytes replaced' });
    }
  }
  return changes;
}
