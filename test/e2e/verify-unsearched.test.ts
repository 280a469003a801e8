/**
 * End-to-end, in Chromium with the real bridge and two Dovecots, in both UI languages: a verify
 * that cannot search a folder of the new mailbox for a missing message's copy (one the user made
 * there, that the server refuses to open) says so in the account drawer and the printable
 * 搬家核验报告, with the folder and the server's reason, before the missing messages.
 * The account is migrated, then on the new system one message is filed into that folder and one
 * is deleted; the new server (a proxy in front of it, as no test server refuses on cue) then
 * refuses to open that folder: both messages are reported missing.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator, type Locale } from '../../extension/i18n';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { createFolder, readFolder, seedFolder, withImap } from '../harness/mailbox';
import { folderPath } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { BridgeProcess, CHROMIUM, SCREENSHOTS, ensureExtensionBuilt, openPairedDashboard, tearDownSuite, createJobInPage } from './support/browser';

const SRC: DovecotUser = { user: 'lin@old.example.com', password: 'Old-uns-1-Kq8' };
const TGT: DovecotUser = { user: 'lin@new.example.com', password: 'New-uns-1-Wd3' };
const zh = translator('zh-CN');
const DONE = ['first_pass_done', 'syncing'];

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The note's first line in `locale`, with the folder and the reason verify gave. */
const EXPECTED: Record<Locale, (folder: string) => RegExp> = {
  'zh-CN': (folder) => new RegExp(`^新邮箱的文件夹“${folder}”无法读取，未在其中查找缺失的邮件（the server answered NO: ".*Permission denied \\(test\\)"）：存放在该文件夹中的副本按缺失计算。$`),
  en: (folder) => new RegExp(`^Target folder “${folder}” could not be searched for the missing messages \\(the server answered NO: ".*Permission denied \\(test\\)"\\): a copy filed there counts as missing\\.$`),
};

describe('verify names the target folders it could not search (Chromium)', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let bridge: BridgeProcess;
  let stateDir: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  let jobId: string;
  let filed: string;
  let proxy: AnsweringProxy;
  /** Once set, the new server refuses to open the folder the message was filed into. */
  let refusing = false;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    [src, tgt] = await Promise.all([startDovecot({ name: 'e2e-uns-src', users: [SRC] }), startDovecot({ name: 'e2e-uns-tgt', users: [TGT] })]);
    filed = folderPath(tgt, 'Filed');
    proxy = await startAnsweringProxy(tgt.imapPort, (c) =>
      refusing && (c.verb === 'EXAMINE' || c.verb === 'SELECT') && c.line.includes(filed) ? { reply: 'NO [NOPERM] Permission denied (test)' } : undefined,
    );
    await seedFolder(src, SRC, 'INBOX', bulkMessages(4, 91, { prefix: 'uns' }));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-uns-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir, { MAILMOVER_RETRY_BASE_MS: '500', MAILMOVER_ENGINE_RETRY_BASE_MS: '100' });
    const code = await bridge.start();
    ({ context, userDataDir, page } = await openPairedDashboard('zh-CN', bridge.port, code, { code: zh('pairCodeLabel'), button: zh('pairButton') }, EXTENSION_ID));
    jobId = await createJobInPage(page, {
      name: '核验未查文件夹',
      source: { host: '127.0.0.1', port: src.imapPort, security: 'starttls', insecureTls: true, protocol: 'imap' },
      // Through the proxy, which reads the commands: no TLS there.
      target: { host: '127.0.0.1', port: proxy.port, security: 'plain', allowPlaintext: true, insecureTls: false },
      accounts: [{ mode: 'admin-with-passwords', rows: [[SRC.user, TGT.user, SRC.password, TGT.password]] }],
    });
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await tearDownSuite({ context, userDataDir, bridge, servers: [src, tgt], stateDir });
  });

  it('migrates, then verify reports the unreadable folder in the drawer (zh-CN, then en)', async () => {
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}`);
    await page.getByTestId('monitor').waitFor();
    const row = page.locator(`[data-testid="account-row"][data-account="${SRC.user}"]`);
    await expect.poll(async () => DONE.includes((await row.getAttribute('data-status')) ?? ''), { timeout: 120_000, interval: 500 }).toBe(true);
    // The bridge verifies an account once its first pass is done: that check is over before the new system changes.
    await row.getByTestId('verify-badge').waitFor({ timeout: 120_000 });

    // On the new system: one message filed into a folder of the user's own, that the server then refuses to open; one deleted.
    await createFolder(tgt, TGT, filed);
    const inbox = await readFolder(tgt, TGT, 'INBOX');
    expect(inbox.length).toBe(4);
    await withImap(tgt, TGT, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageMove(String(inbox[0]!.uid), filed, { uid: true });
      await c.messageDelete(String(inbox[1]!.uid), { uid: true });
    });
    refusing = true;

    await page.getByTestId('verify-job').click();
    await row.getByRole('button', { name: zh('openDetails', { account: SRC.user }) }).click();
    const note = page.getByTestId('details-drawer').getByTestId('verify-unsearched');
    await note.waitFor({ timeout: 120_000 });
    expect(await note.locator('li').count()).toBe(1);
    expect(await note.locator('li').innerText()).toMatch(EXPECTED['zh-CN'](filed));
    // Before the missing messages it qualifies: both are listed missing.
    const missing = page.getByTestId('details-drawer').getByTestId('verify-missing');
    expect(await missing.locator('li').count()).toBe(2);
    expect(await note.evaluate((n, m) => !!(n.compareDocumentPosition(m!) & Node.DOCUMENT_POSITION_FOLLOWING), await missing.elementHandle())).toBe(true);
    await note.scrollIntoViewIfNeeded();
    await shot(page, 'verify-unsearched-drawer-zh');

    await page.getByRole('combobox', { name: zh('language') }).selectOption('en');
    await page.getByTestId('details-drawer').getByTestId('verify-unsearched').locator('li', { hasText: 'Target folder' }).waitFor();
    expect(await note.locator('li').innerText()).toMatch(EXPECTED.en(filed));
    await note.scrollIntoViewIfNeeded();
    await shot(page, 'verify-unsearched-drawer-en');
  }, 300_000);

  it.each(['en', 'zh-CN'] as const)('the printable report says it too (%s)', async (locale) => {
    const t = translator(locale);
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}/verify-report`);
    const select = page.locator('.lang-switch select');
    await select.selectOption(locale);
    const note = page.getByTestId('verify-report-unsearched');
    await note.waitFor({ timeout: 30_000 });
    expect(await page.locator('.verify-report h1').innerText()).toBe(t('verifyReportTitle'));
    expect(await note.locator('li').innerText()).toMatch(EXPECTED[locale](filed));
    expect(await page.getByTestId('verify-report-missing').locator('li').count()).toBe(2);
    await shot(page, `verify-unsearched-report-${locale === 'en' ? 'en' : 'zh'}`);
  }, 120_000);
});
