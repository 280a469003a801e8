import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { MAIL_PORTS, sameServer } from '../../shared/csv/same-mailbox';

interface Server {
  host: string;
  port: number;
}

/**
 * Lookups of the last minutes, per host: each pass of a service account whose logins are the same
 * on both sides asks (every sync of a window), every run's pair lock asks (pair-lock-keys.ts), and
 * a slow resolver would delay every start.
 */
const recent = new Map<string, { at: number; addresses: Promise<string[]> }>();
const REMEMBER_MS = 10 * 60_000;

/**
 * The host's addresses, normalised (one IPv4 form, the IPv6 loopback as 127.0.0.1), from a
 * lookup of the last minutes; none when the name does not resolve.
 */
export function serverAddresses(host: string, look: (host: string) => Promise<Array<{ address: string }>> = (h) => lookup(h, { all: true })): Promise<string[]> {
  const key = host.toLowerCase();
  const now = Date.now();
  const hit = recent.get(key);
  if (hit && now - hit.at < REMEMBER_MS) return hit.addresses;
  for (const [k, v] of recent) if (now - v.at >= REMEMBER_MS) recent.delete(k);
  const fresh = { at: now, addresses: lookupAddresses(host, look) };
  recent.set(key, fresh);
  // A failed lookup is not remembered: for its minutes a run would lock its pair by name only
  // (pair-lock-keys.ts) and two names of one server would both copy.
  void fresh.addresses.then((found) => {
    if (found.length === 0 && recent.get(key) === fresh) recent.delete(key);
  });
  return fresh.addresses;
}

async function lookupAddresses(host: string, look: (host: string) => Promise<Array<{ address: string }>>): Promise<string[]> {
  if (isIP(host)) return [normalise(host)];
  try {
    return (await look(host)).map((a) => normalise(a.address));
  } catch {
    // A name that does not resolve fails the run itself, with DNS_FAILED.
    return [];
  }
}

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address; `localhost` resolves to both loopbacks. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  return address === '::1' ? '127.0.0.1' : address.toLowerCase();
}

/**
 * Whether two endpoints are one server: the same name, or two names (imap.example.com and
 * mail.example.com, localhost and 127.0.0.1) for an address they share, on the same port or
 * on two of the standard mail ports (imap://mail.example.com and imaps://mail.example.com).
 */
export async function isSameServer(a: Server, b: Server): Promise<boolean> {
  if (sameServer(a, b)) return true;
  if (a.port !== b.port && !(MAIL_PORTS.has(a.port) && MAIL_PORTS.has(b.port))) return false;
  if (a.host.toLowerCase() === b.host.toLowerCase()) return true;
  const [x, y] = await Promise.all([serverAddresses(a.host), serverAddresses(b.host)]);
  return x.some((address) => y.includes(address));
}
