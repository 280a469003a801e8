import { createHash } from 'node:crypto';

/** Header fields whose values identify a message together with its size. */
export const FINGERPRINT_HEADERS = ['message-id', 'date', 'from', 'subject'] as const;

function digest(headerBlock: Buffer | undefined, size: number, eightBitAsX: boolean): string {
  const fields: string[] = [];
  if (headerBlock && headerBlock.length) {
    let text = headerBlock.toString('latin1');
    if (eightBitAsX) text = text.replace(/[\x80-\xff]/g, 'X');
    // Unfold continuation lines (RFC 5322 2.2.3), then one "name:value" per field.
    for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
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
 * A message's identity across servers, computed from what both sides return without
 * downloading the body: Message-ID, Date, From, Subject and RFC822.SIZE. Message-ID
 * alone is not enough (Sent and Drafts often have none, and bad clients reuse them);
 * size is stable because the copy is byte-exact. Identical messages share a
 * fingerprint, which is why dedup counts occurrences instead of collapsing them.
 *
 * This is the form that survives what servers are known to rewrite: 8-bit header bytes
 * count as 'X', as Cyrus stores them (one for one, so the size stays). Matching tries
 * the exact form first (exactFingerprint) and falls back to this one.
 */
export function fingerprint(headerBlock: Buffer | undefined, size: number): string {
  return digest(headerBlock, size, true);
}

/** The fingerprint of the header bytes as they are (what versions before the 8-bit rule stored). */
export function exactFingerprint(headerBlock: Buffer | undefined, size: number): string {
  return digest(headerBlock, size, false);
}

/** Both forms, to recognise a stored fingerprint whichever rule wrote it. */
export function fingerprintsOf(headerBlock: Buffer | undefined, size: number): string[] {
  return [fingerprint(headerBlock, size), exactFingerprint(headerBlock, size)];
}

/**
 * A multiset of fingerprints found on the target, each occurrence with its target UID
 * so that a match can be recorded against that very message. Every occurrence is known
 * by its exact fingerprint and by the rewrite-tolerant one: take() prefers the exact
 * match, so two messages that differ only in 8-bit header bytes of the same length are
 * told apart whenever the target kept the bytes.
 */
export class FingerprintIndex {
  private readonly byExact = new Map<string, number[]>();
  private readonly byLoose = new Map<string, number[]>();
  private readonly taken = new Set<number>();
  private count = 0;

  add(fp: string, targetUid: number, exact: string = fp): void {
    push(this.byLoose, fp, targetUid);
    push(this.byExact, exact, targetUid);
    this.count++;
  }

  /** Takes one occurrence, the exact match first; its target UID, or undefined when none is left. */
  take(fp: string, exact: string = fp): number | undefined {
    return this.takeExact(exact) ?? this.takeLoose(fp);
  }

  /** Takes an occurrence whose header bytes were stored as they are. */
  takeExact(exact: string): number | undefined {
    return this.claim(this.first(this.byExact, exact));
  }

  /** Takes an occurrence that matches only with 8-bit header bytes counted as 'X'. */
  takeLoose(fp: string): number | undefined {
    return this.claim(this.first(this.byLoose, fp));
  }

  /**
   * Takes the first occurrence, exact match first, that `accept` agrees to (content-match.ts:
   * a match without Message-ID counts only with the same body).
   */
  takeWhere(fp: string, exact: string, accept: (uid: number) => boolean): number | undefined {
    for (const list of [this.byExact.get(exact), this.byLoose.get(fp)]) {
      const uid = list?.find((u) => !this.taken.has(u) && accept(u));
      if (uid !== undefined) return this.claim(uid);
    }
    return undefined;
  }

  /** Unclaimed occurrences with this rewrite-tolerant fingerprint, in the order added (lowest UID first), left in place. */
  candidates(fp: string): number[] {
    return (this.byLoose.get(fp) ?? []).filter((u) => !this.taken.has(u));
  }

  /** Takes this occurrence (a UID the index holds, as candidates() gave it); undefined when it was taken already. */
  takeUid(uid: number): number | undefined {
    return this.taken.has(uid) ? undefined : this.claim(uid);
  }

  private claim(uid: number | undefined): number | undefined {
    if (uid !== undefined) {
      this.taken.add(uid);
      this.count--;
    }
    return uid;
  }

  private first(map: Map<string, number[]>, key: string): number | undefined {
    const list = map.get(key);
    while (list && list.length && this.taken.has(list[0]!)) list.shift();
    if (!list || list.length === 0) {
      map.delete(key);
      return undefined;
    }
    return list.shift();
  }

  get size(): number {
    return this.count;
  }
}

function push(map: Map<string, number[]>, key: string, uid: number): void {
  const list = map.get(key);
  if (list) list.push(uid);
  else map.set(key, [uid]);
}
