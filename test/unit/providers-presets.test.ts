import { describe, expect, it } from 'vitest';
import { PROVIDER_FOLDER_NAMES, findProvider } from '../../shared/folders/localized-names';
import { MIGRATION_GUIDES } from '../../shared/providers/guides';
import { ERROR_CODES } from '../../shared/errors';
import {
  GENERIC_PITFALLS,
  PROVIDER_PRESETS,
  beforeStartChecklist,
  compileHostPattern,
  emailDomain,
  findPreset,
  formatPitfall,
  hostMatches,
  matchMx,
  matchResponse,
  pitfallsFor,
  presetById,
  presetForDomain,
  presetForGreeting,
  presetForServerHost,
  remedyFor,
  suggestedImap,
  type Confidence,
  type Pitfall,
  type ProviderPreset,
  type ServerSetting,
  type Text,
} from '../../shared/providers';

const CONFIDENCE: readonly Confidence[] = ['guide', 'documented', 'known', 'unverified'];
const CJK = /[\u4e00-\u9fff]/;
const FOLDER_IDS = new Set(PROVIDER_FOLDER_NAMES.map((p) => p.id));

/** Allowed port per protocol and transport security. */
const PORTS: Record<'imap' | 'pop3' | 'smtp', Record<ServerSetting['security'], number[]>> = {
  imap: { tls: [993], starttls: [143], plain: [143] },
  pop3: { tls: [995], starttls: [110], plain: [110] },
  // 994: NetEase's alternative SMTPS port
  smtp: { tls: [465, 994], starttls: [587, 25], plain: [25] },
};

function texts(p: ProviderPreset): Array<[string, Text]> {
  const out: Array<[string, Text]> = [[`${p.id}.label`, p.label]];
  if (p.hostHint) out.push([`${p.id}.hostHint`, p.hostHint]);
  for (const pf of p.pitfalls) {
    out.push([`${p.id}.${pf.id}.what`, pf.what], [`${p.id}.${pf.id}.why`, pf.why]);
    if (pf.where) out.push([`${p.id}.${pf.id}.where`, pf.where]);
    if (pf.remark) out.push([`${p.id}.${pf.id}.remark`, pf.remark]);
  }
  for (const [k, l] of Object.entries(p.limits)) if (l) out.push([`${p.id}.limits.${k}`, l.note]);
  for (const r of p.responses ?? []) out.push([`${p.id}.response(${r.regex})`, r.meaning]);
  for (const s of [...p.imap, ...p.pop3, ...p.smtp]) if (s.note) out.push([`${p.id}.${s.host}.note`, s.note]);
  return out;
}

/** Every value with a confidence in the table, named for failure messages. */
function sourcedValues(): Array<{ name: string; confidence: Confidence; source?: string }> {
  const out: Array<{ name: string; confidence: Confidence; source?: string }> = [];
  for (const p of PROVIDER_PRESETS) {
    for (const proto of ['imap', 'pop3', 'smtp'] as const) for (const s of p[proto]) out.push({ name: `${p.id} ${proto} ${s.host}:${s.port}`, confidence: s.confidence, source: s.source });
    for (const m of p.mx) out.push({ name: `${p.id} mx ${m.pattern}`, confidence: m.confidence, source: m.source });
    for (const [k, l] of Object.entries(p.limits)) if (l) out.push({ name: `${p.id} limit ${k}`, confidence: l.confidence, source: l.source });
    for (const pf of p.pitfalls) out.push({ name: `${p.id} pitfall ${pf.id}`, confidence: pf.confidence, source: pf.source });
    for (const r of p.responses ?? []) out.push({ name: `${p.id} response ${r.regex}`, confidence: r.confidence, source: r.source });
    for (const g of p.greeting ?? []) out.push({ name: `${p.id} greeting ${g.regex}`, confidence: g.confidence, source: g.source });
    if (p.auth.clientPassword) out.push({ name: `${p.id} clientPassword`, confidence: p.auth.clientPassword.confidence, source: p.auth.clientPassword.source });
  }
  for (const pf of GENERIC_PITFALLS) out.push({ name: `generic ${pf.id}`, confidence: pf.confidence, source: pf.source });
  return out;
}

describe('provider preset table', () => {
  it("every preset's id names its folder-name table too (a --provider / --target-provider given as a preset id recognises the provider's folder names)", () => {
    const wrong = PROVIDER_PRESETS.filter((p) => findProvider(p.id)?.id !== p.provider).map((p) => `${p.id} -> ${String(findProvider(p.id)?.id)} (expected ${p.provider})`);
    expect(wrong).toEqual([]);
  });

  it('has the providers of the task and of the migration guides', () => {
    const ids = PROVIDER_PRESETS.map((p) => p.id);
    for (const id of ['aliyun', 'tencent', 'netease', '263', 'gmail', 'outlook', 'exchange', 'feishu', 'coremail', 'tencent-qq', 'netease-163', 'netease-126', 'zhongqi', '35cn', 'generic']) {
      expect(ids, id).toContain(id);
    }
    expect(presetById('aliyun')!.imap.map((s) => s.host)).toEqual(['imap.qiye.aliyun.com', 'imap.mxhichina.com']);
    expect(presetById('tencent')!.imap[0]!.host).toBe('imap.exmail.qq.com');
    expect(presetById('netease')!.imap[0]!.host).toBe('imap.qiye.163.com');
    expect(presetById('263')!.imap[0]!.host).toBe('imap.263.net');
    expect(presetById('outlook')!.imap[0]!.host).toBe('outlook.office365.com');
    expect(presetById('gmail')!.imap[0]!.host).toBe('imap.gmail.com');
  });

  it('ids are unique, the main preset of a provider uses its folder-names id, and every provider id is one of shared/folders', () => {
    const ids = PROVIDER_PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of PROVIDER_PRESETS) {
      expect(FOLDER_IDS.has(p.provider), `${p.id}.provider ${p.provider}`).toBe(true);
      expect(p.id === p.provider || p.id.startsWith(`${p.provider}-`) || p.provider === 'generic' || p.provider === 'outlook', p.id).toBe(true);
    }
    for (const id of FOLDER_IDS) expect(presetById(id), `a preset with the folder id ${id}`).toBeDefined();
  });

  it('aliases and consumer domains are unique across presets and never another preset\'s id', () => {
    const seen = new Map<string, string>();
    for (const p of PROVIDER_PRESETS) {
      for (const a of [p.id, ...p.aliases].map((x) => x.toLowerCase())) {
        expect(seen.get(a) ?? p.id, `alias ${a}`).toBe(p.id);
        seen.set(a, p.id);
      }
    }
    const domains = PROVIDER_PRESETS.flatMap((p) => p.consumerDomains);
    expect(new Set(domains).size).toBe(domains.length);
    for (const d of domains) expect(d).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
  });

  it('every server setting has a port consistent with its protocol and security', () => {
    for (const p of PROVIDER_PRESETS) {
      for (const proto of ['imap', 'pop3', 'smtp'] as const) {
        for (const s of p[proto]) {
          expect(PORTS[proto][s.security], `${p.id} ${proto} ${s.host}:${s.port} ${s.security}`).toContain(s.port);
          expect(s.host).toMatch(/^[a-z0-9.-]+$/);
          expect(s.security, `${p.id} ${s.host}: presets never suggest plaintext`).not.toBe('plain');
        }
      }
      if (p.kind === 'self-hosted' || p.kind === 'generic') {
        expect(p.imap, `${p.id} is self-hosted: no fixed host`).toEqual([]);
        expect(p.hostHint, `${p.id} tells where to find the host`).toBeDefined();
      }
      if (p.imap.length === 0) expect(p.hostHint, `${p.id} has no host, so it needs a hint`).toBeDefined();
      expect(p.recommendedConcurrency).toBeGreaterThanOrEqual(1);
      expect(p.recommendedConcurrency).toBeLessThanOrEqual(8);
    }
  });

  it('every value says how far it can be trusted; guide values name an existing guide, documented ones a source', () => {
    const values = sourcedValues();
    expect(values.length).toBeGreaterThan(100);
    for (const v of values) {
      expect(CONFIDENCE, v.name).toContain(v.confidence);
      if (v.confidence === 'guide') expect(v.source, v.name).toMatch(new RegExp(`guide:(${Object.keys(MIGRATION_GUIDES).join('|')})\\b`));
      if (v.confidence === 'documented') expect(v.source, v.name).toBeTruthy();
    }
  });

  it('marks the values that could not be verified (and only the UI badge depends on it)', () => {
    const unverified = sourcedValues().filter((v) => v.confidence === 'unverified').map((v) => v.name);
    // A sample that must stay marked until someone checks it against the real service.
    for (const name of [
      'feishu-lark imap imap.larksuite.com:993',
      'outlook-21v imap partner.outlook.cn:993',
      'aliyun pop3 pop3.mxhichina.com:995',
      'tencent pop3 hwpop.exmail.qq.com:995',
      '263 smtp smtp.263.net:465',
      'coremail mx **.icoremail.net',
      'feishu pitfall third-party-client',
      'tencent limit maxMessageBytes',
      'outlook limit connectionsPerAccount',
    ]) {
      expect(unverified, name).toContain(name);
    }
    // A pitfall that is unverified says so in the remedy text.
    const feishu = presetById('feishu')!.pitfalls.find((p) => p.id === 'third-party-client')!;
    expect(formatPitfall(feishu, 'en')).toContain('[unverified]');
    expect(formatPitfall(feishu, 'zh')).toContain('未核实');
  });

  it('every text has English and Chinese; explanations in Chinese are Chinese', () => {
    for (const p of [...PROVIDER_PRESETS, { id: 'generic-pitfalls', pitfalls: GENERIC_PITFALLS } as unknown as ProviderPreset]) {
      const list = p.label ? texts(p) : GENERIC_PITFALLS.flatMap((pf): Array<[string, Text]> => [[`generic.${pf.id}.what`, pf.what], [`generic.${pf.id}.why`, pf.why]]);
      for (const [name, t] of list) {
        expect(t.en.trim(), `${name}.en`).not.toBe('');
        expect(t.zh.trim(), `${name}.zh`).not.toBe('');
        if (/\.(why|remark)$|response|limits/.test(name)) expect(t.zh, `${name}.zh`).toMatch(CJK);
      }
    }
  });

  it('pitfalls: unique ids, known triggers, response patterns compile and name existing pitfalls', () => {
    const triggers = new Set<string>([...ERROR_CODES, 'recent-window', 'missing-folders', 'empty-bodies', 'before-start']);
    for (const p of PROVIDER_PRESETS) {
      const ids = p.pitfalls.map((x) => x.id);
      expect(new Set(ids).size, p.id).toBe(ids.length);
      for (const pf of p.pitfalls) {
        expect(pf.id.startsWith('generic-'), `${p.id}.${pf.id}: generic- is reserved`).toBe(false);
        expect(pf.appliesTo.length, `${p.id}.${pf.id}`).toBeGreaterThan(0);
        for (const t of pf.appliesTo) expect(triggers.has(t), `${p.id}.${pf.id} trigger ${t}`).toBe(true);
      }
      for (const r of p.responses ?? []) {
        expect(() => new RegExp(r.regex, 'i')).not.toThrow();
        for (const id of r.pitfalls ?? []) expect(ids, `${p.id} response ${r.regex} → ${id}`).toContain(id);
      }
      for (const g of p.greeting ?? []) expect(() => new RegExp(g.regex, 'i')).not.toThrow();
    }
  });

  it('carries the pitfalls of the Alibaba Mail and 中企动力 guides per provider', () => {
    const has = (id: string, pitfall: string, guide: string) => {
      const pf = presetById(id)!.pitfalls.find((x) => x.id === pitfall);
      expect(pf, `${id}.${pitfall}`).toBeDefined();
      expect(pf!.source, `${id}.${pitfall}`).toContain(guide);
    };
    has('tencent', 'enable-imap', 'guide:ce-net-notes');
    has('tencent', 'download-all', 'guide:ce-net-notes');
    has('tencent', 'secure-login', 'guide:ce-net-notes');
    has('tencent', 'wechat-binding', 'guide:ce-net-notes');
    has('tencent', 'after-mx-switch', 'guide:ce-net-notes');
    has('netease', 'download-all', 'guide:ce-net-notes');
    has('netease', 'client-auth-code', 'guide:ce-net-notes');
    has('netease', 'forced-2fa', 'guide:ce-net-notes');
    has('coremail', 'dedicated-password', 'guide:ce-net-notes');
    has('coremail', 'security-lock', 'guide:ce-net-notes');
    has('263', 'download-all', 'guide:ce-net-notes');
    has('263', 'ip-throttling', 'guide:ce-net-notes');
    has('263', 'empty-bodies', 'guide:ce-net-notes');
    has('gmail', 'enable-imap', 'guide:ce-net-notes');
    has('gmail', 'overseas-network', 'guide:ce-net-notes');
    has('exchange', 'enable-imap', 'guide:ce-net-notes');
    has('exchange', 'imap-login-method', 'guide:ce-net-notes');
    has('aliyun', 'trade-mail-account-imap', 'guide:ce-net-notes');
    has('aliyun', 'enable-imap', 'guide:aliyun-to-exmail');
    has('outlook', 'o365-dedicated-tool', 'guide:alimail-migration');
    // Alibaba Mail's 准备工作清单, items 1-6
    for (const id of ['generic-download-range', 'generic-ip-restriction', 'generic-folder-lock', 'generic-two-factor', 'generic-client-password', 'generic-folder-names']) {
      expect(GENERIC_PITFALLS.find((p) => p.id === id)?.source, id).toContain('guide:alimail-migration');
    }
    // the 30-day download range of Tencent, NetEase and 263 (中企动力's notes, the 2019 reseller article)
    for (const id of ['tencent', 'netease', '263']) expect(presetById(id)!.defaultWindowDays, id).toBe(30);
    expect(presetById('aliyun')!.defaultWindowDays).toBeNull();
  });

  it('an outdated guide statement is kept for traceability but never given as a remedy', () => {
    const gmail = presetById('gmail')!;
    const outdated = gmail.pitfalls.filter((p) => p.status === 'outdated');
    expect(outdated.map((p) => p.id)).toEqual(['less-secure-apps']);
    const r = remedyFor('AUTH_FAILED', gmail);
    expect(r.pitfalls.map((p) => p.id)).not.toContain('less-secure-apps');
    expect(r.en).toContain('app password');
    expect(r.en).not.toMatch(/less secure/i);
  });
});

describe('host patterns and MX matching', () => {
  it('compiles globs: * within a label, # digits, ** whole labels', () => {
    expect(compileHostPattern('mxbiz#.qq.com').test('mxbiz1.qq.com')).toBe(true);
    expect(compileHostPattern('mxbiz#.qq.com').test('mxbiz.qq.com')).toBe(false);
    expect(compileHostPattern('mx#.qq.com').test('mxbiz1.qq.com')).toBe(false);
    expect(compileHostPattern('*.mail.protection.outlook.com').test('contoso-com.mail.protection.outlook.com')).toBe(true);
    expect(compileHostPattern('*.mail.protection.outlook.com').test('a.b.mail.protection.outlook.com')).toBe(false);
    expect(compileHostPattern('**.mxhichina.com').test('a.b.mxhichina.com')).toBe(true);
    expect(compileHostPattern('**.mxhichina.com').test('mxhichina.com')).toBe(false);
    expect(hostMatches('mxbiz#.qq.com', 'MXBIZ2.QQ.COM.')).toBe(true);
    expect(() => compileHostPattern('mx(1).qq.com')).toThrow();
  });

  const allPatterns = PROVIDER_PRESETS.flatMap((p) => p.mx.map((m) => ({ preset: p, m })));

  it.each(allPatterns.map(({ preset, m }) => [preset.id, m.pattern, m] as const))('%s %s matches its examples and no other preset does', (id, _pattern, m) => {
    expect(m.examples.length).toBeGreaterThan(0);
    for (const ex of m.examples) {
      expect(hostMatches(m.pattern, ex), `${m.pattern} ~ ${ex}`).toBe(true);
      for (const other of allPatterns) {
        if (other.preset.id === id) continue;
        expect(hostMatches(other.m.pattern, ex), `${other.preset.id} ${other.m.pattern} must not match ${ex}`).toBe(false);
      }
      expect(matchMx([{ exchange: ex, priority: 10 }])?.preset.id, ex).toBe(id);
    }
    for (const h of m.preferImapHosts ?? []) expect(presetById(id)!.imap.map((s) => s.host)).toContain(h);
  });

  it.each([
    'mxbiz1.qq.com.evil.example',
    'evil-mxbiz1.qq.com.cn',
    'qq.com',
    'mxhichina.com',
    'mx1.qiye.aliyun.com.example.net',
    'google.com',
    'notgoogle.com',
    'google.com.evil.net',
    'mail.protection.outlook.com',
    'mail.example.com',
    'mx.example.cn',
    'qiye163mx01.mxmail.netease.com.evil.cn',
    'mx.feishu.cn.example',
    '263.net',
    'smtp.163.com',
  ])('%s matches no preset', (host) => {
    expect(matchMx([{ exchange: host, priority: 0 }])).toBeUndefined();
  });

  it('takes the most preferred MX that matches; unknown hosts before it are skipped', () => {
    expect(
      matchMx([
        { exchange: 'mxbiz2.qq.com', priority: 10 },
        { exchange: 'filter.example.net', priority: 1 },
        { exchange: 'mx1.qiye.aliyun.com', priority: 20 },
      ])?.preset.id,
    ).toBe('tencent');
  });

  it('suggests the older Alibaba host first for a domain whose MX is still mxhichina', () => {
    const hit = matchMx([{ exchange: 'mxw.mxhichina.com', priority: 5 }])!;
    expect(suggestedImap(hit.preset, hit.pattern).map((s) => s.host)).toEqual(['imap.mxhichina.com', 'imap.qiye.aliyun.com']);
    const hit2 = matchMx([{ exchange: 'mx1.qiye.aliyun.com', priority: 5 }])!;
    expect(suggestedImap(hit2.preset, hit2.pattern).map((s) => s.host)).toEqual(['imap.qiye.aliyun.com', 'imap.mxhichina.com']);
  });
});

describe('lookups', () => {
  it('findPreset by id, alias or provider id, case-insensitively', () => {
    expect(findPreset('exmail')?.id).toBe('tencent');
    expect(findPreset('TENCENT')?.id).toBe('tencent');
    expect(findPreset('qq')?.id).toBe('tencent-qq');
    expect(findPreset('o365')?.id).toBe('outlook');
    expect(findPreset('mxhichina')?.id).toBe('aliyun');
    expect(findPreset('lark')?.id).toBe('feishu-lark');
    expect(findPreset('阿里外贸邮')?.id).toBe('aliyun');
    expect(findPreset('nope')).toBeUndefined();
    expect(findPreset('')).toBeUndefined();
    expect(findPreset(undefined)).toBeUndefined();
  });

  it('maps server hosts to presets', () => {
    expect(presetForServerHost('imap.exmail.qq.com')?.preset.id).toBe('tencent');
    expect(presetForServerHost('IMAP.QIYE.ALIYUN.COM.')?.preset.id).toBe('aliyun');
    expect(presetForServerHost('imap.mxhichina.com')?.preset.id).toBe('aliyun');
    expect(presetForServerHost('pop.qiye.163.com')?.protocol).toBe('pop3');
    expect(presetForServerHost('imap.example.com')).toBeUndefined();
  });

  it('maps well-known consumer domains without DNS', () => {
    const cases: Array<[string, string]> = [
      ['qq.com', 'tencent-qq'],
      ['foxmail.com', 'tencent-qq'],
      ['163.com', 'netease-163'],
      ['126.com', 'netease-126'],
      ['yeah.net', 'netease-yeah'],
      ['gmail.com', 'gmail'],
      ['outlook.com', 'outlook-com'],
      ['hotmail.com', 'outlook-com'],
      ['sina.com', 'sina'],
      ['icloud.com', 'apple'],
      ['aliyun.com', 'aliyun-personal'],
    ];
    for (const [d, id] of cases) expect(presetForDomain(d)?.id, d).toBe(id);
    expect(presetForDomain('example.com')).toBeUndefined();
  });

  it('extracts the mail domain of an address', () => {
    expect(emailDomain('Zhang.San@Example.COM')).toBe('example.com');
    expect(emailDomain('example.com.')).toBe('example.com');
    expect(emailDomain('a@b@corp.example')).toBe('corp.example');
    expect(emailDomain('张三@例子.公司')).toBe('xn--fsqu00a.xn--55qx5d');
    expect(emailDomain('nobody')).toBeNull();
    expect(emailDomain('x@')).toBeNull();
  });

  it('recognises server software from the greeting', () => {
    expect(presetForGreeting('* OK Coremail System IMap Server Ready(163com[...])')?.id).toBe('coremail');
    expect(presetForGreeting('* OK The Microsoft Exchange IMAP4 service is ready.')?.id).toBe('exchange');
    expect(presetForGreeting('* OK ready')).toBeUndefined();
  });

  it('reads provider-specific server replies', () => {
    const gmail = presetById('gmail')!;
    expect(matchResponse(gmail, '[ALERT] Application-specific password required: https://support.google.com/...')?.code).toBe('AUTH_FAILED');
    expect(matchResponse(gmail, '[ALERT] Your account is not enabled for IMAP use.')?.code).toBe('IMAP_DISABLED');
    expect(matchResponse(presetById('tencent')!, 'Login fail. Account is abnormal, service is not open, password is incorrect, login frequency limited, or system is busy.')?.pitfalls).toContain('wechat-binding');
    expect(matchResponse(presetById('netease')!, 'Unsafe Login. Please contact kefu@188.com for help')?.code).toBe('AUTH_FAILED');
    expect(matchResponse(undefined, 'anything')).toBeUndefined();
  });
});

describe('remedies', () => {
  const zhOf = (p: Pitfall[]) => p.map((x) => x.what.zh).join(' ');

  it('Tencent AUTH_FAILED: enable IMAP, secure login / client password, WeChat binding — in both languages', () => {
    const r = remedyFor('AUTH_FAILED', presetById('tencent'));
    expect(r.en).toContain('Tencent Exmail');
    expect(r.en).toMatch(/secure login/);
    expect(r.en).toMatch(/WeChat/);
    expect(r.zh).toContain('收发信设置');
    expect(r.zh).toContain('安全登录');
    expect(r.zh).toContain('微信');
    expect(r.pitfalls.map((p) => p.id)).toEqual(expect.arrayContaining(['enable-imap', 'secure-login', 'wechat-binding']));
  });

  it('NetEase AUTH_FAILED: the client authorization code and the forced second verification', () => {
    const r = remedyFor('AUTH_FAILED', presetById('netease'));
    expect(zhOf(r.pitfalls)).toContain('客户端授权码');
    expect(zhOf(r.pitfalls)).toContain('强制开启二次登录验证');
    expect(r.en).toMatch(/authorization code/);
  });

  it('Gmail AUTH_FAILED: app password; CONNECT_FAILED: a network outside mainland China', () => {
    expect(remedyFor('AUTH_FAILED', presetById('gmail')).en).toMatch(/app password/i);
    expect(remedyFor('CONNECT_FAILED', presetById('gmail')).zh).toContain('海外网络');
  });

  it('an unknown provider gets the generic checklist; a known one only its own', () => {
    const generic = remedyFor('AUTH_FAILED');
    expect(generic.pitfalls.every((p) => p.id.startsWith('generic-'))).toBe(true);
    expect(generic.en).toContain('Things to check');
    expect(generic.zh).toContain('请检查');
    expect(pitfallsFor(presetById('tencent'), 'AUTH_FAILED').every((p) => !p.id.startsWith('generic-'))).toBe(true);
    // a provider with nothing for the code falls back to the generic list
    expect(pitfallsFor(presetById('apple'), 'recent-window').map((p) => p.id)).toEqual(['generic-download-range']);
  });

  it('a matched server reply puts its pitfalls first', () => {
    const r = remedyFor('AUTH_FAILED', presetById('gmail'), ['retry-later']);
    expect(r.pitfalls[0]!.id).toBe('retry-later');
  });

  it('every error code has a remedy for every preset, with text in both languages', () => {
    for (const p of [undefined, ...PROVIDER_PRESETS]) {
      for (const code of ERROR_CODES) {
        const r = remedyFor(code, p);
        expect(r.en.length, `${p?.id} ${code}`).toBeGreaterThan(10);
        expect(r.zh, `${p?.id} ${code}`).toMatch(CJK);
      }
    }
  });

  it('the before-start checklist has the provider\'s items and the general list', () => {
    const ids = beforeStartChecklist(presetById('tencent')).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['download-all', 'secure-login', 'wechat-binding', 'generic-download-range', 'generic-folder-lock']));
    expect(beforeStartChecklist(undefined).every((p) => p.id.startsWith('generic-'))).toBe(true);
  });
});
