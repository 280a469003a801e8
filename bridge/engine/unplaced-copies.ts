import type { UnplacedCopy } from './state-store';

/**
 * Which surveyed target messages are our own copies whose target UID the server never said
 * (no UIDPLUS: StateStore.unplacedCopies), so a survey takes them out before it is matched
 * against: each answers for the source message it was copied from, never for another one.
 *
 * Per fingerprint: with no more target candidates than such copies, all of them are taken
 * (whichever is which, the same ones go). With more, a look-alike sits among them (a message
 * without Message-ID of the same second, sender, subject and size, filed on the target by
 * other means): taken by fingerprint alone, the lowest one went for our copy, our copy stayed
 * in the survey and an identical source message still to copy was taken for it (lost), or the
 * look-alike's own source message was copied again (doubled). So there a copy with a body hash
 * takes only the candidate with that body, one candidate per copy (a multiset); a copy whose
 * body none has (deleted on the target, or changed by it) takes none, which at worst copies a
 * message once more, never leaves one out. A copy without a hash (a Message-ID, whose
 * fingerprint tells it apart already, or a row of a version that kept none) takes the lowest
 * candidate left, as before.
 *
 * Cost: bodies are read only for the candidates of such an ambiguous fingerprint, by
 * `hashesOf` (under the byte budget, as content-match.ts reads them).
 */
export async function ourUnplacedCopies(
  unplaced: readonly UnplacedCopy[],
  /** The unclaimed surveyed target UIDs with this (rewrite-tolerant) fingerprint, lowest first. */
  candidates: (fingerprint: string) => number[],
  hashesOf: (messages: ReadonlyArray<{ uid: number; size: number }>) => Promise<ReadonlyMap<number, string>>,
): Promise<number[]> {
  const groups = new Map<string, UnplacedCopy[]>();
  for (const c of unplaced) groups.set(c.fingerprint, [...(groups.get(c.fingerprint) ?? []), c]);
  const ours: number[] = [];
  const ambiguous: Array<{ copies: UnplacedCopy[]; left: number[] }> = [];
  const toRead: Array<{ uid: number; size: number }> = [];
  for (const [fingerprint, copies] of groups) {
    const found = candidates(fingerprint);
    if (found.length <= copies.length || copies.every((c) => c.bodyHash === null)) {
      ours.push(...found.slice(0, copies.length));
      continue;
    }
    ambiguous.push({ copies, left: found });
    // One fingerprint, one size: the copies' size is the candidates'.
    toRead.push(...found.map((uid) => ({ uid, size: copies[0]!.size })));
  }
  if (ambiguous.length === 0) return ours;
  const hashes = await hashesOf(toRead);
  for (const { copies, left } of ambiguous) {
    for (const c of copies) {
      if (c.bodyHash === null) continue;
      const i = left.findIndex((uid) => hashes.get(uid) === c.bodyHash);
      if (i >= 0) ours.push(...left.splice(i, 1));
    }
    for (const c of copies) if (c.bodyHash === null && left.length > 0) ours.push(left.shift()!);
  }
  return ours;
}
