/**
 * DMARC (_dmarc TXT): `missing` without a v=DMARC1 record; `ok` with p=none (right for the first
 * weeks of a move: reports without rejecting) or with an enforcing policy once SPF and DKIM of
 * the new provider are in place; `warning` when p=quarantine/reject is published before the new
 * provider's DKIM (or SPF) is ok, since mail sent by the new system would then be rejected or
 * put in spam, and for several or unparsable records.
 */
import type { DnsRecordCheck, DnsRecordStatus } from '../../shared/protocol/dns-check';
import type { DnsClient } from './dns-client';
import { addRecord, NOTHING_TO_DO, recordEn, recordZh } from './record-text';

const tag = (record: string, name: string) => new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`, 'i').exec(record)?.[1]?.trim().toLowerCase();

export async function checkDmarc(domain: string, dns: DnsClient, authenticated: { spf: DnsRecordStatus; dkim: DnsRecordStatus }): Promise<DnsRecordCheck> {
  const name = `_dmarc.${domain}`;
  const records = (await dns.txt(name)).filter((r) => /^v=DMARC1\s*(;|$)/i.test(r.trim()));
  const suggested = addRecord('_dmarc', 'TXT', `v=DMARC1; p=none; rua=mailto:postmaster@${domain}`);
  const base = { kind: 'DMARC' as const, name, found: records, expected: [suggested.value], ttl: null };

  if (records.length === 0) {
    return { ...base, status: 'missing', add: [suggested], fix: { zh: `添加 DMARC 记录（先用 p=none 只收报告）：${recordZh(suggested)}。`, en: `Add a DMARC record (p=none first: reports only): ${recordEn(suggested)}.` } };
  }
  if (records.length > 1) {
    return { ...base, status: 'warning', add: [suggested], fix: { zh: `有 ${records.length} 条 DMARC 记录，收件方会忽略全部。只保留一条，例如：${recordZh(suggested)}。`, en: `There are ${records.length} DMARC records; receivers ignore them all. Keep one, e.g. ${recordEn(suggested)}.` } };
  }
  const policy = tag(records[0]!, 'p');
  if (policy !== 'none' && policy !== 'quarantine' && policy !== 'reject') {
    return { ...base, status: 'warning', add: [suggested], fix: { zh: `DMARC 记录缺少有效的 p= 策略。改为：${recordZh(suggested)}。`, en: `The DMARC record has no valid p= policy. Change it to: ${recordEn(suggested)}.` } };
  }
  // An SPF warning (old include left in, too many lookups) still authorises the new provider.
  const spfOk = authenticated.spf === 'ok' || authenticated.spf === 'warning';
  if (policy !== 'none' && (authenticated.dkim !== 'ok' || !spfOk)) {
    const missing = [authenticated.dkim !== 'ok' ? 'DKIM' : '', !spfOk ? 'SPF' : ''].filter(Boolean).join(' / ');
    return {
      ...base,
      status: 'warning',
      add: [suggested],
      fix: {
        zh: `DMARC 策略 p=${policy}，但新服务商的 ${missing} 还没有设置好，新系统发出的邮件会被拒收或进垃圾箱。先设置好 ${missing}，或暂时改为 p=none：${recordZh(suggested)}。`,
        en: `DMARC policy p=${policy} while the new provider's ${missing} is not set up: mail sent by the new system will be rejected or put in spam. Set up ${missing} first, or switch to p=none for now: ${recordEn(suggested)}.`,
      },
    };
  }
  return { ...base, status: 'ok', add: [], fix: NOTHING_TO_DO };
}
