import type { ImapFlow } from 'imapflow';
import type { ByteBudget } from '../engine/byte-budget';
import { forEachBody } from '../engine/body-hash';
import { bodyDigest, type BodyDigest } from './body-digest';

/**
 * Digests of the bodies of `messages` in the folder the (read-only) connection has open, read
 * as the engine reads bodies (forEachBody: chunks of at most `chunkBytes`, or one larger
 * message, each within the shared byte budget and hashed as it arrives): a deep verify of a
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
  await forEachBody(client, messages, chunkBytes, budget, (uid, raw) => {
    out.set(uid, bodyDigest(raw));
    onBytes?.(raw.length);
  });
  return out;
}
