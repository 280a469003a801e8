import { emailDomain, findPreset, GENERIC_PITFALLS, presetForDomain, presetForServerHost, type Pitfall } from '../../../shared/providers';

/**
 * Where the old provider makes its client password / authorization code (Exmail 客户端专用密码,
 * NetEase 授权码, …): the preset's own pitfall for a failed login, found by the job's provider,
 * the server's host or the address's domain; the generic one otherwise.
 */
export function authHint(provider: string | null | undefined, host: string, address: string): Pitfall | undefined {
  const domain = emailDomain(address);
  const preset = findPreset(provider) ?? presetForServerHost(host)?.preset ?? (domain ? presetForDomain(domain) : undefined);
  const own = preset?.pitfalls.find((p) => p.audience === 'user' && p.where && p.appliesTo.includes('AUTH_FAILED') && /code|password|secure/i.test(p.id));
  return own ?? GENERIC_PITFALLS.find((p) => p.id === 'generic-client-password');
}

/** The hint as one line: what to use, and where it is made. */
export function authHintText(p: Pitfall, lang: 'en' | 'zh'): string {
  const what = lang === 'zh' ? p.what.zh : p.what.en;
  if (!p.where) return what;
  return lang === 'zh' ? `${what}——${p.where.zh}` : `${what} — ${p.where.en}`;
}

/**
 * The label the hint is shown under: "where to get it" for a provider's hint that names the place
 * where the code is made; a plain tip for the generic advice, which names no place.
 */
export function authHintLabel(p: Pitfall): 'authCodeWhere' | 'authCodeTip' {
  return p.where ? 'authCodeWhere' : 'authCodeTip';
}
