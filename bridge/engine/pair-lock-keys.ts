import { mailboxPairText } from '../../shared/csv/same-mailbox';
import { serverAddresses } from './same-server-address';

interface Side {
  host: string;
  port: number;
  user: string;
}

/**
 * The texts a run's pair lock is taken on (pair-lock.ts): the pair as named (mailboxPairText), and
 * the pair at each combination of a source address and a target address. One server named two ways
 * (`localhost` and `127.0.0.1`, imap.corp and mail.corp with one address) gives two name texts, and
 * two runs holding only those would both copy and double every message; with the address texts
 * they meet on every address the two names share.
 *
 * One text per combination rather than one text of the sorted address sets: the sets of two names
 * of one server often differ (one name has an IPv6 address too, one is a round-robin name whose
 * answer holds a subset of the other's, a resolver answers in rotation), and a set text would then
 * differ although the runs reach the same machine; two combination sets intersect as soon as the
 * names share one address on each side, which is what isSameServer calls one server.
 *
 * A name that does not resolve (or not within RESOLVE_WAIT_MS) adds no address text: the run still
 * takes its name text and goes on (it fails DNS_FAILED itself if the name is really gone), so a
 * broken resolver never blocks a migration, it only leaves aliases uncaught for that run.
 */
export async function pairLockKeys(source: Side, target: Side, resolve: (host: string) => Promise<string[]> = serverAddresses): Promise<string[]> {
  const [from, to] = await Promise.all([boundedAddresses(source.host, resolve), boundedAddresses(target.host, resolve)]);
  const keys = new Set([mailboxPairText(source, target)]);
  for (const s of from) {
    for (const t of to) keys.add(addressPairText({ ...source, host: s }, { ...target, host: t }));
  }
  return [...keys];
}

/**
 * The address text of a pair: the same normalisation as the name text (port class, login in any
 * case and one Unicode form), marked so that an address text is never the name text of a run that
 * names the server by that address (one process taking one file twice would refuse itself).
 */
export const addressPairText = (source: Side, target: Side): string => `address ${mailboxPairText(source, target)}`;

/** How long the lock waits for a lookup before it goes on with the name text alone. */
export const RESOLVE_WAIT_MS = 5_000;

/**
 * Most addresses taken per side (IPv4 before IPv6, each sorted, so two runs that get one set pick
 * the same): every combination is a lock file opened and held for the run, and a provider's
 * dual-stack name has several of each family (16 a side made up to 257 files per account). Two
 * names whose shared addresses all sort past these are not caught by address.
 */
export const MAX_ADDRESSES_PER_SIDE = 4;

/** IPv4 first: two names of one provider share its IPv4 addresses more often than a prefix of its IPv6 ones. */
const byFamilyThenText = (a: string, b: string): number => Number(a.includes(':')) - Number(b.includes(':')) || (a < b ? -1 : a > b ? 1 : 0);

async function boundedAddresses(host: string, resolve: (host: string) => Promise<string[]>): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((done) => {
    timer = setTimeout(() => done([]), RESOLVE_WAIT_MS);
    timer.unref();
  });
  try {
    const addresses = await Promise.race([resolve(host).catch(() => []), late]);
    return [...new Set(addresses)].sort(byFamilyThenText).slice(0, MAX_ADDRESSES_PER_SIDE);
  } finally {
    clearTimeout(timer);
  }
}
