/**
 * What `dns-check --json` prints when nothing could be checked: the DNS server failed (refused,
 * timeout, SERVFAIL; also a lookup an SPF include leads to) or the domain does not exist. Same
 * keys as a report (no records, not ready), so a script reading `ready` still reads false, plus
 * `error` shaped like test-connection's (code, message, remedy in en/zh, transient) and the
 * failed query, so that a script gets a document to parse instead of an empty stdout.
 */
import { z } from 'zod';
import { DnsCheckReportSchema } from '../../shared/protocol/dns-check';
import { DnsQueryError, DomainNotFoundError } from './dns-client';

export const DnsCheckFailureSchema = DnsCheckReportSchema.extend({
  records: z.array(z.never()).length(0),
  mxOnTarget: z.literal(false),
  ready: z.literal(false),
  error: z.object({
    code: z.enum(['DNS_FAILED', 'DOMAIN_NOT_FOUND']),
    message: z.string(),
    remedy: z.object({ en: z.string(), zh: z.string() }),
    /** true when running the check again later may succeed (a DNS failure). */
    transient: z.boolean(),
    /** The query that failed; for DOMAIN_NOT_FOUND the domain's own. */
    query: z.object({ name: z.string(), type: z.string(), code: z.string() }),
    /** --dns-server, or null for the system resolvers. */
    dnsServer: z.string().nullable(),
  }),
});
export type DnsCheckFailure = z.infer<typeof DnsCheckFailureSchema>;

export interface FailureContext {
  domain: string;
  targetProvider: string;
  oldProvider: string | null;
  dnsServer: string | null;
}

export function dnsCheckFailure(err: DnsQueryError | DomainNotFoundError, ctx: FailureContext, now: Date = new Date()): DnsCheckFailure {
  const server = ctx.dnsServer ?? 'of the system';
  const error: DnsCheckFailure['error'] =
    err instanceof DomainNotFoundError
      ? {
          code: 'DOMAIN_NOT_FOUND',
          message: err.message,
          remedy: {
            en: `The domain ${err.domain} does not exist in DNS, so there are no records to check or to add yet. Check its spelling, and at the registrar that it is registered and not expired; then run the check again.`,
            zh: `域名 ${err.domain} 在 DNS 中不存在，暂时无法检查或添加记录。请检查域名拼写，并在域名注册商处确认它已注册且未过期，然后重新检查。`,
          },
          transient: false,
          query: { name: err.domain, type: 'SOA', code: 'ENOTFOUND' },
          dnsServer: ctx.dnsServer,
        }
      : {
          code: 'DNS_FAILED',
          message: `${err.message} (DNS server ${server}); nothing was checked`,
          remedy: {
            en: `The DNS server ${server} did not answer the query for ${err.name_} (${err.code}); no record was judged. Check that it is reachable and answers queries (without --dns-server the system resolvers are used), then run the check again.`,
            zh: `${ctx.dnsServer ? `DNS 服务器 ${ctx.dnsServer} ` : '系统的 DNS 服务器'}未能应答 ${err.name_} 的查询（${err.code}），没有检查任何记录。请确认该服务器可以访问并能正常解析（不加 --dns-server 时使用系统的 DNS），然后重新检查。`,
          },
          transient: true,
          query: { name: err.name_, type: err.rrtype, code: err.code },
          dnsServer: ctx.dnsServer,
        };
  return DnsCheckFailureSchema.parse({
    domain: ctx.domain,
    targetProvider: ctx.targetProvider,
    oldProvider: ctx.oldProvider,
    records: [],
    mxOnTarget: false,
    ready: false,
    checkedAt: now.toISOString(),
    error,
  });
}
