/**
 * Client autoconfig records the target provider documents (autodiscover CNAME, imap/smtp CNAMEs,
 * SRV): `ok` when they point at the target, `wrong` when they point elsewhere (an old provider's
 * autodiscover sends Outlook to the old server), `missing` when absent. They do not decide
 * `ready`: mail flows without them, clients are only set up by hand.
 */
import { normalizeHost } from '../../shared/providers/match';
import type { AutoconfigExpectation, DnsExpectations } from '../../shared/providers/dns-expectations';
import type { DnsRecordCheck } from '../../shared/protocol/dns-check';
import type { DnsClient } from './dns-client';
import { addRecord, NOTHING_TO_DO, recordEn, recordZh } from './record-text';

async function checkOne(domain: string, dns: DnsClient, a: AutoconfigExpectation): Promise<DnsRecordCheck> {
  const name = `${a.name}.${domain}`;
  const add =
    a.type === 'SRV' ? addRecord(a.name, 'SRV', `0 1 ${a.port ?? 0} ${a.target}`) : addRecord(a.name, 'CNAME', a.target);
  let found: string[];
  let matches: boolean;
  if (a.type === 'SRV') {
    const srv = await dns.srv(name);
    found = srv.map((s) => `${s.priority} ${s.weight} ${s.port} ${normalizeHost(s.name)}`);
    matches = srv.some((s) => normalizeHost(s.name) === a.target && (a.port === undefined || s.port === a.port));
  } else {
    const c = await dns.cname(name);
    found = c.map(normalizeHost);
    matches = found.includes(a.target);
  }
  const base = { kind: 'AUTOCONFIG' as const, name, found, expected: [add.value], ttl: null };
  const unverified = a.confidence === 'unverified' ? { zh: '（该记录未经服务商文档核实，可选）', en: ' (not confirmed by a provider document; optional)' } : { zh: '', en: '' };
  if (matches) return { ...base, status: 'ok', add: [], fix: NOTHING_TO_DO };
  if (found.length === 0) {
    return { ...base, status: 'missing', add: [add], fix: { zh: `${a.purpose.zh}：添加 ${recordZh(add)}${unverified.zh}。`, en: `${a.purpose.en}: add ${recordEn(add)}${unverified.en}.` } };
  }
  return {
    ...base,
    status: 'wrong',
    add: [add],
    fix: { zh: `${name} 指向 ${found.join('、')}。${a.purpose.zh}：改为 ${recordZh(add)}${unverified.zh}。`, en: `${name} points at ${found.join(', ')}. ${a.purpose.en}: change it to ${recordEn(add)}${unverified.en}.` },
  };
}

export function checkAutoconfig(domain: string, dns: DnsClient, exp: DnsExpectations): Promise<DnsRecordCheck[]> {
  return Promise.all(exp.autoconfig.map((a) => checkOne(domain, dns, a)));
}
