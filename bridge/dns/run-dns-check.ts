/**
 * The cut-over DNS check of one domain: MX, SPF, DKIM, DMARC and the client autoconfig records,
 * each compared with what the target provider expects. `ready` when MX, SPF and DKIM are ok
 * (DMARC and autoconfig only advise). Throws DnsQueryError when the DNS server fails (refused,
 * timeout): a failing resolver must not read as "records missing"; and DomainNotFoundError when
 * the domain itself does not exist, for which a list of records to add would hide the typo.
 */
import { dnsExpectationsFor, type DnsExpectations } from '../../shared/providers/dns-expectations';
import { DnsCheckReportSchema, type DnsCheckReport } from '../../shared/protocol/dns-check';
import { checkAutoconfig } from './check-autoconfig';
import { checkDkim } from './check-dkim';
import { checkDmarc } from './check-dmarc';
import { checkMx } from './check-mx';
import { checkSpf } from './check-spf';
import { createDnsClient, DomainNotFoundError, type DnsClient } from './dns-client';

export interface DnsCheckInput {
  domain: string;
  targetProvider: string;
  oldProvider?: string | null;
  dkimSelector?: string;
  /** HOST:PORT of the only DNS server to ask; default: the system resolvers. */
  dnsServer?: string;
  /** For tests: a ready client instead of dnsServer. */
  client?: DnsClient;
}

export class UnknownProviderError extends Error {}

export function expectationsOrThrow(id: string, option: string): DnsExpectations {
  const exp = dnsExpectationsFor(id);
  if (!exp) throw new UnknownProviderError(`${option}: no DNS expectations for "${id}"; known: tencent (exmail), aliyun, netease, 263, outlook (m365), gmail (google-workspace)`);
  return exp;
}

export async function runDnsCheck(input: DnsCheckInput, now: () => Date = () => new Date()): Promise<DnsCheckReport> {
  const domain = input.domain.trim().toLowerCase().replace(/\.$/, '');
  const target = expectationsOrThrow(input.targetProvider, '--target-provider');
  const old = input.oldProvider ? expectationsOrThrow(input.oldProvider, '--old-provider') : null;
  const dns = input.client ?? createDnsClient({ server: input.dnsServer });

  const mx = await checkMx(domain, dns, target, old);
  // Only asked when there is no MX: a domain with MX exists. NXDOMAIN of the sub-names the
  // other checks query (_dmarc, selectors) just means that record is missing.
  if (mx.row.status === 'missing' && dns.exists && !(await dns.exists(domain))) throw new DomainNotFoundError(domain);
  const [spf, dkim, autoconfig] = await Promise.all([
    checkSpf(domain, dns, target, old, mx.mxOnTarget),
    checkDkim(domain, dns, target, input.dkimSelector),
    checkAutoconfig(domain, dns, target),
  ]);
  const dkimStatus = dkim.every((d) => d.status === 'ok') ? 'ok' : (dkim.find((d) => d.status !== 'ok')?.status ?? 'missing');
  const dmarc = await checkDmarc(domain, dns, { spf: spf.status, dkim: dkimStatus });
  const records = [mx.row, spf, ...dkim, dmarc, ...autoconfig];
  return DnsCheckReportSchema.parse({
    domain,
    targetProvider: target.providerId,
    oldProvider: old?.providerId ?? null,
    records,
    mxOnTarget: mx.mxOnTarget,
    ready: mx.row.status === 'ok' && spf.status === 'ok' && dkimStatus === 'ok',
    checkedAt: now().toISOString(),
  });
}
