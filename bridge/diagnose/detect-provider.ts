/**
 * Provider auto-detection (自动识别): from an address's domain (well-known consumer
 * domains map directly), from the server host, from a CNAME of the server host, and from the
 * domain's MX records matched against the presets' MX patterns. Unknown → manual entry.
 *
 * DNS goes through an injectable resolver (tests have no internet); the default is node's
 * dns/promises Resolver with a short timeout. Detection never throws: DNS failures are reported
 * in the result (`dns`: nxdomain / no-mx / timeout / error).
 */
import { Resolver } from 'node:dns/promises';
import {
  emailDomain,
  findPreset,
  matchMx,
  normalizeHost,
  presetForDomain,
  presetForServerHost,
  suggestedImap,
  type MxPattern,
  type MxRecord,
  type ProviderDetection,
  type ProviderPreset,
} from '../../shared/providers';

/** The part of node's dns/promises Resolver that detection uses. */
export interface DnsResolver {
  resolveMx(domain: string): Promise<MxRecord[]>;
  resolveCname?(host: string): Promise<string[]>;
}

export interface DetectOptions {
  resolver?: DnsResolver;
  /** Upper bound for each DNS query, default 4000 ms. */
  timeoutMs?: number;
  /** false: no DNS at all (consumer domains and known hosts still match). Default true. */
  dns?: boolean;
}

const DEFAULT_TIMEOUT_MS = 4000;

export function defaultResolver(timeoutMs = DEFAULT_TIMEOUT_MS): DnsResolver {
  const r = new Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
  return { resolveMx: (d) => r.resolveMx(d), resolveCname: (h) => r.resolveCname(h) };
}

class DnsTimeout extends Error {
  readonly code = 'ETIMEOUT';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DnsTimeout(`no DNS answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

type DnsStatus = ProviderDetection['dns'];

function dnsStatusOf(err: unknown): { dns: DnsStatus; dnsError: string } {
  const code = (err as { code?: string })?.code ?? '';
  const msg = `${code || 'error'}: ${(err as Error)?.message ?? String(err)}`;
  switch (code) {
    case 'ENOTFOUND':
    case 'NXDOMAIN':
      return { dns: 'nxdomain', dnsError: msg };
    case 'ENODATA':
      return { dns: 'no-mx', dnsError: msg };
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
      return { dns: 'timeout', dnsError: msg };
    default:
      return { dns: 'error', dnsError: msg };
  }
}

function result(
  base: { domain: string | null; dns: DnsStatus; dnsError?: string | null; mx?: MxRecord[] | null },
  preset: ProviderPreset | undefined,
  via: ProviderDetection['via'],
  pattern?: MxPattern,
  matchedMx?: string,
): ProviderDetection {
  const imap = preset ? suggestedImap(preset, pattern) : [];
  return {
    domain: base.domain,
    presetId: preset?.id ?? null,
    provider: preset?.provider ?? null,
    label: preset?.label ?? null,
    via: preset ? via : null,
    dns: base.dns,
    dnsError: base.dnsError ?? null,
    mx: base.mx ? [...base.mx].sort((a, b) => a.priority - b.priority).map((m) => ({ exchange: normalizeHost(m.exchange), priority: m.priority })) : null,
    matchedMx: matchedMx ?? null,
    imap: imap.map((s) => ({ ...s })),
    pop3: preset ? preset.pop3.map((s) => ({ ...s })) : [],
    manual: !preset || imap.length === 0,
    hostHint: preset?.hostHint ?? (preset ? null : { en: 'Provider not recognised: enter the IMAP server address and port by hand.', zh: '未能识别服务商：请手动填写 IMAP 服务器地址和端口。' }),
  };
}

/**
 * The provider of a mail address (or bare domain): consumer domain first (no DNS), then the MX
 * records of the domain. Unknown, NXDOMAIN, no MX or DNS timeout → `presetId: null, manual: true`.
 */
export async function detectProvider(address: string, opts: DetectOptions = {}): Promise<ProviderDetection> {
  const domain = emailDomain(address);
  if (!domain) return result({ domain: null, dns: 'skipped', dnsError: 'no mail domain in the address' }, undefined, null);
  const consumer = presetForDomain(domain);
  if (consumer) return result({ domain, dns: 'skipped' }, consumer, 'domain');
  if (opts.dns === false) return result({ domain, dns: 'skipped' }, undefined, null);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const resolver = opts.resolver ?? defaultResolver(timeoutMs);
  let records: MxRecord[];
  try {
    records = await withTimeout(resolver.resolveMx(domain), timeoutMs);
  } catch (err) {
    return result({ domain, ...dnsStatusOf(err) }, undefined, null);
  }
  if (!records.length) return result({ domain, dns: 'no-mx', mx: [] }, undefined, null);
  const m = matchMx(records);
  return result({ domain, dns: 'ok', mx: records }, m?.preset, 'mx', m?.pattern, m?.exchange);
}

export interface DetectForServerOptions extends DetectOptions {
  /** A provider chosen by the user (preset id or alias): wins over everything. */
  provider?: string;
}

/**
 * The provider behind an IMAP server: the chosen one, else the server host itself
 * (imap.exmail.qq.com), else a CNAME of it (imap.example.com → imap.qiye.aliyun.com), else the
 * address's domain / MX. The MX answer is the weakest: after the DNS switch it names the NEW
 * system (the caller warns about it).
 */
export async function detectForServer(host: string, address: string | undefined, opts: DetectForServerOptions = {}): Promise<ProviderDetection> {
  const domain = address ? emailDomain(address) : null;
  const chosen = findPreset(opts.provider);
  if (chosen) return result({ domain, dns: 'skipped' }, chosen, 'manual');
  const byHost = presetForServerHost(host);
  if (byHost) return result({ domain, dns: 'skipped' }, byHost.preset, 'host');
  const isIp = /^[\d.]+$|:/.test(host);
  if (opts.dns !== false && !isIp && host.includes('.')) {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const resolver = opts.resolver ?? defaultResolver(timeoutMs);
    if (resolver.resolveCname) {
      try {
        const names = await withTimeout(resolver.resolveCname(normalizeHost(host)), timeoutMs);
        for (const n of names) {
          const hit = presetForServerHost(n);
          if (hit) return result({ domain, dns: 'ok' }, hit.preset, 'cname');
        }
      } catch {
        // no CNAME (the usual case) or no DNS: fall through to the domain
      }
    }
  }
  if (!address) return result({ domain, dns: 'skipped' }, undefined, null);
  return detectProvider(address, opts);
}
