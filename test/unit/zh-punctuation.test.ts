/**
 * Chinese sentences use full-width punctuation (，：；（）？！). The zh texts of shared/ and the
 * bridge once mixed in ASCII ones ("原邮箱: 密码错误, 请检查(IMAP)"). This walks the zh side of the
 * catalogues and of the sentences built from them, and fails on an ASCII : , ( ) ; ? ! next to a
 * Chinese character (directly or across one space). ASCII stays right inside code-like tokens
 * (imaps://, include:spf.example, v=DKIM1; k=rsa, 1,000), which are not next to a Chinese
 * character; ALLOWED lists the few places where one legitimately is.
 */
import { describe, expect, it } from 'vitest';
import { checkAutoconfig } from '../../bridge/dns/check-autoconfig';
import { checkDkim } from '../../bridge/dns/check-dkim';
import { checkDmarc } from '../../bridge/dns/check-dmarc';
import { checkMx } from '../../bridge/dns/check-mx';
import { checkSpf } from '../../bridge/dns/check-spf';
import type { DnsClient, MxAnswer } from '../../bridge/dns/dns-client';
import { addRecord, NOTHING_TO_DO, recordZh } from '../../bridge/dns/record-text';
import { detectRecentWindow } from '../../bridge/diagnose/recent-window';
import { detectProvider } from '../../bridge/diagnose/detect-provider';
import { reportCsv } from '../../bridge/service/report-csv';
import { parseAccountsCsv } from '../../shared/csv/accounts-csv';
import { ERROR_CODES, ERROR_MESSAGES, REMEDIES, errorMessage } from '../../shared/errors';
import { DNS_EXPECTATIONS, dnsExpectationsFor } from '../../shared/providers/dns-expectations';
import { GENERIC_PITFALLS, MIGRATION_GUIDES, PROVIDER_PRESETS, baseRemedy, formatPitfall, remedyFor } from '../../shared/providers';
import type { AccountView } from '../../shared/protocol/account';
import { ACCOUNT_STATUS_LABELS, JOB_STATUS_LABELS, VERIFY_STATUS_LABELS } from '../../shared/status-labels';
import { factsText, type WarningFacts } from '../../shared/warning-facts';

const CJK = '[\\u3400-\\u4dbf\\u4e00-\\u9fff]';
const ASCII = "[:,();?!]";
const MIXED = new RegExp(`${CJK} ?${ASCII}|${ASCII} ?${CJK}`, 'u');

/**
 * Text where ASCII punctuation next to a Chinese character is right. A CSV header row is typed as
 * it is read: its column names are separated by ASCII commas.
 */
const ALLOWED: readonly string[] = ['待搬家账号,搬家账号,待搬家账号密码'];

/** The first ASCII punctuation mark next to a Chinese character, with a little context; null if none. */
function mixedPunctuation(text: string): string | null {
  const checked = ALLOWED.reduce((t, allowed) => t.split(allowed).join('□'), text);
  const m = MIXED.exec(checked);
  if (!m) return null;
  return checked.slice(Math.max(0, m.index - 12), m.index + m[0].length + 12);
}

/** Every string under a `zh` or `messageZh` key, anywhere in `value`, with where it was found. */
function zhTexts(value: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value)) value.forEach((v, i) => zhTexts(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'zh' || k === 'messageZh') && typeof v === 'string') out.push([`${path}.${k}`, v]);
      else zhTexts(v, `${path}.${k}`, out);
    }
  }
  return out;
}

function expectFullWidth(texts: ReadonlyArray<readonly [string, string]>): void {
  expect(texts.length).toBeGreaterThan(0);
  const bad = texts.flatMap(([where, text]) => {
    const hit = mixedPunctuation(text);
    return hit === null ? [] : [`${where}: …${hit}… in "${text}"`];
  });
  expect(bad).toEqual([]);
}

describe('the check itself', () => {
  it('finds ASCII punctuation next to Chinese, and leaves code-like tokens and the allowed header alone', () => {
    expect(mixedPunctuation('原邮箱: 密码错误, 请检查(IMAP)')).not.toBeNull();
    expect(mixedPunctuation('地址(DNS 解析失败)')).not.toBeNull();
    expect(mixedPunctuation('原邮箱：密码错误，请检查（IMAP）。')).toBeNull();
    expect(mixedPunctuation('请使用 TLS（imaps:// 或 STARTTLS），端口 1,000。')).toBeNull();
    expect(mixedPunctuation('SPF 记录没有包含 include:spf.mail.qq.com，请修改。')).toBeNull();
    expect(mixedPunctuation('第一行须为列名：待搬家账号,搬家账号,待搬家账号密码（或 source,target）。')).toBeNull();
  });
});

describe('zh texts use full-width punctuation', () => {
  it('error messages and remedies (shared/errors.ts), with every side and the facts they name', () => {
    const texts: Array<[string, string]> = [...zhTexts(ERROR_MESSAGES, 'ERROR_MESSAGES'), ...zhTexts(REMEDIES, 'REMEDIES')];
    for (const code of ERROR_CODES) {
      for (const side of ['source', 'target', undefined] as const) texts.push([`errorMessage ${code} ${side}`, errorMessage({ code, message: 'x', side }, 'zh')]);
    }
    texts.push(['errorMessage ALREADY_RUNNING facts', errorMessage({ code: 'ALREADY_RUNNING', message: 'x', facts: { kind: 'already-running', pid: 4242, since: '2026-12-07T09:00:00Z' } }, 'zh')]);
    texts.push(['errorMessage FOLDER_UNREADABLE facts', errorMessage({ code: 'FOLDER_UNREADABLE', message: 'x', side: 'source', facts: { kind: 'folder-unreadable', folder: '已发送' } }, 'zh')]);
    expectFullWidth(texts);
  });

  it('provider presets, generic pitfalls, migration guides and the remedies built from them', () => {
    const texts: Array<[string, string]> = [...zhTexts(PROVIDER_PRESETS, 'PROVIDER_PRESETS'), ...zhTexts(GENERIC_PITFALLS, 'GENERIC_PITFALLS')];
    for (const [id, title] of Object.entries(MIGRATION_GUIDES)) texts.push([`MIGRATION_GUIDES.${id}`, title]);
    for (const p of [...GENERIC_PITFALLS, ...PROVIDER_PRESETS.flatMap((preset) => preset.pitfalls)]) texts.push([`formatPitfall ${p.id}`, formatPitfall(p, 'zh')]);
    for (const code of ERROR_CODES) {
      texts.push([`baseRemedy ${code}`, baseRemedy(code).zh]);
      for (const preset of [undefined, ...PROVIDER_PRESETS]) texts.push([`remedyFor ${code} ${preset?.id ?? '-'}`, remedyFor(code, preset).zh]);
    }
    expectFullWidth(texts);
  });

  it('status labels and warning facts (folder lists enumerate with 、)', () => {
    const texts: Array<[string, string]> = [
      ...zhTexts(ACCOUNT_STATUS_LABELS, 'ACCOUNT_STATUS_LABELS'),
      ...zhTexts(JOB_STATUS_LABELS, 'JOB_STATUS_LABELS'),
      ...zhTexts(VERIFY_STATUS_LABELS, 'VERIFY_STATUS_LABELS'),
    ];
    const facts: WarningFacts[] = [
      { kind: 'folder-renamed', from: '客户/A+B', to: '客户/A＋B' },
      { kind: 'folder-moved', from: '项目', to: '项目归档', target: '项目' },
      { kind: 'date-changed', message: 'UID 4', folder: '收件箱', target: 'INBOX', targetUid: 9, sent: '1969-12-31T00:00:00Z', stored: '2026-12-07T09:00:00Z' },
      { kind: 'dates-counted', count: 3, folder: '收件箱' },
      { kind: 'message-changed', count: 3, from: '已发送', to: 'Sent', copies: [{ message: 'UID 3', targetUid: 5 }, { message: 'UID 4', targetUid: 6 }] },
      { kind: 'filter-unmatched', glob: '发件箱', folders: ['INBOX', '已发送', '草稿箱'], more: 2 },
    ];
    for (const f of facts) texts.push([`factsText ${f.kind}`, factsText(f, 'zh') ?? '']);
    expect(factsText(facts[5]!, 'zh')).toBe('筛选“发件箱”与以下文件夹均不匹配：INBOX、已发送、草稿箱 …（+2）。');
    expectFullWidth(texts);
  });

  it('the report CSV in Chinese: import mode and the passes a warning was reported in', () => {
    const account = {
      jobId: 'job_1', id: 'acc_1', source: 'zhang@old.example', target: 'zhang@new.example', mode: 'admin-with-passwords', status: 'failed',
      counters: { messagesTotal: 0, messagesCopied: 0, messagesAlreadyPresent: 0, messagesSkipped: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 },
      warnings: [{ code: 'FOLDER_RENAMED', message: 'x', passes: 3 }],
    } as unknown as AccountView;
    const csv = reportCsv([account, { ...account, mode: 'admin-without-passwords' }], 'zh-CN', { timeZone: 'Asia/Shanghai' });
    expect(csv).toContain('管理员导入（已知密码）');
    expect(csv).toContain('管理员导入（未知密码）');
    expect(csv).toContain('（3 次搬家报告）');
    expect(mixedPunctuation(csv.split('\r\n')[1]!.split(',').slice(0, 3).join(' '))).toBeNull();
  });

  it('connection test texts: provider detection and the recent-mail window', async () => {
    const texts: Array<[string, string]> = [];
    const unknown = await detectProvider('someone@unknown.invalid', { dns: false });
    texts.push(...zhTexts(unknown, 'detectProvider'));
    const now = new Date('2026-12-07T00:00:00Z');
    for (const preset of [null, PROVIDER_PRESETS[0]!]) {
      const warnings = detectRecentWindow({
        now,
        preset,
        folders: [{ path: 'INBOX', messages: 40, oldest: { uid: 500, internalDate: new Date(now.getTime() - 28 * 86_400_000) }, uidValidity: 1_500_000_000 }],
        imapInboxMessages: 40,
        pop3Messages: 900,
      });
      const fewer = detectRecentWindow({ now, preset, folders: [], imapInboxMessages: 900, pop3Messages: 40 });
      const hidden = detectRecentWindow({ now, preset, folders: [], imapInboxMessages: 40, pop3Messages: 900 });
      texts.push(...zhTexts([warnings, fewer, hidden], `detectRecentWindow ${preset?.id ?? '-'}`));
    }
    expectFullWidth(texts);
  });

  it('DNS expectations and the cut-over DNS check fixes', async () => {
    const texts: Array<[string, string]> = [...zhTexts(DNS_EXPECTATIONS, 'DNS_EXPECTATIONS'), ['NOTHING_TO_DO', NOTHING_TO_DO.zh]];
    texts.push(['recordZh MX', recordZh(addRecord('@', 'MX', 'mxbiz1.qq.com', 5))]);
    const domain = 'corp.example';
    const tencent = dnsExpectationsFor('tencent')!;
    const aliyun = dnsExpectationsFor('aliyun')!;
    const fake = (mx: MxAnswer[], txt: Record<string, string[]>, cname: Record<string, string[]> = {}): DnsClient => ({
      mx: async () => mx,
      txt: async (name) => txt[name] ?? [],
      cname: async (name) => cname[name] ?? [],
      srv: async () => [],
      ttl: async () => 3600,
      resolve: async (name, rrtype) => {
        if (rrtype === 'TXT' && txt[name]) return txt[name]!.map((t) => [t]);
        throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      },
    });
    // MX still at the old provider (two hosts), two SPF records, a DMARC policy before DKIM, a foreign DKIM CNAME, autoconfig elsewhere.
    const old = fake(
      [{ exchange: 'mx1.qiye.aliyun.com', priority: 5 }, { exchange: 'mx2.qiye.aliyun.com', priority: 10 }],
      { [domain]: ['v=spf1 include:spf.qiye.aliyun.com -all', 'v=spf1 a mx ~all'], [`_dmarc.${domain}`]: ['v=DMARC1; p=reject'] },
      Object.fromEntries([...tencent.dkim.selectors.map((s) => [`${s}._domainkey.${domain}`, ['dkim.elsewhere.example']]), ...tencent.autoconfig.map((a) => [`${a.name}.${domain}`, ['a.elsewhere.example', 'b.elsewhere.example']])]),
    );
    const empty = fake([], {});
    const both = fake([{ exchange: 'mxbiz1.qq.com', priority: 5 }, { exchange: 'mx1.qiye.aliyun.com', priority: 10 }], { [domain]: ['v=spf1 include:spf.qiye.aliyun.com -all'], [`_dmarc.${domain}`]: ['v=DMARC1; p=none', 'v=DMARC1; p=none'] });
    for (const target of DNS_EXPECTATIONS) {
      for (const dns of [old, empty, both]) {
        texts.push(...zhTexts((await checkMx(domain, dns, target, aliyun)).row, `checkMx ${target.providerId}`));
        texts.push(...zhTexts(await checkSpf(domain, dns, target, aliyun, true), `checkSpf ${target.providerId}`));
        texts.push(...zhTexts(await checkDkim(domain, dns, target), `checkDkim ${target.providerId}`));
        texts.push(...zhTexts(await checkAutoconfig(domain, dns, target), `checkAutoconfig ${target.providerId}`));
      }
    }
    for (const dns of [old, empty, both]) texts.push(...zhTexts(await checkDmarc(domain, dns, { spf: 'ok', dkim: 'missing' }), 'checkDmarc'));
    expect(texts.some(([, t]) => t.startsWith('MX 仍指向 mx1.qiye.aliyun.com、mx2.qiye.aliyun.com（阿里邮箱）。'))).toBe(true);
    expect(texts.some(([, t]) => t.includes('删除指向 mx1.qiye.aliyun.com（阿里邮箱）的 MX 记录'))).toBe(true);
    expectFullWidth(texts);
  });

  it('account list import messages, the CSV header row allowed', () => {
    const texts: Array<[string, string]> = [];
    for (const file of ['zhang@old.example,zhang@new.example\n', 'source,target\nnot-an-address@,b@new.example\n', '待搬家账号\na@old.example\n']) {
      texts.push(...zhTexts(parseAccountsCsv(new TextEncoder().encode(file)), `parseAccountsCsv ${JSON.stringify(file)}`));
    }
    expectFullWidth(texts);
  });
});
