/**
 * How long one UID set may be. Courier closes the connection on a command line of about
 * 20 KB and Dovecot answers BAD beyond 64 KB; scattered skips (a client that marks mail
 * deleted without expunging it) do not shrink into ranges.
 */
export const MAX_UID_SET_CHARS = 4000;

/** UID sets in ranges ('3:5,9'), each at most MAX_UID_SET_CHARS long: one FETCH per set. */
export function uidRangeSets(sorted: readonly number[]): string[] {
  const sets: string[] = [];
  let current = '';
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const part = i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`;
    if (current && current.length + 1 + part.length > MAX_UID_SET_CHARS) {
      sets.push(current);
      current = '';
    }
    current = current ? `${current},${part}` : part;
    i = j + 1;
  }
  if (current) sets.push(current);
  return sets;
}
