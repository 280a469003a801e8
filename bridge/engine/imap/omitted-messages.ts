import type { ImapFlow } from 'imapflow';
import { uidRangeSets } from './uid-sets';

/**
 * Cyrus answers a FETCH with OK but simply leaves out a message whose file it cannot open
 * (unreadable, or gone from its spool while its index still lists it). Without a check,
 * such a message is never planned, and the checkpoint moves past it: lost without a word.
 * Its UID is still in the server's index, which UID SEARCH reads without the file, so a
 * UID the index lists and the FETCH did not send is one the server could not read.
 */
export const OMITTED_WORDS = 'it answered the FETCH with OK but left this message out, although its index still lists it';

/** The UIDs of `sets` (UID sets or a range) that the folder's index lists. */
export async function listedUids(client: ImapFlow, sets: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const uid of sets) {
    const found = await client.search({ uid }, { uid: true });
    if (found) out.push(...found);
  }
  return out.sort((a, b) => a - b);
}

/** Of `uids` that a FETCH left out, those the index still lists (the others were expunged meanwhile). */
export async function stillListed(client: ImapFlow, uids: readonly number[]): Promise<number[]> {
  if (uids.length === 0) return [];
  const wanted = new Set(uids);
  return (await listedUids(client, uidRangeSets([...uids].sort((a, b) => a - b)))).filter((uid) => wanted.has(uid));
}
