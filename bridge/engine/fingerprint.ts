import { createHash } from 'node:crypto';

/** Header fields whose values identify a message together with its size. */
export const FINGERPRINT_HEADERS = ['message-id', 'date', 'from', 'subject'] as const;

/**
 * A message's identity across servers, computed from what both sides return without
 * downloading the body: Message-ID, Date, From, Subject and RFC822.SIZE. Message-ID
 * alone is not enough (Sent and Drafts often have none, and bad clients reuse them);
 * size is stable because the copy is byte-exact. Identical messages share a
 * fingerprint, which is why dedup counts occurrences instead of collapsing them.
 */
export function fingerprint(headerBlock: Buffer | undefined, size: number): string {
  const fields: string[] = [];
  if (headerBlock && headerBlock.length) {
    // Unfold continuation lines (RFC 5322 2.2.3), then one "name:value" per field.
    // 8-bit bytes count as 'X': Cyrus stores raw 8-bit header bytes as 'X' (one for one,
    // so the size stays), and its copy must still be recognised as the same message.
    const text = headerBlock
      .toString('latin1')
      .replace(/[\x80-\xff]/g, 'X')
      .replace(/\r?\n[ \t]+/g, ' ');
    for (const line of text.split(/\r?\n/)) {
      const idx = line.indexOf(':');
      if (idx <= 0) continue;
      const name = line.slice(0, idx).trim().toLowerCase();
      const value = line.slice(idx + 1).replace(/\s+/g, ' ').trim();
      fields.push(`${name}:${value}`);
    }
  }
  fields.sort();
  return createHash('sha256').update(fields.join('\n')).update(`\nsize:${size}`).digest('hex').slice(0, 32);
}

/**
 * A multiset of fingerprints found on the target, each occurrence with its target
 * UID so that a match can be recorded against that very message.
 */
export class FingerprintIndex {
  private readonly uids = new Map<string, number[]>();

  add(fp: string, targetUid: number): void {
    const list = this.uids.get(fp);
    if (list) list.push(targetUid);
    else this.uids.set(fp, [targetUid]);
  }

  /** Takes one occurrence; its target UID, or undefined when none is left. */
  take(fp: string): number | undefined {
    const list = this.uids.get(fp);
    if (!list || list.length === 0) return undefined;
    const uid = list.shift();
    if (list.length === 0) this.uids.delete(fp);
    return uid;
  }

  get size(): number {
    let total = 0;
    for (const l of this.uids.values()) total += l.length;
    return total;
  }
}
