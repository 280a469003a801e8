import type { ImapFlow } from 'imapflow';
import type { ByteBudget } from '../engine/byte-budget';
import { bodyDigest, type BodyDigest } from './body-digest';

/**
 * Digests of the bodies of `messages` in the folder the (read-only) connection has open,
 * fetched with BODY.PEEK[] in chunks of at most `chunkBytes` (or one larger message), each
 * chunk held within the shared byte budget and hashed as it arrives: a deep verify of a
 * 20 GB mailbox holds no more than a migration does.
 */
export async function bodyHashes(
  client: ImapFlow,
  messages: Array<{ uid: number; size: number }>,
  budget: ByteBudget,
  chunkBytes: number,
  onBytes?: (n: number) => void,
): Promise<Map<number, BodyDigest>> {
  const out = new Map<number, BodyDigest>();
  const sorted = [...messages].sort((a, b) => a.uid - b.uid);
  for (let i = 0; i < sorted.length; ) {
    let bytes = 0;
    let j = i;
    while (j < sorted.length && (j === i || bytes + sorted[j]!.size <= chunkBytes) && j - i < 500) bytes += sorted[j++]!.size;
    const chunk = sorted.slice(i, j);
    i = j;
    // Twice the bytes, as the migration counts a chunk: the message, plus the socket reads it was assembled from.
    const release = await budget.acquire(bytes * 2);
    try {
      for await (const msg of client.fetch(chunk.map((m) => m.uid).join(','), { uid: true, source: true }, { uid: true })) {
        if (!msg.source) continue;
        out.set(msg.uid, bodyDigest(msg.source));
        onBytes?.(msg.source.length);
      }
    } finally {
      release();
    }
  }
  return out;
}
