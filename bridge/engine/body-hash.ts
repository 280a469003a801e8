import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import type { ByteBudget } from './byte-budget';
import { uidRangeSets } from './imap/uid-sets';
import { headerBlock } from './pop3/headers';

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
 * hashes differ, and the message is copied again: a double, never a loss. verify's digests
 * (bridge/verify/body-digest.ts) use the same form.
 */
export function bodyHash(raw: Buffer): string {
  const header = headerBlock(raw);
  let header8bit = false;
  for (let i = 0; i < header.length && !header8bit; i++) if (header[i]! >= 0x80) header8bit = true;
  if (!header8bit && !raw.includes(0)) return createHash('sha256').update(raw).digest('hex');
  // A copy only when there is something to rewrite: most mail has neither.
  const copy = Buffer.from(raw);
  for (let i = 0; i < header.length; i++) if (copy[i]! >= 0x80) copy[i] = 0x58;
  for (let i = copy.indexOf(0); i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return createHash('sha256').update(copy).digest('hex');
}

/**
 * Reads the bodies of `messages` in the folder `client` has open (BODY.PEEK[]: never marks a
 * source message \Seen) in UID sets of at most `batchBytes` by their known sizes (one bigger
 * message alone, 500 messages at most) and, with a budget, under twice each set's bytes from
 * it, as a chunk is: what this costs is bounded like a copy of the same messages. Each body
 * goes to `onBody` as it arrives and is dropped after. A message the server leaves out is not
 * passed on. The engine's content matching and verify --deep read bodies through this.
 */
export async function forEachBody(
  client: ImapFlow,
  messages: ReadonlyArray<{ uid: number; size: number }>,
  batchBytes: number,
  budget: ByteBudget | undefined,
  onBody: (uid: number, raw: Buffer) => void,
): Promise<void> {
  const sorted = [...messages].sort((a, b) => a.uid - b.uid);
  let i = 0;
  while (i < sorted.length) {
    const batch: Array<{ uid: number; size: number }> = [];
    let bytes = 0;
    while (i < sorted.length && (batch.length === 0 || bytes + sorted[i]!.size <= batchBytes) && batch.length < 500) {
      bytes += sorted[i]!.size;
      batch.push(sorted[i++]!);
    }
    // Twice the bytes, as the migration counts a chunk: the message, plus the socket reads it was assembled from.
    const release = budget ? await budget.acquire(bytes * 2) : undefined;
    try {
      for (const set of uidRangeSets(batch.map((m) => m.uid))) {
        for await (const msg of client.fetch(set, { uid: true, source: true }, { uid: true })) {
          if (msg.source) onBody(msg.uid, msg.source);
        }
      }
    } finally {
      release?.();
    }
  }
}

/** The content hashes (bodyHash) of `messages`, read by forEachBody; an empty body gets none (never matched). */
export async function hashBodies(
  client: ImapFlow,
  messages: ReadonlyArray<{ uid: number; size: number }>,
  batchBytes: number,
  budget?: ByteBudget,
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  await forEachBody(client, messages, batchBytes, budget, (uid, raw) => {
    if (raw.length > 0) out.set(uid, bodyHash(raw));
  });
  return out;
}
