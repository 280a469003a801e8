import type { ImapFlow } from 'imapflow';
import { beforeSince } from '../since-scope';
import { uidRangeSets } from './uid-sets';

const DAY_MS = 24 * 3600_000;

/**
 * How many messages of `folder` a `--since` copy takes: INTERNALDATE on or after `since`,
 * the same test the plan applies. SEARCH SINCE compares dates only, in the server's time
 * zone (RFC 3501 6.4.4), so it asks from the day before and the exact instant is checked on
 * the internal dates of what it found; the folder is only examined.
 */
export async function countSince(client: ImapFlow, folder: string, since: Date): Promise<number> {
  const box = await client.mailboxOpen(folder, { readOnly: true });
  if (box.exists === 0) return 0;
  const found = await client.search({ since: new Date(since.getTime() - DAY_MS) }, { uid: true });
  // A server that refuses the SEARCH (imapflow answers false): every message's date is read instead.
  const sets = !found ? ['1:*'] : uidRangeSets([...found].sort((a, b) => a - b));
  let count = 0;
  for (const set of sets) {
    for await (const msg of client.fetch(set, { uid: true, internalDate: true }, { uid: true })) {
      // As the plan reads it (plan-folder.ts metaOf): no date is 1970, an unreadable one is copied.
      const date = msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0);
      if (!beforeSince(date, since)) count++;
    }
  }
  return count;
}
