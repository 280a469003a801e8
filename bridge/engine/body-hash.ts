import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import type { ByteBudget } from './byte-budget';
import { uidRangeSets } from './imap/uid-sets';

/**
 * Whether a header block names a Message-ID (a blank one names none). Without it the
 * fingerprint (Date, From, Subject, size) cannot tell apart two messages a robot sent in
 * the same second with bodies of one length: such a match is confirmed by body hash
 * (content-match.ts) before a source message is taken for a target copy.
 */
export function hasMessageId(headerBlock: Buffer | undefined): boolean {
  if (!headerBlock || headerBlock.length === 0) return false;
  const text = headerBlock.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  return /^message-id[ \t]*:[ \t]*\S/im.test(text);
}

/**
 * A message's content hash, as comparable across servers as its fingerprint is: 8-bit
 * bytes of the header count as 'X' (Cyrus stores them so, one for one) and a NUL byte as
 * 0x80 (Dovecot's BODY[] shows a stored NUL so). Anything else a server changed makes the
 * hashes differ, and the message is copied again: a double, never a loss.
 */
export function bodyHash(raw: Buffer): string {
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0) end = raw.indexOf('\n\n');
  const headerEnd = end < 0 ? raw.length : end;
  const h = createHash('sha256');
  h.update(Buffer.from(raw.subarray(0, headerEnd).toString('latin1').replace(/[\x80-\xff]/g, 'X'), 'latin1'));
  const body = raw.subarray(headerEnd);
  if (body.includes(0)) {
    const copy = Buffer.from(body);
    for (let i = 0; i < copy.length; i++) if (copy[i] === 0) copy[i] = 0x80;
    h.update(copy);
  } else {
    h.update(body);
  }
  return h.digest('hex');
}

/**
 * The body hashes of messages of the folder `client` has open (BODY.PEEK[]: never marks a
 * source message \Seen), fetched in UID sets of at most `batchBytes` by their known sizes
 * (one bigger message alone) and, with a budget, under twice each set's bytes from it, as a
 * chunk is: what this costs is bounded like a copy of the same messages. Each body is
 * dropped once hashed. A message the server leaves out gets no hash (never matched).
 */
export async function hashBodies(
  client: ImapFlow,
  messages: ReadonlyArray<{ uid: number; size: number }>,
  batchBytes: number,
  budget?: ByteBudget,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const sorted = [...messages].sort((a, b) => a.uid - b.uid);
  let i = 0;
  while (i < sorted.length) {
    const batch: Array<{ uid: number; size: number }> = [];
    let bytes = 0;
    while (i < sorted.length && (batch.length === 0 || bytes + sorted[i]!.size <= batchBytes)) {
      bytes += sorted[i]!.size;
      batch.push(sorted[i++]!);
    }
    const release = budget ? await budget.acquire(bytes * 2) : undefined;
    try {
      for (const set of uidRangeSets(batch.map((m) => m.uid))) {
        for await (const msg of client.fetch(set, { uid: true, source: true }, { uid: true })) {
          if (msg.source && msg.source.length > 0) out.set(msg.uid, bodyHash(msg.source));
        }
      }
    } finally {
      release?.();
    }
  }
  return out;
}
