/**
 * SPF: `missing` without a v=spf1 TXT record; `conflict` with two or more (RFC 7208 3.2: a
 * permerror, receivers then treat the domain as having a broken SPF); `wrong` when the target's
 * include is not reached or the record is broken; `warning` when the old provider's include is
 * still reached after the MX switch, or the record needs more than 10 DNS lookups (a permerror at
 * receivers that enforce the limit) or more than 2 void lookups.
 */
import { DNS_EXPECTATIONS, type DnsExpectations } from '../../shared/providers/dns-expectations';
import type { DnsRecordCheck } from '../../shared/protocol/dns-check';
import { DnsQueryError, type DnsClient } from './dns-client';
import { addRecord, NOTHING_TO_DO, recordEn, recordZh } from './record-text';
import { evaluateSpf, SPF_LOOKUP_LIMIT, type SpfEvaluation } from './spf-evaluate';

const isSpf = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
const terms = (record: string) => record.trim().split(/\s+/).slice(1);
const includeOf = (term: string) => /^[+?~-]?include:(.+)$/i.exec(term)?.[1]?.toLowerCase().replace(/\.$/, '');
const isAll = (term: string) => /^[+?~-]?all$/i.test(term);

/** The record with the target's include added in front (after v=spf1), other terms kept. */
function withInclude(record: string, include: string): string {
  return ['v=spf1', `include:${include}`, ...terms(record)].join(' ');
}

/** One record out of several: every term once, the target's include first, the provider's `all` at the end. */
function merged(records: string[], target: DnsExpectations): string {
  const keep: string[] = [];
  for (const r of records) {
    for (const term of terms(r)) {
      if (isAll(term)) continue;
      if (!keep.some((k) => k.toLowerCase() === term.toLowerCase())) keep.push(term);
    }
  }
  const inc = `include:${target.spf.includes[0]}`;
  const rest = keep.filter((k) => !target.spf.includes.includes(includeOf(k) ?? ''));
  // The `all` of the provider's documented record: the records' own may disagree, and DNS returns them in any order.
  return ['v=spf1', inc, ...rest, terms(target.spf.record).find(isAll) ?? '~all'].join(' ');
}

/** The record's own terms naming a domain (include:, redirect=), lower case, without a trailing dot. */
const namedBy = (term: string) => /^(?:[+?~-]?include:|redirect=)(.+)$/i.exec(term)?.[1]?.toLowerCase().replace(/\.$/, '');

/**
 * A permerror whose cause is a name the record reaches that has no SPF record (or several): the
 * fault is at that name. When the record names it directly and it is not the target's include,
 * the admin removes or corrects that term; otherwise (the target's own include, or a name
 * further down someone else's include) there is nothing to change in the record, and saying
 * "correct it to" the record already published would send the admin looking for a mistake that
 * is not there.
 */
/**
 * The record lacks the target's include: the fix is that record with it added. `also`: a
 * second problem of the record, said after the fix (its words end the message).
 */
function lacksInclude(base: Omit<DnsRecordCheck, 'status' | 'add' | 'fix'>, record: string, target: DnsExpectations, also?: { zh: string; en: string }): DnsRecordCheck {
  const include = target.spf.includes[0]!;
  const add = addRecord('@', 'TXT', withInclude(record, include));
  return {
    ...base,
    status: 'wrong',
    add: [add],
    fix: {
      zh: `SPF 记录没有包含 ${target.label.zh} 的 include:${include}${also ? '' : '，新系统发出的邮件会被判为伪造'}。修改该条记录（不要新增第二条）：${recordZh(add)}。${also?.zh ?? ''}`,
      en: `The SPF record lacks ${target.label.en}'s include:${include}${also ? '' : ', so mail sent by the new system fails SPF'}. Edit that record (do not add a second one): ${recordEn(add)}.${also?.en ?? ''}`,
    },
  };
}

function brokenTarget(
  base: Omit<DnsRecordCheck, 'status' | 'add' | 'fix'>,
  record: string,
  brokenTargets: SpfEvaluation['brokenTargets'],
  target: DnsExpectations,
  authorisedBy: string | null,
): DnsRecordCheck {
  const authorised = authorisedBy !== null;
  const broken = brokenTargets.map((b) => b.name);
  const whatEn = (b: SpfEvaluation['brokenTargets'][number]) => (b.problem === 'no-spf' ? `${b.name} has no SPF record (DNS answers no v=spf1 TXT record for it)` : `${b.name} has more than one SPF record`);
  const whatZh = (b: SpfEvaluation['brokenTargets'][number]) => (b.problem === 'no-spf' ? `${b.name} 没有 SPF 记录（DNS 查不到它的 v=spf1 TXT 记录）` : `${b.name} 有多条 SPF 记录`);
  const problemEn = brokenTargets.map(whatEn).join('; ');
  const problemZh = brokenTargets.map(whatZh).join('；');
  const named = terms(record).map(namedBy);
  const removable = broken.filter((n) => named.includes(n) && !target.spf.includes.includes(n));
  if (removable.length > 0) {
    const kept = terms(record).filter((t) => !removable.includes(namedBy(t) ?? ''));
    const fixed = ['v=spf1', ...(authorised ? [] : [`include:${target.spf.includes[0]}`]), ...kept].join(' ');
    const add = addRecord('@', 'TXT', fixed);
    return {
      ...base,
      status: 'wrong',
      add: [add],
      fix: {
        zh: `${problemZh}，收件方因此无法验证本域名的 SPF（RFC 7208 permerror）。请删除或改正 SPF 记录中指向 ${removable.join('、')} 的项${authorised ? '' : `，并加上 ${target.label.zh} 的 include:${target.spf.includes[0]}`}。修改该条记录（不要新增第二条）：${recordZh(add)}。`,
        en: `${problemEn}, so receivers cannot evaluate the domain's SPF (RFC 7208 permerror). Remove or correct the term naming ${removable.join(', ')} in the SPF record${authorised ? '' : ` and add ${target.label.en}'s include:${target.spf.includes[0]}`}. Edit that record (do not add a second one): ${recordEn(add)}.`,
      },
    };
  }
  const nested = broken.some((n) => !named.includes(n));
  const whereEn = nested ? ' (reached through an include of the record)' : '';
  const whereZh = nested ? '（通过记录中的 include 间接引用）' : '';
  if (!authorised) {
    return lacksInclude(base, record, target, {
      zh: `另外，${problemZh}${whereZh}，在它修好之前收件方无法验证本域名的 SPF（RFC 7208 permerror）。`,
      en: ` Also, ${problemEn}${whereEn}; until that is fixed there, receivers cannot evaluate the domain's SPF (RFC 7208 permerror).`,
    });
  }
  return {
    ...base,
    status: 'warning',
    add: [],
    fix: {
      zh: `SPF 记录本身正确（已包含 ${target.label.zh} 的 include:${authorisedBy}），无需修改。但 ${problemZh}${whereZh}，在它修好之前收件方无法验证本域名的 SPF（RFC 7208 permerror）。这不是本域名记录的问题：请稍后再检查；若一直如此，请确认所用的 DNS 服务器能正常解析该名称，或联系该名称的服务商。`,
      en: `The SPF record itself is right (it has ${target.label.en}'s include:${authorisedBy}); nothing to change in it. But ${problemEn}${whereEn}, so until that is fixed there receivers cannot evaluate the domain's SPF (RFC 7208 permerror). This is not a fault of the domain's record: check again later; if it persists, make sure the DNS server used resolves that name, or contact whoever runs it.`,
    },
  };
}

export async function checkSpf(domain: string, dns: DnsClient, target: DnsExpectations, old: DnsExpectations | null, mxOnTarget: boolean): Promise<DnsRecordCheck> {
  const records = (await dns.txt(domain)).filter(isSpf);
  const base = { kind: 'SPF' as const, name: domain, found: records, expected: [target.spf.record], ttl: records.length ? await dns.ttl(domain, 'TXT') : null };

  if (records.length === 0) {
    const add = addRecord('@', 'TXT', target.spf.record);
    return { ...base, status: 'missing', add: [add], fix: { zh: `添加 SPF 记录：${recordZh(add)}。`, en: `Add the SPF record: ${recordEn(add)}.` } };
  }
  if (records.length > 1) {
    const add = addRecord('@', 'TXT', merged(records, target));
    return {
      ...base,
      status: 'conflict',
      add: [add],
      fix: {
        zh: `域名有 ${records.length} 条 SPF 记录（以 v=spf1 开头的 TXT），收件方会判定 SPF 无效（RFC 7208 permerror）。删除全部这些记录，合并为一条：${recordZh(add)}。`,
        en: `The domain has ${records.length} SPF records (TXT starting with v=spf1); receivers treat that as a broken SPF (RFC 7208 permerror). Delete them all and publish one merged record: ${recordEn(add)}.`,
      },
    };
  }

  const record = records[0]!;
  const direct = terms(record).map(includeOf).filter((x): x is string => !!x);
  const evaluation = await evaluateSpf(domain, dns);
  const reached = new Set([...direct, ...evaluation.reached]);
  // The target's include the record reaches (a provider may have more than one name for it).
  const authorisedBy = target.spf.includes.find((i) => reached.has(i)) ?? null;
  const authorised = authorisedBy !== null;

  if (evaluation.result === 'temperror') {
    // A lookup the record leads to failed (refused, timeout, SERVFAIL): a DNS failure, reported
    // as such like any other failed query of the check, never as an error in the record.
    const q = evaluation.failedQuery;
    throw new DnsQueryError(q?.name ?? domain, q?.rrtype ?? 'TXT', q?.code ?? 'TEMPERROR');
  }
  if (evaluation.result === 'permerror' && evaluation.brokenTargets.length > 0) {
    return brokenTarget(base, record, evaluation.brokenTargets, target, authorisedBy);
  }
  if (evaluation.result === 'permerror') {
    const reason = evaluation.comment.replace(/^[^:]*: /, '');
    // Proposing the published record again as the "correction" would say nothing: when the
    // target's include is there, only the broken term is to be fixed, and mailauth names it.
    const add = authorised ? [] : [addRecord('@', 'TXT', withInclude(record, target.spf.includes[0]!))];
    return {
      ...base,
      status: 'wrong',
      add,
      fix: add[0]
        ? {
            zh: `SPF 记录无法解析（${reason}）。请修正为：${recordZh(add[0])}。`,
            en: `The SPF record cannot be evaluated (${reason}). Correct it to: ${recordEn(add[0])}.`,
          }
        : {
            zh: `SPF 记录无法解析（${reason}）。记录中已有 ${target.label.zh} 的 include:${authorisedBy}，请修正上面指出的错误项，不要新增第二条记录。`,
            en: `The SPF record cannot be evaluated (${reason}). It already has ${target.label.en}'s include:${authorisedBy}; correct the term named above in that record (do not add a second one).`,
          },
    };
  }
  if (!authorised) return lacksInclude(base, record, target);

  const warnings: { zh: string; en: string }[] = [];
  if (mxOnTarget) {
    const olds = old ? [old] : DNS_EXPECTATIONS.filter((e) => e.providerId !== target.providerId);
    for (const o of olds) {
      const stale = o.spf.includes.filter((i) => reached.has(i) && !target.spf.includes.includes(i));
      if (stale.length) {
        warnings.push({
          zh: `MX 已切换，但仍包含旧服务商 ${o.label.zh} 的 include:${stale.join(' include:')}。旧邮箱停止发信（同步窗口关闭）后请删除它。`,
          en: `MX has been switched but the record still includes the old provider ${o.label.en} (include:${stale.join(' include:')}). Remove it once the old mailboxes no longer send (sync window closed).`,
        });
      }
    }
  }
  if (evaluation.lookups > SPF_LOOKUP_LIMIT) {
    warnings.push({
      zh: `SPF 需要 ${evaluation.lookups} 次 DNS 查询，超过上限 ${SPF_LOOKUP_LIMIT} 次（RFC 7208），许多收件方会判定 SPF 无效。请删除不再使用的 include，或改用 ip4:/ip6:。`,
      en: `The SPF record needs ${evaluation.lookups} DNS lookups, more than the limit of ${SPF_LOOKUP_LIMIT} (RFC 7208); many receivers then treat it as broken. Remove includes no longer used, or use ip4:/ip6: terms.`,
    });
  }
  if (evaluation.voidLookups > 2) {
    warnings.push({
      zh: `SPF 中有 ${evaluation.voidLookups} 个查询没有结果（上限 2 个），请删除指向不存在域名的 include/a/mx。`,
      en: `${evaluation.voidLookups} lookups of the SPF record return nothing (limit 2); remove include/a/mx terms naming domains that do not exist.`,
    });
  }
  if (warnings.length) {
    return { ...base, status: 'warning', add: [], fix: { zh: warnings.map((w) => w.zh).join(''), en: warnings.map((w) => w.en).join(' ') } };
  }
  return { ...base, status: 'ok', add: [], fix: NOTHING_TO_DO };
}
