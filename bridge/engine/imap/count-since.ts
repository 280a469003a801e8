import type { ImapFlow } from 'imapflow';
import { uidRangeSets } from './uid-sets';

const DAY_MS = 24 * 3600_000;

/**
 * How many messages of `folder` a `--since` copy takes: INTERNALDATE on or after `since`,
 * the same test the plan applies. SEARCH SINCE compares dates only, in the server's time
 * zone (RFC 3501 6.4.4), so it asks from the day before and the exact instant is checked on
 * the internal dates of what it found; the folder is only examined.
 */
export async function countSince(client: ImapFlow, folder: string, since: Date): Promise<number> {
  await client.mailboxOpen(folder, { readOnly: true });
  const found = (await client.search({ since: new Date(since.getTime() - DAY_MS) }, { uid: true })) || [];
  let count = 0;
  for (const set of uidRangeSets([...found].sort((a, b) => a - b))) {
    for await (const msg of client.fetch(set, { uid: true, internalDate: true }, { uid: true })) {
      const date = msg.internalDate instanceof Date ? msg.internalDate : msg.internalDate ? new Date(msg.internalDate) : undefined;
      // A message without one is copied (the plan's test fails only on an earlier date).
      if (!date || date.getTime() >= since.getTime()) count++;
    }
  }
  return count;
}
