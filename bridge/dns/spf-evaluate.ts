/**
 * SPF evaluation by mailauth (the SPF implementation of the imapflow author, tested against the
 * RFC 7208 test suite), not by a parser of our own. We evaluate the record for an address that
 * no record authorises (192.0.2.1, TEST-NET-1 of RFC 5737): then every mechanism is visited,
 * mailauth counts every DNS-querying term (include, a, mx, ptr, exists, redirect) and our
 * resolver wrapper sees every record it fetches, which tells which includes are reached, also
 * through nested includes.
 */
import { createRequire } from 'node:module';
import type { SPFOptions, SPFResult } from 'mailauth';
import type { DnsClient } from './dns-client';

// mailauth is CommonJS without an exports map; require() keeps the import independent of how
// Node's ESM loader detects its named exports.
const require = createRequire(import.meta.url);
const { spf } = require('mailauth/lib/spf') as { spf: (opts: SPFOptions & { maxResolveCount?: number }) => Promise<SPFResult & { lookups?: { count: number; limit: number; void: number } }> };

/** RFC 7208 section 4.6.4: at most 10 DNS-querying terms. */
export const SPF_LOOKUP_LIMIT = 10;
const UNAUTHORISED_IP = '192.0.2.1';

export interface SpfEvaluation {
  /** pass/fail/softfail/neutral/none/permerror/temperror as mailauth reports it. */
  result: string;
  comment: string;
  /** DNS-querying terms counted over the whole tree (may exceed 10: we let mailauth go on to count them). */
  lookups: number;
  voidLookups: number;
  /** Names whose TXT (SPF) record was fetched besides the domain itself: includes and redirects, nested too. */
  reached: string[];
}

export async function evaluateSpf(domain: string, dns: DnsClient): Promise<SpfEvaluation> {
  const reached = new Set<string>();
  const resolver = async (name: string, rrtype: string) => {
    if (rrtype === 'TXT') reached.add(name.toLowerCase().replace(/\.$/, ''));
    return dns.resolve(name, rrtype) as Promise<string[][]>;
  };
  const res = await spf({
    sender: `postmaster@${domain}`,
    ip: UNAUTHORISED_IP,
    helo: domain,
    mta: 'mailmover-dns-check',
    // Count past the limit instead of stopping at it, so the admin sees how far over it is.
    maxResolveCount: 100,
    resolver,
  });
  reached.delete(domain.toLowerCase());
  return {
    result: res.status.result,
    comment: typeof res.status.comment === 'string' ? res.status.comment : '',
    lookups: res.lookups?.count ?? 0,
    voidLookups: res.lookups?.void ?? 0,
    reached: [...reached],
  };
}
