/**
 * UID sets for the FETCH that asks the flags of messages left out as \Deleted: scattered UIDs
 * (mail a client marked deleted without expunging it) do not shrink into ranges, and one set
 * of thousands of them outgrows the command line a server accepts (Courier closes the
 * connection at about 20 KB, Dovecot answers BAD beyond 64 KB).
 */
import { describe, expect, it } from 'vitest';
import { MAX_UID_SET_CHARS, uidRangeSets } from '../../bridge/engine/imap/uid-sets';

/** Every UID a set names ('3:5,9' names 3, 4, 5 and 9). */
function expand(set: string): number[] {
  return set.split(',').flatMap((part) => {
    const [a, b] = part.split(':').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

describe('uidRangeSets', () => {
  it('runs of UIDs become ranges in one set', () => {
    expect(uidRangeSets([1, 2, 3, 7, 9, 10])).toEqual(['1:3,7,9:10']);
    expect(uidRangeSets([])).toEqual([]);
  });

  it('4,500 scattered UIDs (every other one of 9,000): sets within the bound that name each UID once', () => {
    const uids = Array.from({ length: 4500 }, (_, i) => 2 * i + 2);
    const sets = uidRangeSets(uids);
    expect(sets.length).toBeGreaterThan(1);
    for (const set of sets) expect(set.length).toBeLessThanOrEqual(MAX_UID_SET_CHARS);
    expect(sets.flatMap(expand)).toEqual(uids);
  });

  it('long runs and large UIDs mixed: still within the bound, nothing lost or repeated', () => {
    const uids: number[] = [];
    for (let base = 4_000_000_000; uids.length < 20_000; base += 7) uids.push(base, base + 1, base + 2, base + 5);
    const sets = uidRangeSets(uids);
    for (const set of sets) expect(set.length).toBeLessThanOrEqual(MAX_UID_SET_CHARS);
    expect(sets.flatMap(expand)).toEqual(uids);
  });
});
