/**
 * DNS queries for the cut-over check: a node:dns Resolver, pointed at one server when
 * --dns-server is given (tests, split-horizon networks), else at the system's resolvers.
 * "No such name" and "no record of this type" both come back as an empty list: for a record name
 * (_dmarc, a DKIM selector, imap.<domain>) they mean the same, the record is missing. For the
 * domain itself they differ: `exists` tells them apart, since records to add are no help for a
 * domain that is not in DNS at all (a typo, or not registered). Other failures (refused,
 * timeout) are thrown as DnsQueryError so that a broken resolver is never reported as "record
 * missing".
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { queryTtl } from './rrset-ttl';

export class DnsQueryError extends Error {
  constructor(
    readonly name_: string,
    readonly rrtype: string,
    readonly code: string,
  ) {
    super(`DNS query ${rrtype} ${name_} failed: ${code}`);
    this.name = 'DnsQueryError';
  }
}

/** The domain being checked does not exist in DNS (NXDOMAIN): nothing can be checked or added yet. */
export class DomainNotFoundError extends Error {
  constructor(readonly domain: string) {
    super(`${domain} does not exist in DNS (NXDOMAIN): check its spelling, and that the domain is registered and not expired; nothing was checked`);
    this.name = 'DomainNotFoundError';
  }
}

export interface MxAnswer {
  exchange: string;
  priority: number;
}
export interface SrvAnswer {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DnsClient {
  mx(name: string): Promise<MxAnswer[]>;
  /** Each TXT record with its strings joined (a long record is split in 255-byte strings). */
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  srv(name: string): Promise<SrvAnswer[]>;
  /** TTL in seconds of the name's MX/TXT RRset, null when unknown (see rrset-ttl.ts). */
  ttl(name: string, rrtype: 'MX' | 'TXT'): Promise<number | null>;
  /** The raw `resolve(name, type)` for mailauth's SPF evaluation (it classifies errors itself). */
  resolve(name: string, rrtype: string): Promise<unknown>;
  /**
   * false only when the name does not exist (NXDOMAIN); a name with records of other types only
   * exists. Optional: a client without it is taken to serve existing names only.
   */
  exists?(name: string): Promise<boolean>;
}

const EMPTY_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/** "HOST:PORT", "HOST" (port 53) or "[v6]:PORT". Throws on anything else (a usage error for the CLI). */
export function parseDnsServer(value: string): string {
  const v = value.trim();
  const m = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(v) ?? /^([^:\s]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m || !isIP(m[1]!)) throw new Error(`"${value}" is not HOST:PORT with an IP address (e.g. 127.0.0.1:5353)`);
  const port = m[2] === undefined ? 53 : Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`"${value}": port must be 1-65535`);
  return isIP(m[1]!) === 6 ? `[${m[1]}]:${port}` : `${m[1]}:${port}`;
}

export function createDnsClient(opts: { server?: string; timeoutMs?: number } = {}): DnsClient {
  // Bounded: a check must finish even when a server does not answer (2 tries of timeoutMs each).
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2500, tries: 2 });
  const server = opts.server ? parseDnsServer(opts.server) : undefined;
  if (server) resolver.setServers([server]);

  async function query<T>(name: string, rrtype: string): Promise<T[]> {
    try {
      return (await resolver.resolve(name, rrtype as 'TXT')) as unknown as T[];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      if (EMPTY_CODES.has(code)) return [];
      throw new DnsQueryError(name, rrtype, code);
    }
  }

  return {
    mx: (name) => query<MxAnswer>(name, 'MX'),
    txt: async (name) => (await query<string[]>(name, 'TXT')).map((parts) => parts.join('')),
    cname: (name) => query<string>(name, 'CNAME'),
    srv: (name) => query<SrvAnswer>(name, 'SRV'),
    ttl: (name, rrtype) => queryTtl(name, rrtype, server),
    resolve: (name, rrtype) => resolver.resolve(name, rrtype as 'TXT'),
    async exists(name) {
      // Any type tells NXDOMAIN (ENOTFOUND) from NODATA (ENODATA); SOA is small and never a
      // record the check looks at.
      try {
        await resolver.resolve(name, 'SOA');
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
        if (code === 'ENOTFOUND') return false;
        if (code === 'ENODATA') return true;
        throw new DnsQueryError(name, 'SOA', code);
      }
    },
  };
}
