/**
 * MX: `ok` only when every MX host belongs to the target provider; `conflict` when target and
 * other hosts are mixed (mail is then split between the old and the new system at random:
 * priorities decide only which one is tried first); `wrong` when none is the target's; `missing`
 * without MX.
 */
import { hostMatches, normalizeHost } from '../../shared/providers/match';
import { expandMxHost, type DnsExpectations } from '../../shared/providers/dns-expectations';
import type { DnsRecordCheck } from '../../shared/protocol/dns-check';
import type { DnsClient } from './dns-client';
import { addRecord, NOTHING_TO_DO, recordEn, recordZh } from './record-text';

export function belongsTo(host: string, exp: DnsExpectations): boolean {
  return exp.mx.hosts.some((h) => hostMatches(h.pattern, host));
}

export interface MxResult {
  row: DnsRecordCheck;
  mxOnTarget: boolean;
}

export async function checkMx(domain: string, dns: DnsClient, target: DnsExpectations, old: DnsExpectations | null): Promise<MxResult> {
  const answers = (await dns.mx(domain)).map((a) => ({ host: normalizeHost(a.exchange), priority: a.priority })).sort((a, b) => a.priority - b.priority || a.host.localeCompare(b.host));
  const toAdd = target.mx.records.map((r) => addRecord('@', 'MX', expandMxHost(r.host, domain), r.priority));
  const expected = toAdd.map((r) => `${r.priority} ${r.value}`);
  const found = answers.map((a) => `${a.priority} ${a.host}`);
  const onTarget = answers.filter((a) => belongsTo(a.host, target));
  const others = answers.filter((a) => !belongsTo(a.host, target));
  const addZh = toAdd.map(recordZh).join('；');
  const addEn = toAdd.map(recordEn).join('; ');
  const tenantZh = target.mx.tenantSpecific ? `（${target.mx.tenantSpecific.zh}）` : '';
  const tenantEn = target.mx.tenantSpecific ? ` (${target.mx.tenantSpecific.en})` : '';
  const ttl = answers.length ? await dns.ttl(domain, 'MX') : null;
  const base = { kind: 'MX' as const, name: domain, found, expected, ttl };
  // After the switch, resolvers that cached the old MX deliver there for at least this long.
  const ttlNote = ttl === null ? { zh: '', en: '' } : { zh: `当前 MX 的 TTL 为 ${ttl} 秒：切换后至少这段时间内仍会有邮件投递到旧服务器，请保持增量同步。`, en: ` The current MX TTL is ${ttl} s: for at least that long after the switch mail still reaches the old server, so keep the incremental sync running.` };

  if (answers.length === 0) {
    return {
      mxOnTarget: false,
      row: { ...base, status: 'missing', add: toAdd, fix: { zh: `添加 MX 记录：${addZh}${tenantZh}。`, en: `Add the MX records: ${addEn}${tenantEn}.` } },
    };
  }
  if (others.length === 0) {
    return { mxOnTarget: true, row: { ...base, status: 'ok', add: [], fix: NOTHING_TO_DO } };
  }
  const otherList = others.map((o) => o.host).join(', ');
  const otherListZh = others.map((o) => o.host).join('、');
  const oldNote = old && others.some((o) => belongsTo(o.host, old)) ? { zh: `（${old.label.zh}）`, en: ` (${old.label.en})` } : { zh: '', en: '' };
  if (onTarget.length > 0) {
    return {
      mxOnTarget: false,
      row: {
        ...base,
        status: 'conflict',
        add: [],
        fix: {
          zh: `MX 同时指向新旧两个系统，来信会随机投递到其中之一。删除指向 ${otherListZh}${oldNote.zh || ' '}的 MX 记录，只保留：${addZh}。${ttlNote.zh}`,
          en: `MX points at both the old and the new system, so incoming mail lands on either. Delete the MX records pointing at ${otherList}${oldNote.en} and keep only: ${addEn}.${ttlNote.en}`,
        },
      },
    };
  }
  return {
    mxOnTarget: false,
    row: {
      ...base,
      status: 'wrong',
      add: toAdd,
      fix: {
        zh: `MX 仍指向 ${otherListZh}${oldNote.zh}。请在每个账号首次搬家完成后，删除这些 MX 记录并添加：${addZh}${tenantZh}。${ttlNote.zh}`,
        en: `MX still points at ${otherList}${oldNote.en}. Once every account's first pass is done, delete these MX records and add: ${addEn}${tenantEn}.${ttlNote.en}`,
      },
    },
  };
}
