/**
 * End-to-end (issue 15): the popup finds a bridge on a non-default port from the pairing line it
 * printed (K7QM-2XPR@<port>), and during a migration the monitor's row, the details drawer and
 * the job summary agree at every poll; the total is the whole mailbox's from the planning step
 * on, and once the pass ends the row shows the bridge's final figures without speed or ETA.
 * Real bridge (child process on a free port, never 7878), two Dovecots, Debian's Chromium.
 */
import { mkdtempSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { translator } from '../../extension/i18n';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { BridgeClient, pair } from '../support/bridge-client';
import { BridgeProcess, CHROMIUM, SCREENSHOTS, ensureExtensionBuilt, launchWithExtension, setBridgePort, tearDownSuite } from './support/browser';

const SRC: DovecotUser = { user: 'big@old.example.com', password: 'Old-pw-Big-4k' };
const TGT: DovecotUser = { user: 'big@new.example.com', password: 'New-pw-Big-9r' };
const FOLDERS = { INBOX: 240, Sent: 80, Archive: 80 };
const TOTAL = Object.values(FOLDERS).reduce((a, b) => a + b, 0);
const t = translator('zh-CN');

/** What the page shows at one moment, read in one evaluate so row, drawer and bar are of the same render. */
interface Seen {
  status: string | null;
  row: { done: number; total: number; speed: string } | null;
  drawer: { done: number; total: number } | null;
  bar: { done: number; total: number } | null;
}

async function look(page: Page, labels: { copied: string; present: string; total: string }): Promise<Seen> {
  return page.evaluate((l) => {
    const num = (s: string | null | undefined) => Number((s ?? '').replace(/[^\d]/g, ''));
    const pair = (text: string | null | undefined) => {
      const m = /([\d,]+) \/ ([\d,]+)/.exec(text ?? '');
      return m ? { done: num(m[1]), total: num(m[2]) } : null;
    };
    const row = document.querySelector<HTMLElement>('[data-testid="account-row"]');
    // Before the pass has counted the mailbox the row says so ("not counted yet"): no figures, 0 of 0.
    const uncounted = !!row?.querySelector('[data-testid="row-uncounted"]');
    const progress = uncounted ? '0 / 0' : row?.querySelector('.cell--progress .hint')?.textContent;
    const dd = (label: string) => {
      for (const dt of Array.from(document.querySelectorAll('[data-testid="details-drawer"] dl.kv dt'))) if (dt.textContent === label) return dt.nextElementSibling?.textContent;
      return undefined;
    };
    const drawerOpen = !!document.querySelector('[data-testid="details-drawer"]');
    return {
      status: row?.dataset.status ?? null,
      row: row && pair(progress) ? { ...pair(progress)!, speed: row.querySelector('.cell--speed')?.textContent ?? '' } : null,
      drawer: drawerOpen ? { done: num(dd(l.copied)) + num(dd(l.present)), total: num(dd(l.total)) } : null,
      bar: pair(document.querySelector('[data-testid="job-summary-figures"]')?.textContent),
    };
  }, labels);
}

describe('a bridge on another port, and the monitor during a migration', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let bridge: BridgeProcess;
  let code: string;
  let stateDir: string;
  let context: BrowserContext;
  let worker: Worker;
  let userDataDir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    [src, tgt] = await Promise.all([startDovecot({ name: 'e2e-progress-src', users: [SRC] }), startDovecot({ name: 'e2e-progress-tgt', users: [TGT] })]);
    let seed = 70;
    for (const [folder, n] of Object.entries(FOLDERS)) await seedFolder(src, SRC, folder, bulkMessages(n, seed++, { prefix: folder }));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-progress-'));
    let port = await getFreePort();
    while (port === DEFAULT_BRIDGE_PORT) port = await getFreePort();
    bridge = new BridgeProcess(port, stateDir);
    code = await bridge.start();
    ({ context, worker, userDataDir } = await launchWithExtension('zh-CN'));
  }, 240_000);

  afterAll(async () => {
    await tearDownSuite({ context, userDataDir, bridge, servers: [src, tgt], stateDir });
  });

  it('prints the port with the code, and the popup finds and pairs the bridge from that line', async () => {
    expect(bridge.output).toContain(`Pairing code: ${code}@${bridge.port} `);
    // The extension looks where nothing listens (as on 7878 when the bridge runs elsewhere).
    await setBridgePort(worker, await getFreePort());
    const popup = await context.newPage();
    await popup.setViewportSize({ width: 380, height: 640 });
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await popup.locator('[data-testid="bridge-status"][data-state="not-found"]').waitFor({ timeout: 20_000 });
    const line = `${code}@${bridge.port}`;
    await popup.getByLabel(t('notFoundPortLabel')).fill(line);
    // The extension keeps looking on the old port: through a retry (seen as a new next-attempt
    // time) the card stays and keeps what the admin typed (it once blinked to "checking" and lost it).
    const nextAttempt = () =>
      popup.evaluate(async () => {
        const chrome = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<{ result?: { nextAttemptAt?: string | null } }> } } }).chrome;
        return (await chrome.runtime.sendMessage({ kind: 'bridge.status' })).result?.nextAttemptAt ?? null;
      });
    const before = await nextAttempt();
    await expect.poll(nextAttempt, { timeout: 15_000 }).not.toBe(before);
    expect(await popup.getByLabel(t('notFoundPortLabel')).inputValue()).toBe(line);
    expect(await popup.locator('[data-testid="bridge-status"]').getAttribute('data-state')).toBe('not-found');
    await popup.screenshot({ path: path.join(SCREENSHOTS, 'popup-other-port-zh.png') });
    await popup.getByRole('button', { name: t('notFoundPortButton') }).click();
    await popup.locator('[data-testid="bridge-status"][data-state="connected"]').waitFor({ timeout: 30_000 });
    await popup.close();
  }, 90_000);

  it('row, drawer and summary agree at every poll; the total is known from planning; the end shows the final figures', async () => {
    const { token } = await pair(bridge.port, bridge.pairCode());
    const c = await BridgeClient.connect(bridge.port, token);
    const csv = Buffer.from(`source,target,source_password,target_password\n${SRC.user},${TGT.user},${SRC.password},${TGT.password}\n`).toString('base64');
    const server = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
    // Small batches on one connection: the pass takes long enough to be looked at many times.
    const created = await c.request('job.createWithAccounts', {
      name: 'progress e2e',
      source: { ...server(src.imapPort), protocol: 'imap' },
      target: server(tgt.imapPort),
      concurrency: 1,
      batchMessages: 4,
      accounts: [{ mode: 'admin-with-passwords', csvBase64: csv, autoStart: false }],
    });
    const jobId = created.job!.id;
    const page = await context.newPage();
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}`);
    const row = page.locator('[data-testid="account-row"]');
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: t('openDetails', { account: SRC.user }) }).click();
    await page.getByTestId('details-drawer').waitFor();

    const labels = { copied: t('messagesCopied'), present: t('messagesAlreadyPresent'), total: t('messagesTotal') };
    const seen: Seen[] = [];
    const accountId = created.imports[0]!.accounts[0]!.id;
    const started = await c.request('account.start', { accountIds: [accountId] });
    expect(started.results[0], JSON.stringify(started)).toMatchObject({ ok: true });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = await look(page, labels);
      seen.push(s);
      if (s.status === 'syncing' || s.status === 'first_pass_done' || s.status === 'failed' || Date.now() > deadline) break;
      await page.waitForTimeout(100);
    }
    const last = seen.at(-1)!;
    expect(last.status, JSON.stringify(seen.slice(-3))).toBe('syncing');
    const during = seen.filter((s) => s.row && s.row.done > 0 && s.row.done < TOTAL);
    expect(during.length, 'polls while copying').toBeGreaterThan(2);
    for (const s of seen) {
      // The list, the drawer and the summary bar read the same counters at every moment.
      expect(s.drawer, JSON.stringify(s)).toEqual({ done: s.row!.done, total: s.row!.total });
      expect(s.bar, JSON.stringify(s)).toEqual({ done: s.row!.done, total: s.row!.total });
      // The total is the whole mailbox's as soon as there is one (not the folders planned so far).
      if (s.row!.total > 0) expect(s.row!.total, JSON.stringify(s)).toBe(TOTAL);
    }
    // After the pass: the bridge's figures, 100 %, no speed or ETA; they stay so after a reload.
    const { account } = await c.request('account.get', { accountId });
    const final = account.counters.messagesCopied + account.counters.messagesAlreadyPresent;
    expect(final).toBe(TOTAL);
    await expect.poll(async () => (await look(page, labels)).row, { timeout: 10_000 }).toEqual({ done: final, total: account.counters.messagesTotal, speed: '—' });
    expect(await row.innerText()).not.toContain(t('phase_copying'));
    await page.getByTestId('details-drawer').getByRole('button', { name: t('close'), exact: true }).click();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'monitor-summary-zh.png') });
    await page.reload();
    await row.waitFor({ timeout: 30_000 });
    expect((await look(page, labels)).row).toEqual({ done: final, total: TOTAL, speed: '—' });
    expect(await page.getByTestId('job-summary-figures').innerText()).toContain('100%');
    // At 1024 px the top bar keeps one line and the progress figures are not cut.
    const layout = await page.evaluate(() => {
      const nav = document.querySelector('.topnav')!.getBoundingClientRect();
      const link = document.querySelector('.topnav a')!.getBoundingClientRect();
      const hint = document.querySelector<HTMLElement>('[data-testid="account-row"] .cell--progress .hint')!;
      return { navHeight: nav.height, linkHeight: link.height, cut: hint.scrollWidth > hint.clientWidth + 1 };
    });
    expect(layout.navHeight).toBeLessThan(layout.linkHeight * 1.5);
    expect(layout.cut).toBe(false);
    // The jobs list: status, %, created and updated.
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/`);
    const card = page.getByTestId('job-card');
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getByTestId('job-card-figures').innerText()).toContain('100%');
    expect(await card.innerText()).toContain(t('jobActive'));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'jobs-list-zh.png') });
    // The popup's summary counts the finished account.
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
    await popup.locator('[data-testid="bridge-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => popup.getByTestId('bridge-status').innerText(), { timeout: 10_000 }).toContain(t('popupJobCounts', { running: 0, done: 1, failed: 0, total: 1 }));
    await popup.close();
    // 已关闭 reads as a status, not as crossed-out text.
    await c.request('account.stop', { accountIds: [accountId] });
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}`);
    const badge = page.locator('[data-testid="account-row"][data-status="closed"] .badge[data-status="closed"]');
    await badge.waitFor({ timeout: 20_000 });
    expect(await badge.evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe('none');
    c.ws.close();
  }, 300_000);
});
