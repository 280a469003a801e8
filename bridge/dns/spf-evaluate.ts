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
  /**
   * Include or redirect targets that answered no v=spf1 record (no such name, no TXT, or TXT
   * without SPF), or more than one: RFC 7208 5.2 / 6.1 make the including record a permerror,
   * although the fault is at that name, not in the record that names it.
   */
  brokenTargets: { name: string; problem: 'no-spf' | 'several-spf' }[];
  /**
   * The first lookup that failed for another reason than "no such name" / "no record" (refused,
   * timeout, SERVFAIL): the cause of a temperror, which is a DNS failure and says nothing about
   * the records.
   */
  failedQuery: { name: string; rrtype: string; code: string } | null;
}

const isSpfText = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');

export async function evaluateSpf(domain: string, dns: DnsClient): Promise<SpfEvaluation> {
  const self = bare(domain);
  const reached = new Set<string>();
  const broken = new Map<string, 'no-spf' | 'several-spf'>();
  let failedQuery: SpfEvaluation['failedQuery'] = null;
  // Only include: and redirect= fetch TXT records (exp= is never followed by mailauth), so a TXT
  // lookup of another name than the domain is always an include or redirect target.
  const resolver = async (name: string, rrtype: string) => {
    const n = bare(name);
    const target = rrtype === 'TXT' && n !== self;
    if (target) reached.add(n);
    try {
      const answer = (await dns.resolve(name, rrtype)) as string[][];
      if (target) {
        const spfRecords = answer.filter((parts) => isSpfText(parts.join(''))).length;
        if (spfRecords !== 1) broken.set(n, spfRecords === 0 ? 'no-spf' : 'several-spf');
      }
      return answer;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      if (code === 'ENOTFOUND' || code === 'ENODATA') {
        if (target) broken.set(n, 'no-spf');
      } else {
        failedQuery ??= { name: n, rrtype, code };
      }
      throw err;
    }
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
  reached.delete(self);
  return {
    result: res.status.result,
    comment: typeof res.status.comment === 'string' ? res.status.comment : '',
    lookups: res.lookups?.count ?? 0,
    voidLookups: res.lookups?.void ?? 0,
    reached: [...reached],
    brokenTargets: [...broken].map(([name, problem]) => ({ name, problem })),
    failedQuery,
  };
}
