/**
 * `dns-check` against a real DNS server: dnsmasq on loopback (test/harness/dnsmasq.ts) serving one
 * domain per scenario of a cut-over (before, mixed, after, broken SPF, ...), plus the SPF records
 * of the providers' include names so that mailauth can evaluate them as it would on the Internet.
 * Most scenarios run the command in-process (runDnsCheckCommand, the CLI action itself); the exit
 * codes and the JSON document are also checked on the real `bridge/cli/main.ts dns-check` process.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDnsCheckCommand } from '../../bridge/cli/dns-check-command';
import { UsageError } from '../../bridge/cli/endpoint-url';
import { DnsCheckReportSchema, type DnsCheckReport, type DnsRecordCheck } from '../../shared/protocol/dns-check';
import { DnsCheckFailureSchema } from '../../bridge/dns/dns-check-failure';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DNSMASQ_BIN, requireDnsmasq, startDnsmasq, type Dnsmasq, type ZoneRecord } from '../harness/dnsmasq';
import { getFreePort } from '../harness/free-port';
import { runCli, runCliInProcess } from '../support/cli-runner';

const mx = (name: string, host: string, priority: number): ZoneRecord => ({ type: 'MX', name, host, priority });
const txt = (name: string, value: string): ZoneRecord => ({ type: 'TXT', name, value });
const cname = (name: string, target: string): ZoneRecord => ({ type: 'CNAME', name, target });
const KEY = 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7';
const tencentMx = (d: string) => [mx(d, 'mxbiz1.qq.com', 5), mx(d, 'mxbiz2.qq.com', 10)];
const aliMx = (d: string) => [mx(d, 'mx1.qiye.aliyun.com', 5), mx(d, 'mx2.qiye.aliyun.com', 10)];

// What the providers' include names answer (their content does not matter, only that they exist).
const PROVIDER_SPF: ZoneRecord[] = [
  txt('spf.mail.qq.com', 'v=spf1 ip4:203.0.113.0/26 -all'),
  txt('spf.qiye.aliyun.com', 'v=spf1 ip4:203.0.113.64/26 -all'),
  txt('spf.protection.outlook.com', 'v=spf1 ip4:203.0.113.128/26 -all'),
];
// Eleven includes of their own + the target's = 12 DNS lookups, over the limit of 10.
const LOOKUP_CHAIN = Array.from({ length: 11 }, (_, i) => `l${i + 1}.lk.test`);

const ZONE: ZoneRecord[] = [
  ...PROVIDER_SPF,
  // After the cut-over to Tencent, everything in place.
  ...tencentMx('ready.test'),
  txt('ready.test', 'v=spf1 include:spf.mail.qq.com ~all'),
  txt('ready.test', 'google-site-verification=abc'),
  txt('default._domainkey.ready.test', KEY),
  txt('_dmarc.ready.test', 'v=DMARC1; p=none; rua=mailto:postmaster@ready.test'),
  cname('imap.ready.test', 'imap.exmail.qq.com'),
  cname('smtp.ready.test', 'smtp.aliyun-old.test'),
  // Two SPF records.
  ...tencentMx('two-spf.test'),
  txt('two-spf.test', 'v=spf1 include:spf.qiye.aliyun.com -all'),
  txt('two-spf.test', 'v=spf1 include:spf.mail.qq.com ~all'),
  // Old and new MX mixed.
  mx('mixed-mx.test', 'mxbiz1.qq.com', 5),
  mx('mixed-mx.test', 'mx1.qiye.aliyun.com', 10),
  txt('mixed-mx.test', 'v=spf1 include:spf.mail.qq.com include:spf.qiye.aliyun.com -all'),
  // Before the cut-over: still Alibaba, both includes (right at this stage), no DKIM yet, p=reject.
  ...aliMx('before.test'),
  txt('before.test', 'v=spf1 include:spf.mail.qq.com include:spf.qiye.aliyun.com -all'),
  txt('_dmarc.before.test', 'v=DMARC1; p=reject'),
  // After the cut-over with the old include left in.
  ...tencentMx('after-old.test'),
  txt('after-old.test', 'v=spf1 include:spf.mail.qq.com include:spf.qiye.aliyun.com -all'),
  txt('default._domainkey.after-old.test', KEY),
  txt('_dmarc.after-old.test', 'v=DMARC1; p=quarantine'),
  // Over the lookup limit.
  ...tencentMx('lookups.test'),
  txt('lookups.test', `v=spf1 include:spf.mail.qq.com ${LOOKUP_CHAIN.map((n) => `include:${n}`).join(' ')} -all`),
  ...LOOKUP_CHAIN.map((n, i) => txt(n, `v=spf1 ip4:198.51.100.${i + 1} -all`)),
  // The target reached only through a nested include; and one without the target's include.
  ...tencentMx('nested.test'),
  txt('nested.test', 'v=spf1 include:_spf.corp.test -all'),
  txt('_spf.corp.test', 'v=spf1 ip4:198.51.100.200 include:spf.mail.qq.com -all'),
  ...tencentMx('no-target.test'),
  txt('no-target.test', 'v=spf1 include:spf.qiye.aliyun.com -all'),
  // Nothing but MX: SPF, DKIM, DMARC missing.
  ...tencentMx('bare.test'),
  // Microsoft 365: selector1 right, selector2 still a CNAME into the old provider; a revoked key elsewhere.
  mx('m365.test', 'm365-test.mail.protection.outlook.com', 0),
  txt('m365.test', 'v=spf1 include:spf.protection.outlook.com -all'),
  cname('selector1._domainkey.m365.test', 'selector1-m365-test._domainkey.m365t.onmicrosoft.com'),
  txt('selector1-m365-test._domainkey.m365t.onmicrosoft.com', KEY),
  cname('selector2._domainkey.m365.test', 'dkim.old-provider.test'),
  cname('autodiscover.m365.test', 'autodiscover.outlook.com'),
  txt('revoked._domainkey.ready.test', 'v=DKIM1; k=rsa; p='),
  // The target's own (older) include name answers no SPF record: the record is right as it is.
  ...tencentMx('dead-target-include.test'),
  txt('dead-target-include.test', 'v=spf1 include:spf.exmail.qq.com ~all'),
  // A mistyped include of the record's own, next to the target's include.
  ...tencentMx('dead-own-include.test'),
  txt('dead-own-include.test', 'v=spf1 include:spf.mail.qq.com include:spf.mycorp-typo.test ~all'),
  // Broken in the record itself (an unknown mechanism), the target's include present.
  ...tencentMx('bad-term.test'),
  txt('bad-term.test', 'v=spf1 include:spf.mail.qq.com foo:bar ~all'),
  // A name with TXT records but no MX: it exists, so its records are reported missing.
  txt('txt-only.test', 'v=spf1 include:spf.mail.qq.com ~all'),
];

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({ write(chunk, _enc, cb) { buf += chunk.toString(); cb(); } });
  return { stream, text: () => buf };
}

let dns: Dnsmasq;

/**
 * A second dnsmasq whose answers for every name under refused.test are REFUSED (`server=/…/#`
 * with no upstream configured): a DNS failure at one name, which the harness's zones cannot
 * express. Its own records: a domain whose SPF includes such a name. Only its own PID is killed.
 */
async function startRefusingDnsmasq(): Promise<{ server: string; stop: () => Promise<void> }> {
  requireDnsmasq();
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-dnsmasq-refused-'));
  const conf = join(dir, 'dnsmasq.conf');
  writeFileSync(
    conf,
    [
      'local=/#/',
      'pid-file=',
      'server=/refused.test/#',
      'mx-host=temp-include.test,mxbiz1.qq.com,5',
      'mx-host=temp-include.test,mxbiz2.qq.com,10',
      'txt-record=temp-include.test,"v=spf1 include:spf.mail.qq.com include:_spf.refused.test ~all"',
      'txt-record=spf.mail.qq.com,"v=spf1 ip4:203.0.113.0/26 -all"',
    ].join('\n') + '\n',
  );
  for (let attempt = 1; ; attempt++) {
    const port = await getFreePort();
    const child: ChildProcess = spawn(DNSMASQ_BIN, ['--no-resolv', '--no-hosts', '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', `--conf-file=${conf}`], { stdio: 'ignore' });
    const stop = () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    const r = new Resolver({ timeout: 200, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await r.resolveMx('temp-include.test').then(() => true, () => false)) {
        return { server: `127.0.0.1:${port}`, stop: async () => (await stop(), rmSync(dir, { recursive: true, force: true })) };
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    await stop();
    if (attempt >= 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('the refusing dnsmasq did not start');
    }
  }
}

async function check(domain: string, opts: Record<string, unknown>): Promise<{ code: number; report: DnsCheckReport }> {
  const out = sink();
  const err = sink();
  const code = await runDnsCheckCommand(domain, { ...opts, dnsServer: dns.server, json: true }, { stdout: out.stream, stderr: err.stream });
  expect(err.text()).toBe('');
  return { code, report: DnsCheckReportSchema.parse(JSON.parse(out.text())) };
}

const row = (r: DnsCheckReport, kind: DnsRecordCheck['kind'], name?: string): DnsRecordCheck => {
  const found = r.records.find((x) => x.kind === kind && (name === undefined || x.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} row in ${JSON.stringify(r.records.map((x) => [x.kind, x.name]))}`);
  return found;
};

describe('dns-check against dnsmasq', () => {
  beforeAll(async () => {
    dns = await startDnsmasq(ZONE);
  });
  afterAll(async () => {
    await dns?.stop();
  });

  it('after a complete cut-over: MX, SPF, DKIM, DMARC ok, ready, exit 0; autoconfig names what is wrong', async () => {
    const { code, report } = await check('ready.test', { targetProvider: 'tencent', oldProvider: 'aliyun' });
    expect(report).toMatchObject({ domain: 'ready.test', targetProvider: 'tencent', oldProvider: 'aliyun', mxOnTarget: true, ready: true });
    expect(code).toBe(0);
    expect(row(report, 'MX')).toMatchObject({ status: 'ok', found: ['5 mxbiz1.qq.com', '10 mxbiz2.qq.com'] });
    // The unrelated TXT record is not counted as SPF.
    expect(row(report, 'SPF')).toMatchObject({ status: 'ok', found: ['v=spf1 include:spf.mail.qq.com ~all'] });
    expect(row(report, 'DKIM')).toMatchObject({ status: 'ok', name: 'default._domainkey.ready.test' });
    expect(row(report, 'DMARC').status).toBe('ok');
    expect(row(report, 'AUTOCONFIG', 'imap.ready.test').status).toBe('ok');
    const smtp = row(report, 'AUTOCONFIG', 'smtp.ready.test');
    expect(smtp).toMatchObject({ status: 'wrong', found: ['smtp.aliyun-old.test'] });
    expect(smtp.fix.zh).toContain('主机记录 smtp，记录类型 CNAME，记录值 smtp.exmail.qq.com');
  });

  it('two SPF records: conflict, fixed by one merged record with each include once', async () => {
    const { code, report } = await check('two-spf.test', { targetProvider: 'tencent' });
    const spf = row(report, 'SPF');
    expect(spf.status).toBe('conflict');
    expect(spf.found).toHaveLength(2);
    expect(spf.add).toEqual([{ host: '@', type: 'TXT', value: 'v=spf1 include:spf.mail.qq.com include:spf.qiye.aliyun.com ~all', priority: null, ttl: 600 }]);
    expect(spf.fix.zh).toContain('2 条 SPF 记录');
    expect(spf.fix.en).toContain('permerror');
    expect(report.ready).toBe(false);
    expect(code).toBe(1);
  });

  it('old and new MX mixed: conflict, not on the target, the old hosts named in the fix', async () => {
    const { code, report } = await check('mixed-mx.test', { targetProvider: 'tencent', oldProvider: 'aliyun' });
    const m = row(report, 'MX');
    expect(m.status).toBe('conflict');
    expect(m.fix.zh).toContain('mx1.qiye.aliyun.com');
    expect(m.fix.en).toContain('Alibaba Mail');
    expect(report.mxOnTarget).toBe(false);
    expect(code).toBe(1);
  });

  it('before the switch: MX wrong with the records to add; the old include is fine then; p=reject without DKIM warns; DKIM missing', async () => {
    const { report } = await check('before.test', { targetProvider: 'tencent', oldProvider: 'aliyun' });
    const m = row(report, 'MX');
    expect(m.status).toBe('wrong');
    expect(m.add.map((a) => [a.host, a.type, a.value, a.priority])).toEqual([
      ['@', 'MX', 'mxbiz1.qq.com', 5],
      ['@', 'MX', 'mxbiz2.qq.com', 10],
    ]);
    expect(m.fix.zh).toContain('主机记录 @，记录类型 MX，记录值 mxbiz1.qq.com，优先级 5，TTL 600');
    expect(m.fix.en).toContain('Host @, Type MX, Value mxbiz1.qq.com, Priority 5, TTL 600');
    // The harness serves every record with TTL 300: the old MX's TTL is read and named in the fix.
    expect(m.ttl).toBe(300);
    expect(m.fix.en).toContain('The current MX TTL is 300 s');
    expect(row(report, 'SPF').ttl).toBe(300);
    expect(row(report, 'DMARC').ttl).toBeNull();
    expect(row(report, 'SPF').status).toBe('ok');
    expect(row(report, 'DKIM').status).toBe('missing');
    const dmarc = row(report, 'DMARC');
    expect(dmarc.status).toBe('warning');
    expect(dmarc.fix.en).toContain('p=reject');
    expect(dmarc.fix.en).toContain('DKIM');
  });

  it('after the switch the old provider\'s include is a warning (also without --old-provider); p=quarantine with DKIM ok is fine', async () => {
    const withOld = await check('after-old.test', { targetProvider: 'tencent', oldProvider: 'aliyun' });
    const spf = row(withOld.report, 'SPF');
    expect(spf.status).toBe('warning');
    expect(spf.fix.zh).toContain('spf.qiye.aliyun.com');
    expect(spf.fix.en).toContain('Alibaba Mail');
    expect(row(withOld.report, 'DMARC').status).toBe('ok');
    // ready needs SPF ok: the stale include is to be removed.
    expect(withOld.report.ready).toBe(false);
    const inferred = await check('after-old.test', { targetProvider: 'tencent' });
    expect(row(inferred.report, 'SPF').status).toBe('warning');
    expect(inferred.report.oldProvider).toBeNull();
  });

  it('more than 10 DNS lookups (counted by mailauth): warning with the count', async () => {
    const { report } = await check('lookups.test', { targetProvider: 'tencent' });
    const spf = row(report, 'SPF');
    expect(spf.status).toBe('warning');
    expect(spf.fix.en).toContain('12 DNS lookups');
    expect(spf.fix.zh).toContain('12 次');
  });

  it('the target reached through a nested include is ok; a record without it is wrong and gets the include added', async () => {
    expect(row((await check('nested.test', { targetProvider: 'tencent' })).report, 'SPF').status).toBe('ok');
    const spf = row((await check('no-target.test', { targetProvider: 'tencent' })).report, 'SPF');
    expect(spf.status).toBe('wrong');
    expect(spf.add[0]?.value).toBe('v=spf1 include:spf.mail.qq.com include:spf.qiye.aliyun.com -all');
    expect(spf.fix.zh).toContain('不要新增第二条');
  });

  it('only MX published: SPF, DKIM and DMARC missing, with the records to add', async () => {
    const { code, report } = await check('bare.test', { targetProvider: 'tencent' });
    expect(row(report, 'MX').status).toBe('ok');
    expect(row(report, 'SPF')).toMatchObject({ status: 'missing', add: [{ host: '@', type: 'TXT', value: 'v=spf1 include:spf.mail.qq.com ~all', priority: null, ttl: 600 }] });
    expect(row(report, 'DKIM').status).toBe('missing');
    expect(row(report, 'DMARC')).toMatchObject({ status: 'missing', add: [{ host: '_dmarc', type: 'TXT', value: 'v=DMARC1; p=none; rua=mailto:postmaster@bare.test' }] });
    expect(report.mxOnTarget).toBe(true);
    expect(report.ready).toBe(false);
    expect(code).toBe(1);
  });

  it('Microsoft 365: tenant MX ok, both DKIM selectors required (selector2 into another provider is wrong), autodiscover ok', async () => {
    const { report } = await check('m365.test', { targetProvider: 'm365' });
    expect(report.targetProvider).toBe('outlook');
    expect(row(report, 'MX')).toMatchObject({ status: 'ok', expected: ['0 m365-test.mail.protection.outlook.com'] });
    expect(row(report, 'SPF').status).toBe('ok');
    expect(row(report, 'DKIM', 'selector1._domainkey.m365.test').status).toBe('ok');
    const s2 = row(report, 'DKIM', 'selector2._domainkey.m365.test');
    expect(s2.status).toBe('wrong');
    expect(s2.fix.en).toContain('dkim.old-provider.test');
    expect(row(report, 'AUTOCONFIG', 'autodiscover.m365.test').status).toBe('ok');
    expect(report.ready).toBe(false);
  });

  it('--dkim-selector checks that selector only: a revoked key (empty p=) is wrong', async () => {
    const { report } = await check('ready.test', { targetProvider: 'tencent', dkimSelector: 'revoked' });
    const dkim = report.records.filter((r) => r.kind === 'DKIM');
    expect(dkim).toHaveLength(1);
    expect(dkim[0]).toMatchObject({ name: 'revoked._domainkey.ready.test', status: 'wrong' });
    expect(report.ready).toBe(false);
  });

  it('a DNS server that does not answer is reported as such (exit 1), not as missing records; --json still prints one document', async () => {
    const silent = `127.0.0.1:${await getFreePort()}`; // nothing listens there
    for (const json of [false, true]) {
      const out = sink();
      const err = sink();
      const code = await runDnsCheckCommand('ready.test', { targetProvider: 'exmail', dnsServer: silent, json }, { stdout: out.stream, stderr: err.stream });
      expect(code).toBe(1);
      expect(err.text()).toMatch(/DNS query MX ready\.test failed: E[A-Z]+ \(DNS server 127\.0\.0\.1:\d+\); nothing was checked/);
      expect(err.text()).toContain('What to do: ');
      if (!json) {
        expect(out.text()).toBe('');
        continue;
      }
      // The same keys as a report (nothing checked, not ready) plus test-connection's error shape.
      const doc = DnsCheckFailureSchema.parse(JSON.parse(out.text()));
      expect(doc).toMatchObject({ domain: 'ready.test', targetProvider: 'tencent', oldProvider: null, records: [], ready: false, mxOnTarget: false });
      expect(doc.error).toMatchObject({ code: 'DNS_FAILED', transient: true, dnsServer: silent, query: { name: 'ready.test', type: 'MX' } });
      expect(doc.error.message).toMatch(/^DNS query MX ready\.test failed: E[A-Z]+ \(DNS server 127\.0\.0\.1:\d+\); nothing was checked$/);
      expect(doc.error.remedy.en).toContain(silent);
      expect(doc.error.remedy.zh).toContain(silent);
    }
  });

  it('SPF: an include whose name answers no SPF record is named; the target\'s include there leaves the record right, with no "fix" repeating it', async () => {
    const { report } = await check('dead-target-include.test', { targetProvider: 'tencent' });
    const spf = row(report, 'SPF');
    expect(spf.status).toBe('warning');
    expect(spf.add).toEqual([]);
    expect(spf.fix.en).toContain('spf.exmail.qq.com has no SPF record');
    expect(spf.fix.en).toContain('The SPF record itself is right');
    expect(spf.fix.en).not.toContain('Correct it to');
    expect(spf.fix.en).not.toContain('v=spf1 include:spf.exmail.qq.com ~all');
    expect(spf.fix.zh).toContain('SPF 记录本身正确');
    expect(spf.fix.zh).toContain('spf.exmail.qq.com 没有 SPF 记录');
    expect(report.ready).toBe(false);
  });

  it('SPF: a mistyped include of the record\'s own without an SPF record is wrong, and the proposed record drops it', async () => {
    const { report } = await check('dead-own-include.test', { targetProvider: 'tencent' });
    const spf = row(report, 'SPF');
    expect(spf.status).toBe('wrong');
    expect(spf.fix.en).toContain('spf.mycorp-typo.test has no SPF record');
    expect(spf.fix.en).toContain('Remove or correct the term naming spf.mycorp-typo.test');
    expect(spf.add).toEqual([{ host: '@', type: 'TXT', value: 'v=spf1 include:spf.mail.qq.com ~all', priority: null, ttl: 600 }]);
    expect(spf.add[0]!.value).not.toBe(spf.found[0]);
  });

  it('SPF: a record broken in itself that has the target\'s include is wrong, naming the fault, without a "fix" identical to it', async () => {
    const spf = row((await check('bad-term.test', { targetProvider: 'tencent' })).report, 'SPF');
    expect(spf).toMatchObject({ status: 'wrong', add: [] });
    expect(spf.fix.en).toContain('Unknown mechanism foo');
    expect(spf.fix.en).toContain("It already has Tencent Exmail's include:spf.mail.qq.com");
  });

  it('SPF: a lookup an include leads to that the DNS server refuses (temperror) is a DNS failure naming that name, not an error in the record', async () => {
    const refusing = await startRefusingDnsmasq();
    try {
      const out = sink();
      const err = sink();
      const code = await runDnsCheckCommand('temp-include.test', { targetProvider: 'tencent', dnsServer: refusing.server, json: true }, { stdout: out.stream, stderr: err.stream });
      expect(code).toBe(1);
      const doc = DnsCheckFailureSchema.parse(JSON.parse(out.text()));
      expect(doc.error).toMatchObject({ code: 'DNS_FAILED', query: { name: '_spf.refused.test', type: 'TXT', code: 'EREFUSED' } });
      expect(err.text()).toContain(`DNS query TXT _spf.refused.test failed: EREFUSED (DNS server ${refusing.server}); nothing was checked`);
      expect(out.text()).not.toContain('Correct it to');
    } finally {
      await refusing.stop();
    }
  });

  it('a domain that does not exist (NXDOMAIN) is said to be so, instead of a list of records to add; a name with TXT but no MX still exists', async () => {
    for (const json of [false, true]) {
      const out = sink();
      const err = sink();
      const code = await runDnsCheckCommand('nonexistent-domain-xyz.invalid', { targetProvider: 'aliyun', dnsServer: dns.server, json }, { stdout: out.stream, stderr: err.stream });
      expect(code).toBe(1);
      expect(err.text()).toContain('mailmover-bridge: nonexistent-domain-xyz.invalid does not exist in DNS (NXDOMAIN): check its spelling');
      expect(err.text()).toContain('域名 nonexistent-domain-xyz.invalid 在 DNS 中不存在');
      expect(out.text()).not.toContain('MISSING');
      if (json) {
        const doc = DnsCheckFailureSchema.parse(JSON.parse(out.text()));
        expect(doc).toMatchObject({ domain: 'nonexistent-domain-xyz.invalid', targetProvider: 'aliyun', records: [], ready: false });
        expect(doc.error).toMatchObject({ code: 'DOMAIN_NOT_FOUND', transient: false, query: { name: 'nonexistent-domain-xyz.invalid', code: 'ENOTFOUND' } });
      } else {
        expect(out.text()).toBe('');
      }
    }
    // NXDOMAIN of _dmarc.<domain> and the selector names is the record missing, as before.
    const { report } = await check('txt-only.test', { targetProvider: 'tencent' });
    expect(row(report, 'MX').status).toBe('missing');
    expect(row(report, 'SPF').status).toBe('ok');
    expect(row(report, 'DMARC').status).toBe('missing');
    expect(row(report, 'DKIM').status).toBe('missing');
  });

  it('usage errors are UsageError (exit 2 in main)', async () => {
    await expect(check('not a domain', { targetProvider: 'tencent' })).rejects.toThrow(UsageError);
    // Refused before any query, naming the domain (the resolver's EBADNAME would blame the DNS server).
    for (const bad of ['.example.com', 'example..com']) {
      await expect(check(bad, { targetProvider: 'tencent' })).rejects.toThrow(new UsageError(`DOMAIN: "${bad}" is not a domain name: it has an empty label (a leading dot or "..")`));
    }
    await expect(check(`${'a'.repeat(64)}.example.com`, { targetProvider: 'tencent' })).rejects.toThrow(/is not a DNS label/);
    await expect(check('ready.test', { targetProvider: 'nosuch' })).rejects.toThrow(/--target-provider: no DNS expectations for "nosuch"/);
    await expect(runDnsCheckCommand('ready.test', { targetProvider: 'tencent', dnsServer: 'dns.example:53' }, { stdout: sink().stream, stderr: sink().stream })).rejects.toThrow(/--dns-server/);
  });

  it('the real CLI process: exit 0 with one JSON document, 1 when something needs fixing; 2 for usage errors (in this process)', async () => {
    const [ready, mixed, human, noTarget, badProvider, badDomain] = await Promise.all([
      runCli(['ready.test', '--target-provider', 'exmail', '--dns-server', dns.server, '--json'], { command: 'dns-check', timeoutMs: 60_000 }),
      runCli(['mixed-mx.test', '--target-provider', 'tencent', '--old-provider', 'aliyun', '--dns-server', dns.server, '--json'], { command: 'dns-check', timeoutMs: 60_000 }),
      runCli(['mixed-mx.test', '--target-provider', 'tencent', '--dns-server', dns.server], { command: 'dns-check', timeoutMs: 60_000 }),
      runCliInProcess(['ready.test', '--dns-server', dns.server], { command: 'dns-check', timeoutMs: 60_000 }),
      runCliInProcess(['ready.test', '--target-provider', 'yahoo', '--dns-server', dns.server], { command: 'dns-check', timeoutMs: 60_000 }),
      runCliInProcess(['.example.com', '--target-provider', 'tencent', '--dns-server', dns.server], { command: 'dns-check', timeoutMs: 60_000 }),
    ]);
    expect(ready.code, ready.stderr).toBe(0);
    const doc = JSON.parse(ready.stdout);
    expect(Object.keys(doc).sort()).toEqual(['checkedAt', 'domain', 'mxOnTarget', 'oldProvider', 'ready', 'records', 'targetProvider']);
    expect(DnsCheckReportSchema.parse(doc)).toMatchObject({ ready: true, mxOnTarget: true, oldProvider: null });
    for (const r of doc.records) expect(Object.keys(r)).toEqual(expect.arrayContaining(['kind', 'status', 'found', 'expected', 'ttl', 'fix']));
    expect(mixed.code).toBe(1);
    expect(JSON.parse(mixed.stdout).records[0]).toMatchObject({ kind: 'MX', status: 'conflict' });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('[CONFLICT 冲突] MX mixed-mx.test');
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--target-provider');
    expect(badProvider.code).toBe(2);
    expect(badProvider.stderr).toContain('no DNS expectations for "yahoo"');
    expect(badDomain.code).toBe(2);
    expect(badDomain.stderr).toContain('DOMAIN: ".example.com" is not a domain name');
    expect(badDomain.stderr).not.toContain('EBADNAME');
  });
});
