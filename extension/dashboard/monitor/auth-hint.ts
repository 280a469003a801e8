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

/** The verb of a pitfall's action, as a tip's sentence starts (after "Tip:" / "提示："). */
const VERB: Record<Pitfall['action'], { en: string; zh: string }> = {
  enable: { en: 'enable', zh: '开启' },
  disable: { en: 'switch off', zh: '关闭' },
  set: { en: 'set', zh: '设置' },
  use: { en: 'use', zh: '使用' },
  check: { en: 'check', zh: '检查' },
  avoid: { en: 'avoid', zh: '避免' },
  contact: { en: 'contact', zh: '联系' },
};

/** Chinese settings that already start with their verb ("开启 IMAP 服务") take no second one. */
const ZH_VERB = /^(开启|关闭|设置|使用|检查|避免|联系|勾选|用|切换|请)/;

/**
 * The hint as one line. With a place (shown under "Where to get it:"): the setting and where it is
 * made. Without one (under "Tip:"): a sentence, the action's verb and the setting, as `what` is a
 * checklist title ("The client password … instead of the web login password, or switch …"), not
 * a sentence of its own.
 */
export function authHintText(p: Pitfall, lang: 'en' | 'zh'): string {
  const what = lang === 'zh' ? p.what.zh : p.what.en;
  if (p.where) return lang === 'zh' ? `${what}——${p.where.zh}` : `${what} — ${p.where.en}`;
  if (lang === 'zh') return `${ZH_VERB.test(what) ? '' : VERB[p.action].zh}${what}。`;
  // "The client password" reads "use the client password"; acronyms and names keep their case.
  const object = /^(The|A|An) /.test(what) ? what[0]!.toLowerCase() + what.slice(1) : what;
  return `${VERB[p.action].en} ${object}${/[.!?]$/.test(object) ? '' : '.'}`;
}

/**
 * The label the hint is shown under: "where to get it" for a provider's hint that names the place
 * where the code is made; a plain tip for the generic advice, which names no place.
 */
export function authHintLabel(p: Pitfall): 'authCodeWhere' | 'authCodeTip' {
  return p.where ? 'authCodeWhere' : 'authCodeTip';
}
