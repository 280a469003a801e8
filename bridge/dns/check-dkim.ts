/**
 * DKIM at the target's selector(s): a CNAME to the provider (Microsoft 365 style) or a TXT key.
 * The key itself is generated per domain in the provider's console, so the check can say whether
 * one is published and where it points, not whether it is the console's key.
 * - ok: a key (p= not empty) is published, through a CNAME into the provider where it uses one
 * - wrong: the CNAME points outside the provider, or the key is revoked (empty p=)
 * - warning: a CNAME into the provider without a key behind it (signing not switched on yet), or
 *   a hand-made TXT key where the provider publishes its own behind a CNAME
 * - missing: nothing at the selector
 */
import { normalizeHost } from '../../shared/providers/match';
import type { DnsExpectations } from '../../shared/providers/dns-expectations';
import type { DnsRecordCheck } from '../../shared/protocol/dns-check';
import type { DnsClient } from './dns-client';
import { CUTOVER_TTL, NOTHING_TO_DO } from './record-text';

const keyOf = (txt: string) => /(?:^|;)\s*p=([^;]*)/i.exec(txt)?.[1]?.replace(/\s+/g, '');
const isDkim = (txt: string) => /(?:^|;)\s*v=DKIM1\b/i.test(txt) || keyOf(txt) !== undefined;

async function checkSelector(domain: string, selector: string, dns: DnsClient, exp: DnsExpectations, explicit: boolean): Promise<DnsRecordCheck> {
  const host = `${selector}._domainkey`;
  const name = `${host}.${domain}`;
  const [cnames, txts] = await Promise.all([dns.cname(name), dns.txt(name)]);
  const keys = txts.filter(isDkim);
  const found = [...cnames.map((c) => `CNAME ${normalizeHost(c)}`), ...keys.map((k) => `TXT ${k}`)];
  const console = exp.dkim.where;
  const expectedValue =
    exp.dkim.type === 'CNAME'
      ? `CNAME ${selector}-${domain.replace(/\./g, '-')}._domainkey.<${exp.label.en} tenant domain>`
      : 'TXT v=DKIM1; k=rsa; p=<public key>';
  const base = { kind: 'DKIM' as const, name, found, expected: [expectedValue], ttl: null, add: [] };
  const unverifiedZh = exp.dkim.confidence === 'unverified' && !explicit ? `选择器名称 "${selector}" 未经核实，以后台显示为准（可用 --dkim-selector 指定）。` : '';
  const unverifiedEn = exp.dkim.confidence === 'unverified' && !explicit ? ` The selector name "${selector}" is not verified: use the one the console shows (--dkim-selector).` : '';
  const publish = {
    zh: `在 ${console.zh} 开启 DKIM，按后台显示添加：主机记录 ${host}，记录类型 ${exp.dkim.type}，记录值（后台显示的${exp.dkim.type === 'CNAME' ? '目标域名' : ' v=DKIM1; k=rsa; p=… 公钥'}），TTL ${CUTOVER_TTL}。${unverifiedZh}`,
    en: `Switch DKIM on in ${console.en} and add what it shows: Host ${host}, Type ${exp.dkim.type}, Value (the ${exp.dkim.type === 'CNAME' ? 'target name' : 'v=DKIM1; k=rsa; p=… public key'} shown there), TTL ${CUTOVER_TTL}.${unverifiedEn}`,
  };

  if (cnames.length > 0) {
    const target = normalizeHost(cnames[0]!);
    const ours = !exp.dkim.cnameSuffixes || exp.dkim.cnameSuffixes.some((s) => target.endsWith(s));
    if (!ours) {
      return { ...base, status: 'wrong', fix: { zh: `${host} 的 CNAME 指向 ${target}，不属于 ${exp.label.zh}。删除该 CNAME，然后${publish.zh}`, en: `${host} is a CNAME to ${target}, which is not ${exp.label.en}'s. Delete that CNAME, then: ${publish.en}` } };
    }
    if (!keys.some((k) => keyOf(k))) {
      return {
        ...base,
        status: 'warning',
        fix: { zh: `CNAME 已添加，但目标 ${target} 还没有公钥：请在 ${console.zh} 启用 DKIM 签名。`, en: `The CNAME is there but ${target} has no key yet: switch DKIM signing on in ${console.en}.` },
      };
    }
    return { ...base, status: 'ok', fix: NOTHING_TO_DO };
  }
  if (keys.length === 0) return { ...base, status: 'missing', fix: publish };
  if (!keys.some((k) => keyOf(k))) {
    return { ...base, status: 'wrong', fix: { zh: `${host} 的公钥为空（p=），表示密钥已吊销。${publish.zh}`, en: `The key at ${host} is empty (p=), i.e. revoked. ${publish.en}` } };
  }
  if (exp.dkim.type === 'CNAME' && exp.dkim.confidence !== 'unverified') {
    return {
      ...base,
      status: 'warning',
      fix: { zh: `${exp.label.zh} 使用 CNAME 发布自己的公钥，手工添加的 TXT 公钥与其签名不符。改为：${publish.zh}`, en: `${exp.label.en} publishes its own key behind a CNAME; a hand-made TXT key will not match its signatures. Instead: ${publish.en}` },
    };
  }
  return { ...base, status: 'ok', fix: NOTHING_TO_DO };
}

export async function checkDkim(domain: string, dns: DnsClient, exp: DnsExpectations, selector?: string): Promise<DnsRecordCheck[]> {
  if (selector) return [await checkSelector(domain, selector, dns, exp, true)];
  const rows = await Promise.all(exp.dkim.selectors.map((s) => checkSelector(domain, s, dns, exp, false)));
  if (exp.dkim.required) return rows;
  // Candidate selectors (not all are used): the first one that has something counts.
  return [rows.find((r) => r.status !== 'missing') ?? rows[0]!];
}
