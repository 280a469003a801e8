import { describe, expect, it } from 'vitest';
import { detectForServer, detectProvider, type DnsResolver } from '../../bridge/diagnose/detect-provider';
import { ProviderDetectionSchema, type MxRecord } from '../../shared/providers';

type Answer = MxRecord[] | { error: string } | 'hang';

/** A resolver answering from a table (no internet in tests); records every query. */
function fakeResolver(mx: Record<string, Answer>, cname: Record<string, string[]> = {}): DnsResolver & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(a: T | { error: string } | 'hang' | undefined, name: string): Promise<T> => {
    if (a === undefined) return Promise.reject(Object.assign(new Error(`queryMx ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    if (a === 'hang') return new Promise<T>(() => undefined);
    if (typeof a === 'object' && a !== null && 'error' in a) return Promise.reject(Object.assign(new Error(`${a.error} ${name}`), { code: a.error }));
    return Promise.resolve(a as T);
  };
  return {
    queries,
    resolveMx: (d) => {
      queries.push(`MX ${d}`);
      return answer<MxRecord[]>(mx[d], d);
    },
    resolveCname: (h) => {
      queries.push(`CNAME ${h}`);
      return cname[h] ? Promise.resolve(cname[h]!) : Promise.reject(Object.assign(new Error(`queryCname ENODATA ${h}`), { code: 'ENODATA' }));
    },
  };
}

const noDns: DnsResolver = {
  resolveMx: () => Promise.reject(new Error('DNS must not be used')),
  resolveCname: () => Promise.reject(new Error('DNS must not be used')),
};

const ZONES: Record<string, Answer> = {
  'exmail-corp.example': [
    { exchange: 'mxbiz2.qq.com', priority: 10 },
    { exchange: 'mxbiz1.qq.com', priority: 5 },
  ],
  'ali-new.example': [
    { exchange: 'mx1.qiye.aliyun.com', priority: 5 },
    { exchange: 'mx2.qiye.aliyun.com', priority: 10 },
    { exchange: 'mx3.qiye.aliyun.com', priority: 15 },
  ],
  'ali-old.example': [
    { exchange: 'mxn.mxhichina.com', priority: 5 },
    { exchange: 'mxw.mxhichina.com', priority: 10 },
  ],
  'netease-corp.example': [
    { exchange: 'qiye163mx01.mxmail.netease.com', priority: 5 },
    { exchange: 'qiye163mx02.mxmail.netease.com', priority: 10 },
  ],
  'google-corp.example': [
    { exchange: 'aspmx.l.google.com', priority: 1 },
    { exchange: 'alt1.aspmx.l.google.com', priority: 5 },
    { exchange: 'aspmx2.googlemail.com', priority: 10 },
  ],
  'google-new.example': [{ exchange: 'smtp.google.com', priority: 1 }],
  'ms-corp.example': [{ exchange: 'ms-corp-example.mail.protection.outlook.com', priority: 0 }],
  '263-corp.example': [
    { exchange: 'mxw.263.net', priority: 5 },
    { exchange: 'mx.263.net', priority: 10 },
  ],
  'feishu-corp.example': [{ exchange: 'mx1.feishu.cn', priority: 1 }],
  'self.example': [{ exchange: 'mail.self.example', priority: 10 }],
  'trailing-dot.example': [{ exchange: 'MXBIZ1.QQ.COM.', priority: 5 }],
  'no-mx.example': { error: 'ENODATA' },
  'empty.example': [],
  'servfail.example': { error: 'ESERVFAIL' },
  'slow.example': 'hang',
  'timeout.example': { error: 'ETIMEOUT' },
};

describe('provider auto-detection from an address (MX, injected resolver)', () => {
  const resolver = fakeResolver(ZONES);

  it.each([
    ['zhangsan@exmail-corp.example', 'tencent', 'imap.exmail.qq.com', 'mxbiz1.qq.com'],
    ['zhangsan@ali-new.example', 'aliyun', 'imap.qiye.aliyun.com', 'mx1.qiye.aliyun.com'],
    ['zhangsan@ali-old.example', 'aliyun', 'imap.mxhichina.com', 'mxn.mxhichina.com'],
    ['zhangsan@netease-corp.example', 'netease', 'imap.qiye.163.com', 'qiye163mx01.mxmail.netease.com'],
    ['zhangsan@google-corp.example', 'gmail', 'imap.gmail.com', 'aspmx.l.google.com'],
    ['zhangsan@google-new.example', 'gmail', 'imap.gmail.com', 'smtp.google.com'],
    ['zhangsan@ms-corp.example', 'outlook', 'outlook.office365.com', 'ms-corp-example.mail.protection.outlook.com'],
    ['zhangsan@263-corp.example', '263', 'imap.263.net', 'mxw.263.net'],
    ['zhangsan@feishu-corp.example', 'feishu', 'imap.feishu.cn', 'mx1.feishu.cn'],
    ['ZhangSan@Trailing-Dot.Example', 'tencent', 'imap.exmail.qq.com', 'mxbiz1.qq.com'],
  ])('%s → %s (%s)', async (address, presetId, imapHost, matchedMx) => {
    const d = await detectProvider(address, { resolver });
    ProviderDetectionSchema.parse(d);
    expect(d).toMatchObject({ presetId, via: 'mx', dns: 'ok', manual: false, matchedMx });
    expect(d.imap[0]!.host).toBe(imapHost);
    expect(d.mx!.length).toBeGreaterThan(0);
    // most preferred first
    expect(d.mx!.map((m) => m.priority)).toEqual([...d.mx!.map((m) => m.priority)].sort((a, b) => a - b));
  });

  it('the older Alibaba domain (mxhichina) suggests imap.mxhichina.com first, then imap.qiye.aliyun.com; the new one the reverse', async () => {
    expect((await detectProvider('a@ali-old.example', { resolver })).imap.map((s) => s.host)).toEqual(['imap.mxhichina.com', 'imap.qiye.aliyun.com']);
    expect((await detectProvider('a@ali-new.example', { resolver })).imap.map((s) => s.host)).toEqual(['imap.qiye.aliyun.com', 'imap.mxhichina.com']);
  });

  it('the folder-names provider id comes along (for the migration\'s provider hint)', async () => {
    expect((await detectProvider('a@exmail-corp.example', { resolver })).provider).toBe('tencent');
    expect((await detectProvider('a@ms-corp.example', { resolver })).provider).toBe('outlook');
  });

  it('an unknown MX → manual entry, with the MX hosts shown', async () => {
    const d = await detectProvider('a@self.example', { resolver });
    expect(d).toMatchObject({ presetId: null, via: null, dns: 'ok', manual: true, matchedMx: null, imap: [] });
    expect(d.mx).toEqual([{ exchange: 'mail.self.example', priority: 10 }]);
    expect(d.hostHint?.zh).toMatch(/手动/);
  });

  it.each([
    ['a@nxdomain.example', 'nxdomain'],
    ['a@no-mx.example', 'no-mx'],
    ['a@empty.example', 'no-mx'],
    ['a@servfail.example', 'error'],
    ['a@timeout.example', 'timeout'],
  ] as const)('%s → dns %s, manual entry, no exception', async (address, dns) => {
    const d = await detectProvider(address, { resolver });
    expect(d).toMatchObject({ presetId: null, dns, manual: true });
    // an empty answer is not an error; the others say what DNS answered
    if (address !== 'a@empty.example') expect(d.dnsError).toBeTruthy();
  });

  it('a resolver that never answers is cut off by the timeout', async () => {
    const d = await detectProvider('a@slow.example', { resolver, timeoutMs: 80 });
    expect(d.dns).toBe('timeout');
    expect(d.manual).toBe(true);
    // cut off by the 80 ms given, not by a longer default
    expect(d.dnsError).toContain('within 80 ms');
  });

  it.each([
    ['someone@qq.com', 'tencent-qq', 'imap.qq.com'],
    ['someone@foxmail.com', 'tencent-qq', 'imap.qq.com'],
    ['someone@163.com', 'netease-163', 'imap.163.com'],
    ['someone@126.com', 'netease-126', 'imap.126.com'],
    ['someone@yeah.net', 'netease-yeah', 'imap.yeah.net'],
    ['someone@gmail.com', 'gmail', 'imap.gmail.com'],
    ['someone@outlook.com', 'outlook-com', 'outlook.office365.com'],
    ['someone@hotmail.com', 'outlook-com', 'outlook.office365.com'],
    ['someone@sina.com', 'sina', 'imap.sina.com'],
    ['someone@icloud.com', 'apple', 'imap.mail.me.com'],
  ])('well-known consumer domain %s → %s without any DNS query', async (address, presetId, host) => {
    const d = await detectProvider(address, { resolver: noDns });
    expect(d).toMatchObject({ presetId, via: 'domain', dns: 'skipped', manual: false });
    expect(d.imap[0]!.host).toBe(host);
  });

  it('no DNS at all when disabled; an address without a domain is manual', async () => {
    expect(await detectProvider('a@exmail-corp.example', { resolver: noDns, dns: false })).toMatchObject({ presetId: null, dns: 'skipped', manual: true });
    expect(await detectProvider('not-an-address', { resolver: noDns })).toMatchObject({ presetId: null, domain: null, manual: true });
  });

  it('a self-hosted provider without a fixed host stays manual but keeps its hint', async () => {
    const r = fakeResolver({ 'coremail-corp.example': [{ exchange: 'mx.icoremail.net', priority: 10 }] });
    const d = await detectProvider('a@coremail-corp.example', { resolver: r });
    expect(d).toMatchObject({ presetId: 'coremail', via: 'mx', manual: true, imap: [] });
    expect(d.hostHint?.en).toMatch(/administrator/);
  });
});

describe('provider of a configured server', () => {
  it('the server host itself identifies the provider, without DNS', async () => {
    const d = await detectForServer('imap.exmail.qq.com', 'a@corp.example', { resolver: noDns });
    expect(d).toMatchObject({ presetId: 'tencent', via: 'host', dns: 'skipped' });
  });

  it('a CNAME of the server host to a provider host identifies it', async () => {
    const r = fakeResolver({}, { 'imap.corp.example': ['imap.qiye.aliyun.com'] });
    const d = await detectForServer('imap.corp.example', 'a@corp.example', { resolver: r });
    expect(d).toMatchObject({ presetId: 'aliyun', via: 'cname' });
    expect(r.queries).toEqual(['CNAME imap.corp.example']);
  });

  it('otherwise the address\'s MX (also for an IP address as server)', async () => {
    const r = fakeResolver(ZONES);
    expect(await detectForServer('mail.exmail-corp.example', 'a@exmail-corp.example', { resolver: r })).toMatchObject({ presetId: 'tencent', via: 'mx' });
    const r2 = fakeResolver(ZONES);
    expect(await detectForServer('203.0.113.7', 'a@netease-corp.example', { resolver: r2 })).toMatchObject({ presetId: 'netease', via: 'mx' });
    expect(r2.queries).toEqual(['MX netease-corp.example']);
  });

  it('a provider chosen by hand wins over host and MX', async () => {
    const d = await detectForServer('imap.exmail.qq.com', 'a@ali-new.example', { provider: 'netease', resolver: noDns });
    expect(d).toMatchObject({ presetId: 'netease', via: 'manual' });
  });

  it('no address and an unknown host → manual', async () => {
    expect(await detectForServer('127.0.0.1', undefined, { resolver: noDns })).toMatchObject({ presetId: null, manual: true });
  });
});
