/**
 * End-to-end: the cut-over (切换) step of the job page in Debian's Chromium with the built
 * extension, the real bridge (a child process asking a dnsmasq on loopback for every DNS query,
 * MAILMOVER_DNS_SERVER) and two Dovecots. The zone has MX already on the new provider while an
 * account has not had its first pass: the page must shout (role=alert). The DNS table shows MX
 * ok, SPF wrong with the record to paste (copied to the clipboard by its button), DKIM missing;
 * a checklist tick survives a reload; the step reads in Chinese after switching the language;
 * after the account's first pass the alert goes away. Screenshots go to SCREENSHOTS.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator } from '../../extension/i18n';
import { startDnsmasq, type Dnsmasq, type ZoneRecord } from '../harness/dnsmasq';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { seedFolder } from '../harness/mailbox';
import { BridgeClient, pair } from '../support/bridge-client';
import { bulkMessages } from '../support/corpus';
import { BridgeProcess, CHROMIUM, SCREENSHOTS, ensureExtensionBuilt, launchWithExtension, pairInPopup, setBridgePort } from './support/browser';

const SRC: DovecotUser = { user: 'li.lei@e2e-cut.test', password: 'Old-Cut-Pw-31' };
const TGT: DovecotUser = { user: 'li.lei@new.e2e-cut.test', password: 'New-Cut-Pw-42' };
const ZONE: ZoneRecord[] = [
  { type: 'TXT', name: 'spf.mail.qq.com', value: 'v=spf1 ip4:203.0.113.0/26 -all' },
  { type: 'TXT', name: 'spf.qiye.aliyun.com', value: 'v=spf1 ip4:203.0.113.64/26 -all' },
  // MX switched already, SPF still the old provider's only, no DKIM: the too-early switch that loses mail.
  { type: 'MX', name: 'e2e-cut.test', host: 'mxbiz1.qq.com', priority: 5 },
  { type: 'MX', name: 'e2e-cut.test', host: 'mxbiz2.qq.com', priority: 10 },
  { type: 'TXT', name: 'e2e-cut.test', value: 'v=spf1 include:spf.qiye.aliyun.com -all' },
];
const SPF_FIXED = 'v=spf1 include:spf.mail.qq.com include:spf.qiye.aliyun.com -all';
const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');

describe('cut-over step in the dashboard', () => {
  let dns: Dnsmasq;
  let src: DovecotServer;
  let tgt: DovecotServer;
  let bridge: BridgeProcess;
  let stateDir: string;
  let firstCode: string;
  let client: BridgeClient;
  let jobId: string;
  let accountId: string;
  let context: BrowserContext;
  let worker: Worker;
  let userDataDir: string;
  let page: Page;
  const en = translator('en');
  const zh = translator('zh-CN');

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    [dns, src, tgt] = await Promise.all([startDnsmasq(ZONE), startDovecot({ name: 'e2e-cut-src', users: [SRC] }), startDovecot({ name: 'e2e-cut-tgt', users: [TGT] })]);
    await seedFolder(src, SRC, 'INBOX', bulkMessages(3, 51, { prefix: 'cut' }));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-cutover-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir, { MAILMOVER_DNS_SERVER: dns.server });
    firstCode = await bridge.start();
    // The job is made by a scripted client (the wizard has its own e2e test); the page shows it.
    const { token } = await pair(bridge.port, bridge.pairCode());
    client = await BridgeClient.connect(bridge.port, token);
    const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
    const { job } = await client.request('job.create', { name: 'Cut-over e2e', source: { protocol: 'imap', ...plain(src.imapPort) }, target: plain(tgt.imapPort) });
    jobId = job.id;
    const imported = await client.request('accounts.import', {
      jobId,
      mode: 'admin-with-passwords',
      autoStart: false,
      csvBase64: csv(['source,target,source_password,target_password', `${SRC.user},${TGT.user},${SRC.password},${TGT.password}`]),
    });
    accountId = imported.accounts[0]!.id;
    ({ context, worker, userDataDir } = await launchWithExtension('en-US'));
    await setBridgePort(worker, bridge.port);
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    client?.close();
    await bridge?.stop();
    await Promise.all([dns?.stop(), src?.stop(), tgt?.stop()]);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('pairs, enters the domain, and warns loudly that MX moved before the first pass', async () => {
    await pairInPopup(context, EXTENSION_ID, firstCode, { code: en('pairCodeLabel'), button: en('pairButton') });

    page = await context.newPage();
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}`);
    await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 20_000 });
    const step = page.getByTestId('cutover');
    await step.waitFor({ timeout: 20_000 });
    await expect.poll(() => step.getAttribute('data-stage'), { timeout: 10_000 }).toBe('unset');
    await step.locator('[name=cutover-domains]').fill('e2e-cut.test');
    await step.locator('[name=cutover-target]').selectOption('tencent');
    await step.locator('[name=cutover-old]').selectOption('aliyun');
    await step.locator('[name=cutover-quiet-hours]').fill('48');
    await step.getByTestId('cutover-save').click();
    await step.getByTestId('dns-report').waitFor({ timeout: 30_000 });

    const alert = step.getByTestId('cutover-early-mx');
    await alert.waitFor();
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.innerText()).toContain(en('cutoverEarlyMx', { pending: 1 }));
    expect(await step.getAttribute('data-stage')).toBe('switched');
    expect((await client.request('cutover.get', { jobId })).cutover?.config).toMatchObject({ domains: ['e2e-cut.test'], targetProvider: 'tencent', oldProvider: 'aliyun', quietHours: 48 });
    const status = (kind: string) => step.locator(`[data-testid="dns-row"][data-kind="${kind}"]`).first().getAttribute('data-status');
    expect(await status('MX')).toBe('ok');
    expect(await status('SPF')).toBe('wrong');
    expect(await status('DKIM')).toBe('missing');
    const spfRow = step.locator('[data-testid="dns-row"][data-kind="SPF"]');
    expect(await spfRow.getByTestId('dns-add-value').innerText()).toBe(SPF_FIXED);
    expect(await spfRow.innerText()).toContain(`${en('dnsHost')} @`);
    // What the copy button hands to the clipboard (headless Chromium grants no clipboard reads to extension pages).
    await page.evaluate(() => {
      const w = window as unknown as { copied: string[] };
      w.copied = [];
      navigator.clipboard.writeText = async (text: string) => void w.copied.push(text);
    });
    await spfRow.getByTestId('dns-copy').click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { copied: string[] }).copied), { timeout: 5_000 }).toEqual([SPF_FIXED]);
    expect(await spfRow.getByTestId('dns-copy').innerText()).toBe(en('dnsCopied'));
    expect(await step.getByTestId('client-settings').innerText()).toContain('imap.exmail.qq.com');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'cutover-early-mx-en.png'), fullPage: true });
  }, 120_000);

  it('keeps a checklist tick over a reload, and reads in Chinese', async () => {
    const box = page.locator('[name="checklist-aliases-rebuilt"]');
    // A controlled box: it shows the bridge's state, so it turns checked once the bridge has stored the tick.
    await box.click();
    await expect.poll(() => box.isChecked(), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await client.request('cutover.get', { jobId })).cutover?.checklist['aliases-rebuilt'] ?? null, { timeout: 10_000 }).not.toBeNull();
    await page.reload();
    await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('dns-report').waitFor({ timeout: 20_000 });
    expect(await page.locator('[name="checklist-aliases-rebuilt"]').isChecked()).toBe(true);

    await page.getByLabel(en('language')).selectOption('zh-CN');
    const step = page.getByTestId('cutover');
    await step.getByRole('heading', { name: zh('cutoverTitle') }).waitFor();
    expect(await step.getByTestId('cutover-early-mx').innerText()).toContain(zh('cutoverEarlyMx', { pending: 1 }));
    const spfRow = step.locator('[data-testid="dns-row"][data-kind="SPF"]');
    expect(await spfRow.innerText()).toContain(zh('dnsStatus_wrong'));
    expect(await spfRow.getByTestId('dns-fix').innerText()).toContain('主机记录 @，记录类型 TXT');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'cutover-early-mx-zh.png'), fullPage: true });
  }, 60_000);

  it('the alert goes once the first pass is done', async () => {
    await client.request('account.start', { accountIds: [accountId] });
    await client.request('subscribe', { jobId });
    await client.waitForEvent('account.status', (d) => d.account.id === accountId && d.account.firstPassDoneAt !== null, 60_000);
    await page.getByTestId('cutover-check').click();
    await page.getByTestId('cutover-early-mx').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.getByTestId('cutover').getAttribute('data-stage')).toBe('switched');
  }, 90_000);
});
