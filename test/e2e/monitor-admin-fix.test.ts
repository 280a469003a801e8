/**
 * End-to-end, in Chinese (issue 15 points 1, 2, 5): the built extension in Debian's Chromium,
 * the real bridge and two Dovecots. One job holds two accounts imported with a wrong old
 * password and one self-service account.
 * - The admin fixes the first from where its error is shown: the row's 更新密码并重试 opens the
 *   drawer, the provider hint and the old-password field are there, the typed password is
 *   tested, saved, and the account completes (its mail on the target, byte for byte).
 * - Bulk 重新开启 on the second answers in Chinese; a CSV of just that account with its right
 *   password, imported from the monitor, updates it and it completes too.
 * - The employee's dashboard page (#/self) tests the old password, starts, and shows progress
 *   to the done state.
 * Neither the rows, the drawer nor the bulk answers show English engine text.
 * The job is created over the extension's own message path (the wizard has its own e2e).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator } from '../../extension/i18n';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { BridgeProcess, CHROMIUM, SCREENSHOTS, ensureExtensionBuilt, openPairedDashboard, tearDownSuite, createJobInPage } from './support/browser';

const SRC: DovecotUser[] = [1, 2, 3].map((n) => ({ user: `fix${n}@old.example.com`, password: `Old-fix-${n}-Pq4` }));
const TGT: DovecotUser[] = [1, 2, 3].map((n) => ({ user: `fix${n}@new.example.com`, password: `New-fix-${n}-Zr7` }));
const WRONG = 'not-the-password';
const t = translator('zh-CN');

const contents = (s: MailboxSnapshot) =>
  Object.values(s.folders)
    .flatMap((f) => f.messages.map((m) => m.sha256))
    .sort();

/** English words left in Chinese text: addresses, hosts, schemes, codes and acronyms are allowed. */
function englishWords(text: string): string[] {
  const stripped = text
    .replace(/[^\s@]+@[^\s@]+/g, ' ')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, ' ')
    .replace(/\b[\w-]+(\.[\w-]+)+\b/g, ' ');
  return (stripped.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []).filter((w) => /[A-Za-z]{3,}/.test(w) && !/^[A-Z0-9_]+$/.test(w) && !['mailmover', 'Gmail'].includes(w));
}

const row = (page: Page, user: string) => page.locator(`[data-testid="account-row"][data-account="${user}"]`);
const DONE = ['first_pass_done', 'syncing'];
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

describe('the admin fixes wrong passwords where they are shown; the employee page runs to done (zh-CN)', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let bridge: BridgeProcess;
  let stateDir: string;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  let jobId: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    [src, tgt] = await Promise.all([startDovecot({ name: 'e2e-fix-src', users: SRC }), startDovecot({ name: 'e2e-fix-tgt', users: TGT })]);
    await Promise.all(SRC.map((u, i) => seedFolder(src, u, 'INBOX', bulkMessages(6 + i, 70 + i, { prefix: `fix${i}` }))));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-fix-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir, { MAILMOVER_RETRY_BASE_MS: '500', MAILMOVER_ENGINE_RETRY_BASE_MS: '100' });
    const code = await bridge.start();
    ({ context, userDataDir, page } = await openPairedDashboard('zh-CN', bridge.port, code, { code: t('pairCodeLabel'), button: t('pairButton') }, EXTENSION_ID));
    const server = (port: number) => ({ host: '127.0.0.1', port, security: 'starttls', insecureTls: true });
    jobId = await createJobInPage(page, {
      name: '密码修复',
      source: { ...server(src.imapPort), protocol: 'imap' },
      target: server(tgt.imapPort),
      accounts: [
        { mode: 'admin-with-passwords', rows: [0, 1].map((i) => [SRC[i]!.user, TGT[i]!.user, WRONG, TGT[i]!.password]) },
        { mode: 'self-service', rows: [[SRC[2]!.user, TGT[2]!.user, '', TGT[2]!.password]] },
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await tearDownSuite({ context, userDataDir, bridge, servers: [src, tgt], stateDir });
  });

  it('fixes a wrong password from the drawer, and the account completes', async () => {
    await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}`);
    await page.getByTestId('monitor').waitFor();
    for (const u of [SRC[0]!, SRC[1]!]) await row(page, u.user).and(page.locator('[data-status="failed"]')).waitFor({ timeout: 120_000 });
    const errorCell = row(page, SRC[0]!.user).locator('.cell--error');
    expect(await errorCell.innerText()).toContain('AUTH_FAILED');
    expect(englishWords(await errorCell.innerText())).toEqual([]);

    await row(page, SRC[0]!.user).getByTestId('row-update-password').click();
    const drawer = page.getByTestId('details-drawer');
    const form = drawer.getByTestId('update-password-form');
    await form.waitFor();
    expect(await drawer.locator('.remedy').innerText()).toContain('原邮箱登录失败');
    expect(englishWords(await drawer.locator('.remedy').innerText())).toEqual([]);
    expect(englishWords(await form.innerText())).toEqual([]);
    await form.getByTestId('password-again-source').fill(SRC[0]!.password);
    await form.getByTestId('update-password-test').click();
    await form.locator('[data-testid="update-password-test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
    await shot(page, 'monitor-update-password-zh');
    await form.getByTestId('password-again-submit').click();
    await expect.poll(async () => DONE.includes((await row(page, SRC[0]!.user).getAttribute('data-status')) ?? ''), { timeout: 120_000, interval: 500 }).toBe(true);
    expect(contents(await snapshotMailbox(tgt, TGT[0]!))).toEqual(contents(await snapshotMailbox(src, SRC[0]!)));
    await drawer.getByRole('button', { name: t('close'), exact: true }).click();
  }, 300_000);

  it('bulk 重新开启 answers in Chinese; a CSV with the right password updates the account and it completes', async () => {
    await row(page, SRC[1]!.user).getByRole('checkbox').check();
    await page.getByRole('button', { name: t('actionReopen') }).click();
    const msg = page.getByTestId('bulk-message');
    await msg.waitFor();
    expect(await msg.innerText()).toContain('只有已关闭的账号可以重新开启');
    expect(englishWords(await msg.innerText())).toEqual([]);

    await page.getByTestId('reimport-passwords').locator('summary').click();
    const csv = `source,target,source_password,target_password\r\n${SRC[1]!.user},${TGT[1]!.user},${SRC[1]!.password},${TGT[1]!.password}\r\n`;
    await page.getByTestId('reimport-file').setInputFiles({ name: 'fix.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('[data-testid="reimport-result"]', { hasText: '已更新 1 个账号' }).waitFor({ timeout: 60_000 });
    await expect.poll(async () => DONE.includes((await row(page, SRC[1]!.user).getAttribute('data-status')) ?? ''), { timeout: 120_000, interval: 500 }).toBe(true);
    expect(contents(await snapshotMailbox(tgt, TGT[1]!))).toEqual(contents(await snapshotMailbox(src, SRC[1]!)));
  }, 300_000);

  it('the employee page tests the password, starts, and shows progress to done', async () => {
    const self = await context.newPage();
    await self.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/self`);
    await self.getByTestId('self-service-page').waitFor();
    await self.locator('[name=self-target]').fill(TGT[2]!.user);
    await self.getByTestId('invite').waitFor({ timeout: 20_000 });
    await self.locator('[name=self-source]').fill(SRC[2]!.user);
    await self.locator('[name=self-password]').fill(SRC[2]!.password);
    await self.getByTestId('self-test').click();
    await self.locator('[data-testid="self-test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
    await self.getByTestId('self-start').click();
    await self.getByTestId('self-progress').waitFor({ timeout: 30_000 });
    await self.locator('[data-testid="self-progress"][data-done="true"]').waitFor({ timeout: 120_000 });
    expect(await self.getByTestId('self-done').innerText()).toContain('您的邮箱已搬完');
    expect(await self.getByTestId('self-counts').innerText()).toBe(`已搬 8 / 8 封`);
    expect(englishWords(await self.getByTestId('self-progress').innerText())).toEqual([]);
    await shot(self, 'self-service-done-zh');
    expect(contents(await snapshotMailbox(tgt, TGT[2]!))).toEqual(contents(await snapshotMailbox(src, SRC[2]!)));
    await self.close();
  }, 300_000);
});
