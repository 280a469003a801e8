/**
 * The cut-over (切换) in the bridge service, with a real DNS server (dnsmasq) whose zone changes
 * under a running job, real Dovecot source and target, and the bridge over its WebSocket:
 * - before the switch: MX still on the old provider, stage "prepare" while an account has not had
 *   its first pass;
 * - the zone is switched (dnsmasq restarted with the new records) and the periodic check (1 s
 *   here) sees MX on the target: the time is recorded, early MX is flagged while an account's
 *   first pass is pending, the window of an account past its first pass is extended to 7 days
 *   from the switch, syncing or paused;
 * - a message delivered to the old server after the switch is copied by the incremental pass and
 *   counted for its account; a short quiet period then proposes closing the sync window;
 * - the checklist is kept in the job.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/server/bridge';
import type { AccountView } from '../../shared/protocol/account';
import { CutoverViewSchema, type CutoverView } from '../../shared/protocol/cutover';
import { startDnsmasq, type Dnsmasq, type ZoneRecord } from '../harness/dnsmasq';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import type { BridgeClient } from '../support/bridge-client';
import { startPairedBridge } from '../support/paired-bridge';
import { bulkMessages } from '../support/corpus';

const src = {
  sam: { user: 'sam@cut.test', password: 'Sam-Old-Pw-1234' },
  pat: { user: 'pat@cut.test', password: 'Pat-Old-Pw-5678' },
  kim: { user: 'kim@cut.test', password: 'Kim-Old-Pw-9012' },
};
const tgt = {
  sam: { user: 'sam@new.cut.test', password: 'Sam-New-Pw-1234' },
  pat: { user: 'pat@new.cut.test', password: 'Pat-New-Pw-5678' },
  kim: { user: 'kim@new.cut.test', password: 'Kim-New-Pw-9012' },
};
const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');
const TWO_SECONDS = 2 / 60;

const PROVIDERS: ZoneRecord[] = [
  { type: 'TXT', name: 'spf.mail.qq.com', value: 'v=spf1 ip4:203.0.113.0/26 -all' },
  { type: 'TXT', name: 'spf.qiye.aliyun.com', value: 'v=spf1 ip4:203.0.113.64/26 -all' },
];
const BEFORE: ZoneRecord[] = [
  ...PROVIDERS,
  { type: 'MX', name: 'cut.test', host: 'mx1.qiye.aliyun.com', priority: 5 },
  { type: 'MX', name: 'cut.test', host: 'mx2.qiye.aliyun.com', priority: 10 },
  { type: 'TXT', name: 'cut.test', value: 'v=spf1 include:spf.qiye.aliyun.com -all' },
];
const AFTER: ZoneRecord[] = [
  ...PROVIDERS,
  { type: 'MX', name: 'cut.test', host: 'mxbiz1.qq.com', priority: 5 },
  { type: 'MX', name: 'cut.test', host: 'mxbiz2.qq.com', priority: 10 },
  { type: 'TXT', name: 'cut.test', value: 'v=spf1 include:spf.mail.qq.com -all' },
  { type: 'TXT', name: 'default._domainkey.cut.test', value: 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7' },
  { type: 'TXT', name: '_dmarc.cut.test', value: 'v=DMARC1; p=none' },
];

describe('bridge: cut-over state follows the zone', () => {
  let dns: Dnsmasq;
  let source: DovecotServer;
  let target: DovecotServer;
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;
  let jobId: string;
  let sam: AccountView;
  let pat: AccountView;
  let kim: AccountView;

  const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
  const status = (id: string, pred: (a: AccountView) => boolean, timeoutMs = 60_000) =>
    c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), timeoutMs).then((d) => d.account);
  const cutoverEvent = (pred: (v: CutoverView) => boolean, timeoutMs = 20_000) =>
    c.waitForEvent('job.cutover', (d) => d.cutover.jobId === jobId && pred(d.cutover), timeoutMs).then((d) => CutoverViewSchema.parse(d.cutover));

  beforeAll(async () => {
    [dns, source, target] = await Promise.all([
      startDnsmasq(BEFORE),
      startDovecot({ name: 'cut-src', users: Object.values(src) }),
      startDovecot({ name: 'cut-tgt', users: Object.values(tgt) }),
    ]);
    await Promise.all([
      seedFolder(source, src.sam, 'INBOX', bulkMessages(4, 41, { prefix: 's' })),
      seedFolder(source, src.pat, 'INBOX', bulkMessages(2, 42, { prefix: 'p' })),
      seedFolder(source, src.kim, 'INBOX', bulkMessages(1, 44, { prefix: 'k' })),
    ]);
    ({ dir, bridge, c } = await startPairedBridge('mailmover-cutover-', { cutover: { intervalMs: 1000, dnsServer: dns.server } }));
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    await Promise.all([dns?.stop(), source?.stop(), target?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('before the switch: MX on the old provider, stage prepare while an account waits for its first pass', async () => {
    const { job } = await c.request('job.create', { name: 'cut', source: { protocol: 'imap', ...plain(source.imapPort) }, target: plain(target.imapPort), incremental: { intervalMinutes: TWO_SECONDS, windowDays: 1 } });
    jobId = job.id;
    await expect(c.request('cutover.check', { jobId })).rejects.toMatchObject({ error: { code: 'CONFLICT' } });
    await expect(c.request('cutover.set', { jobId, domains: ['cut.test'], targetProvider: 'nosuch' })).rejects.toMatchObject({ error: { code: 'INVALID_PARAMS' } });
    sam = (await c.request('accounts.import', { jobId, mode: 'admin-with-passwords', csvBase64: csv(['source,target,source_password,target_password', `${src.sam.user},${tgt.sam.user},${src.sam.password},${tgt.sam.password}`]) })).accounts[0]!;
    // pat is imported but not started: its first pass is pending.
    pat = (await c.request('accounts.import', { jobId, mode: 'admin-with-passwords', autoStart: false, csvBase64: csv(['source,target,source_password,target_password', `${src.pat.user},${tgt.pat.user},${src.pat.password},${tgt.pat.password}`]) })).accounts[0]!;
    sam = await status(sam.id, (a) => a.status === 'syncing');
    // kim is past its first pass and paused when the zone switches.
    kim = (await c.request('accounts.import', { jobId, mode: 'admin-with-passwords', csvBase64: csv(['source,target,source_password,target_password', `${src.kim.user},${tgt.kim.user},${src.kim.password},${tgt.kim.password}`]) })).accounts[0]!;
    await status(kim.id, (a) => a.status === 'syncing');
    await c.request('account.pause', { accountIds: [kim.id] });
    kim = await status(kim.id, (a) => a.status === 'paused');

    const { cutover } = await c.request('cutover.set', { jobId, domains: ['Cut.Test'], targetProvider: 'exmail', oldProvider: 'aliyun' });
    expect(cutover.config).toMatchObject({ domains: ['cut.test'], targetProvider: 'exmail', oldProvider: 'aliyun', quietHours: 72 });
    expect(cutover).toMatchObject({ mxOnTarget: false, mxOnTargetAt: null, earlyMx: false, stage: 'prepare', pendingFirstPass: 1, closeProposed: false, checkError: null });
    const report = cutover.reports[0]!;
    expect(report.records.find((r) => r.kind === 'MX')).toMatchObject({ status: 'wrong', found: ['5 mx1.qiye.aliyun.com', '10 mx2.qiye.aliyun.com'] });
    expect(report.records.find((r) => r.kind === 'SPF')?.status).toBe('wrong');
    expect(report.ready).toBe(false);
  });

  it('the zone switches under the running job: the periodic check records MX on the target, flags early MX, extends the sync window', async () => {
    const windowBefore = Date.parse(sam.syncEndsAt!);
    expect(windowBefore - Date.now()).toBeLessThan(86_400_000 + 5_000);
    const tSwitch = Date.now();
    await dns.restart(AFTER);
    const switched = await cutoverEvent((v) => v.mxOnTarget);
    expect(switched.stage).toBe('switched');
    expect(switched.earlyMx).toBe(true);
    expect(Date.parse(switched.mxOnTargetAt!)).toBeGreaterThanOrEqual(tSwitch - 1000);
    expect(switched.reports[0]).toMatchObject({ ready: true, mxOnTarget: true });
    // The harness serves TTL 300: the old MX's, seen before the switch, is kept.
    expect(switched.oldMxTtl).toBe(300);
    const { account } = await c.request('account.get', { accountId: sam.id });
    expect(Date.parse(account.syncEndsAt!)).toBeGreaterThan(tSwitch + 6.9 * 86_400_000);
    const paused = (await c.request('account.get', { accountId: kim.id })).account;
    expect(paused.status).toBe('paused');
    expect(Date.parse(paused.syncEndsAt!)).toBeGreaterThan(tSwitch + 6.9 * 86_400_000);

    // pat's first pass ends: no more early MX.
    await c.request('account.start', { accountIds: [pat.id] });
    await status(pat.id, (a) => a.status === 'syncing');
    const settled = await cutoverEvent((v) => !v.earlyMx && v.pendingFirstPass === 0);
    expect(settled.mxOnTargetAt).toBe(switched.mxOnTargetAt);
  });

  it('mail that reached the old server after the switch is copied and counted per account; quiet then proposes closing', async () => {
    await seedFolder(source, src.sam, 'INBOX', bulkMessages(1, 43, { prefix: 'late' }));
    await status(sam.id, (a) => a.counters.messagesSyncedSinceFirstPass === 1, 20_000);
    const counted = await cutoverEvent((v) => v.accounts.some((a) => a.accountId === sam.id && a.arrivedAfterSwitch === 1));
    const samRow = counted.accounts.find((a) => a.accountId === sam.id)!;
    expect(samRow.lastArrivalAt).not.toBeNull();
    expect(counted.accounts.find((a) => a.accountId === pat.id)).toMatchObject({ arrivedAfterSwitch: 0, lastArrivalAt: null });
    expect(counted.closeProposed).toBe(false);
    expect(await readFolder(target, tgt.sam, 'INBOX')).toHaveLength(5);

    // A 2-second quiet period. kim is still paused: its old mailbox is not being looked at, so
    // nothing arriving for it proves nothing, and closing is not proposed.
    await c.request('cutover.set', { jobId, domains: ['cut.test'], targetProvider: 'tencent', oldProvider: 'aliyun', quietHours: 2 / 3600 });
    await new Promise((r) => setTimeout(r, 5_000));
    const waiting = (await c.request('cutover.check', { jobId })).cutover;
    expect(waiting.closeProposed, 'proposed while an account was not syncing').toBe(false);
    expect(waiting.stage).toBe('switched');
    // kim syncs again: once every account has looked at its old mailbox after a quiet period, closing the window is proposed (not done).
    await c.request('account.start', { accountIds: [kim.id] });
    await status(kim.id, (a) => a.status === 'syncing' && a.lastSyncAt !== null && Date.parse(a.lastSyncAt) > Date.now() - 1_000, 20_000);
    const quiet = await cutoverEvent((v) => v.closeProposed);
    expect(quiet.stage).toBe('quiet');
    expect(quiet.mxOnTargetAt).toBe(counted.mxOnTargetAt);
    const { account } = await c.request('account.get', { accountId: sam.id });
    expect(account.status).toBe('syncing');
  });

  it('the after-switch checklist is ticked and kept', async () => {
    const { cutover } = await c.request('cutover.checklist', { jobId, item: 'aliases-rebuilt', done: true });
    expect(Date.parse(cutover.checklist['aliases-rebuilt']!)).toBeGreaterThan(0);
    const again = await c.request('cutover.get', { jobId });
    expect(again.cutover?.checklist['aliases-rebuilt']).toBe(cutover.checklist['aliases-rebuilt']);
    const undone = await c.request('cutover.checklist', { jobId, item: 'aliases-rebuilt', done: false });
    expect(undone.cutover.checklist['aliases-rebuilt']).toBeNull();
    await expect(c.request('cutover.checklist', { jobId, item: 'no-such-item' as never, done: true })).rejects.toMatchObject({ error: { code: 'INVALID_PARAMS' } });
  });
});
