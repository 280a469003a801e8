/**
 * Looking presets up: by id or alias, by mail domain (consumer mail, no DNS), by server host, by
 * MX hosts (the DNS lookup itself is in bridge/diagnose/detect-provider.ts) and by greeting.
 * Pure TypeScript: no Node APIs.
 */
import { PROVIDER_PRESETS } from './presets';
import type { MxPattern, ProviderPreset, ResponsePattern, ServerSetting } from './types';

/** Lower case, no surrounding space, no trailing dot (DNS answers end in '.' sometimes). */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.+$/, '');
}

const patternCache = new Map<string, RegExp>();

/** The RegExp of a host glob (see MxPattern): '*' = [a-z0-9-]* and '#' = [0-9]+ within a label, '**' = one or more labels. */
export function compileHostPattern(pattern: string): RegExp {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  const labels = normalizeHost(pattern).split('.');
  let src = '';
  labels.forEach((label, i) => {
    const last = i === labels.length - 1;
    if (label === '**') {
      src += last ? '[a-z0-9-]+(?:\\.[a-z0-9-]+)*' : '(?:[a-z0-9-]+\\.)+';
      return;
    }
    if (!/^[a-z0-9*#-]+$/.test(label)) throw new Error(`invalid host pattern label "${label}" in ${pattern}`);
    src += label.replace(/[-]/g, '\\-').replace(/\*/g, '[a-z0-9-]*').replace(/#/g, '[0-9]+');
    if (!last) src += '\\.';
  });
  const re = new RegExp(`^${src}$`);
  patternCache.set(pattern, re);
  return re;
}

export function hostMatches(pattern: string, host: string): boolean {
  return compileHostPattern(pattern).test(normalizeHost(host));
}

export function presetById(id: string): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((p) => p.id === id);
}

/**
 * A preset by id, alias or folder-names provider id (the first preset of that provider),
 * case-insensitive. undefined for an empty or unknown name.
 */
export function findPreset(name: string | null | undefined): ProviderPreset | undefined {
  if (!name) return undefined;
  const n = name.trim().toLowerCase();
  if (!n) return undefined;
  return (
    PROVIDER_PRESETS.find((p) => p.id.toLowerCase() === n) ??
    PROVIDER_PRESETS.find((p) => p.aliases.some((a) => a.toLowerCase() === n)) ??
    PROVIDER_PRESETS.find((p) => p.provider.toLowerCase() === n)
  );
}

/**
 * The mail domain of an address ('Zhang.San@Example.COM' → 'example.com'), or of a bare domain.
 * Internationalised domains come back in their ASCII (punycode) form. null when there is none.
 */
export function emailDomain(addressOrDomain: string): string | null {
  const s = addressOrDomain.trim();
  const at = s.lastIndexOf('@');
  const domain = normalizeHost(at >= 0 ? s.slice(at + 1) : s);
  if (!domain || /[\s/\\@:]/.test(domain) || !domain.includes('.')) return null;
  try {
    const ascii = new URL(`http://${domain}`).hostname;
    return ascii || null;
  } catch {
    return null;
  }
}

/** Consumer mail domains that map to a preset without any DNS lookup (qq.com, 163.com, gmail.com ...). */
export function presetForDomain(domain: string): ProviderPreset | undefined {
  const d = normalizeHost(domain);
  return PROVIDER_PRESETS.find((p) => p.consumerDomains.includes(d));
}

export interface ServerHostMatch {
  preset: ProviderPreset;
  protocol: 'imap' | 'pop3' | 'smtp';
  setting: ServerSetting;
}

/** The preset whose IMAP/POP3/SMTP host this is (imap.exmail.qq.com → tencent). */
export function presetForServerHost(host: string): ServerHostMatch | undefined {
  const h = normalizeHost(host);
  for (const preset of PROVIDER_PRESETS) {
    for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
      const setting = preset[protocol].find((s) => s.host === h);
      if (setting) return { preset, protocol, setting };
    }
  }
  return undefined;
}

export interface MxRecord {
  exchange: string;
  priority: number;
}

export interface MxMatch {
  preset: ProviderPreset;
  pattern: MxPattern;
  /** The MX host that matched (normalized). */
  exchange: string;
}

/**
 * The preset of the most preferred MX host (lowest priority value) that matches a pattern;
 * undefined when none does.
 */
export function matchMx(records: readonly MxRecord[]): MxMatch | undefined {
  const sorted = [...records].sort((a, b) => a.priority - b.priority);
  for (const r of sorted) {
    const exchange = normalizeHost(r.exchange);
    if (!exchange) continue;
    for (const preset of PROVIDER_PRESETS) {
      const pattern = preset.mx.find((p) => hostMatches(p.pattern, exchange));
      if (pattern) return { preset, pattern, exchange };
    }
  }
  return undefined;
}

/** The preset whose server software names itself in this greeting / ID text (Coremail, Exchange). */
export function presetForGreeting(text: string | null | undefined): ProviderPreset | undefined {
  if (!text) return undefined;
  return PROVIDER_PRESETS.find((p) => (p.greeting ?? []).some((g) => new RegExp(g.regex, 'i').test(text)));
}

/** The preset's IMAP servers, those the matched MX pattern prefers first. */
export function suggestedImap(preset: ProviderPreset, pattern?: MxPattern): ServerSetting[] {
  const list = [...preset.imap];
  const prefer = pattern?.preferImapHosts ?? [];
  if (!prefer.length) return list;
  const rank = (s: ServerSetting) => {
    const i = prefer.indexOf(s.host);
    return i < 0 ? prefer.length : i;
  };
  return list.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).map((x) => x.s);
}

/** A provider-specific meaning of the server's reply text, if the preset knows one. */
export function matchResponse(preset: ProviderPreset | undefined, text: string | null | undefined): ResponsePattern | undefined {
  if (!preset || !text) return undefined;
  return (preset.responses ?? []).find((r) => new RegExp(r.regex, 'i').test(text));
}
