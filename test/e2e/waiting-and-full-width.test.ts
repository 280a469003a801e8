/**
 * End-to-end, in Chromium with the real bridge, in both UI languages (found in an admin's
 * walkthrough of the extension):
 * - the popup's line of a job counts the accounts waiting for their employee's password;
 * - the monitor's server change names the OLD mailbox's server, on its button and its dialog;
 * - a server address or port typed in Chinese input mode (imap。…, ９９３) or the verification
 *   address (zhang＠…) in the wizard, and an address or server in the self-service page, is named
 *   character by character under its field, and the test and start buttons stay off.
 * No mail server is needed: invitations do not connect until an employee answers them.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator, type Locale } from '../../extension/i18n';
import { getFreePort } from '../harness/free-port';
import { BridgeProcess, CHROMIUM, SCREENSHOTS, ensureExtensionBuilt, openPairedDashboard, tearDownSuite, createJobInPage } from './support/browser';

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
const fieldError = (page: Page, name: string) => page.locator('.field', { has: page.locator(`[name="${name}"]`) }).locator('.field__error');

const EXPECTED = {
  'zh-CN': {
    waiting: '3 个账号等待员工填写密码',
    changeServer: '修改原邮箱服务器地址',
    dialogTitle: '修改原邮箱服务器地址和端口',
    host: '“服务器地址”中有全角字符（中文输入法全角模式下输入的）：“。”请改为半角“.”。请将输入法切换为半角（或英文）后重新输入该地址。',
    port: '“端口”中有全角字符（中文输入法全角模式下输入的）：“９”请改为半角“9”；“３”请改为半角“3”。请将输入法切换为半角（或英文）后重新输入该端口。',
    verifyUser: '“邮箱地址”中有全角字符（中文输入法全角模式下输入的）：“＠”请改为半角“@”；“ｃ”请改为半角“c”。请将输入法切换为半角（或英文）后重新输入该地址。',
    verifyUserWhy: '请先更正上方的邮箱地址。',
    selfSource: '“原邮箱地址”中有全角字符（中文输入法全角模式下输入的）：“＠”请改为半角“@”。请将输入法切换为半角（或英文）后重新输入该地址。',
    selfHost: '“原邮箱服务器”中有全角字符（中文输入法全角模式下输入的）：“ｉ”请改为半角“i”；“ｍ”请改为半角“m”；“ａ”请改为半角“a”；“ｐ”请改为半角“p”。请将输入法切换为半角（或英文）后重新输入该地址。',
  },
  en: {
    waiting: '3 accounts waiting for the employee’s password',
    changeServer: 'Change the old mailbox’s server address',
    dialogTitle: 'Change the old mailbox’s server address and port',
    host: 'The server address contains full-width characters, as a Chinese input method types them in full-width mode: "。": type the half-width ".". Switch the input method to half-width (or English) and type the address again.',
    port: 'The port contains full-width characters, as a Chinese input method types them in full-width mode: "９": type the half-width "9"; "３": type the half-width "3". Switch the input method to half-width (or English) and type the port again.',
    verifyUser: 'The email address contains full-width characters, as a Chinese input method types them in full-width mode: "＠": type the half-width "@"; "ｃ": type the half-width "c". Switch the input method to half-width (or English) and type the address again.',
    verifyUserWhy: 'Correct the email address above.',
    selfSource: 'The old address contains full-width characters, as a Chinese input method types them in full-width mode: "＠": type the half-width "@". Switch the input method to half-width (or English) and type the address again.',
    selfHost: 'The old server contains full-width characters, as a Chinese input method types them in full-width mode: "ｉ": type the half-width "i"; "ｍ": type the half-width "m"; "ａ": type the half-width "a"; "ｐ": type the half-width "p". Switch the input method to half-width (or English) and type the address again.',
  },
} as const;

describe('waiting invitations, the old server’s change, full-width input (Chromium)', () => {
  let bridge: BridgeProcess;
  let stateDir: string;
  /** The code the bridge printed at its start, for the first browser to pair; the next one asks for a new code. */
  let startCode: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-waiting-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir);
    startCode = await bridge.start();
  }, 240_000);

  afterAll(async () => {
    await tearDownSuite({ bridge, stateDir });
  });

  describe.each(['zh-CN', 'en'] as const)('%s', (locale: Locale) => {
    const t = translator(locale);
    const want = EXPECTED[locale];
    let context: BrowserContext;
    let userDataDir: string;
    let page: Page;
    let jobId: string;
    // One bridge for both languages: each browser's job has its own name.
    const jobName = locale === 'zh-CN' ? '员工自助搬家' : 'Self-service move';

    beforeAll(async () => {
      const code = startCode ?? (await bridge.newPairCode());
      startCode = undefined;
      ({ context, userDataDir, page } = await openPairedDashboard(locale, bridge.port, code, { code: t('pairCodeLabel'), button: t('pairButton') }, EXTENSION_ID));
      // Two self-service invitations and one "employee supplies the password" account: all three wait for their employee.
      // Two other servers (nothing listens there): the same one would make the third account a copy onto itself.
      const server = (port: number) => ({ host: '127.0.0.1', port, security: 'starttls', insecureTls: true });
      jobId = await createJobInPage(page, {
        name: jobName,
        source: { ...server(await getFreePort()), protocol: 'imap' },
        target: server(await getFreePort()),
        accounts: [
          { mode: 'self-service', rows: [['wang@old.example.com', 'wang@new.example.com', '', 'New-1'], ['li@old.example.com', 'li@new.example.com', '', 'New-2']] },
          { mode: 'admin-without-passwords', rows: [['zhao@corp.example.com', 'zhao@corp.example.com', '', 'New-3']] },
        ],
      });
    }, 240_000);

    afterAll(async () => {
      await tearDownSuite({ context, userDataDir });
    });

    it('the popup counts the accounts waiting for their employee', async () => {
      const popup = await context.newPage();
      await popup.setViewportSize({ width: 380, height: 600 });
      await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
      const line = popup.getByRole('listitem').filter({ hasText: jobName }).getByTestId('popup-waiting-employee');
      await line.waitFor({ timeout: 20_000 });
      expect(await line.innerText()).toBe(want.waiting);
      await shot(popup, `popup-waiting-employee-${locale}`);
      await popup.close();
    });

    it('the monitor’s server change names the old mailbox', async () => {
      await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/jobs/${jobId}`);
      await page.getByTestId('monitor').waitFor();
      const button = page.getByRole('button', { name: want.changeServer, exact: true });
      await button.waitFor();
      await shot(page, `monitor-change-old-server-${locale}`);
      await button.click();
      const title = page.locator('#server-change-title');
      await title.waitFor();
      expect(await title.innerText()).toBe(want.dialogTitle);
      await page.locator('[name="change-host"]').fill('imap。old.example.com');
      expect(await fieldError(page, 'change-host').innerText()).toBe(want.host);
      expect(await page.getByTestId('server-change-save').isDisabled()).toBe(true);
      await shot(page, `server-change-dialog-${locale}`);
      await page.keyboard.press('Escape');
    });

    it('the wizard names full-width characters in the server address and port', async () => {
      await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/new`);
      await page.locator('[name="verify-user"]').fill('zhang@corp.example.com');
      await page.locator('[name="verify-password"]').fill('Pw-1');
      await page.locator('[name="source-host"]').fill('imap。qiye.aliyun.com');
      await page.locator('[name="source-port"]').fill('９９３');
      expect(await fieldError(page, 'source-host').innerText()).toBe(want.host);
      expect(await fieldError(page, 'source-port').innerText()).toBe(want.port);
      expect(await page.locator('[name="source-port"]').inputValue()).toBe('９９３');
      expect(await page.getByTestId('test-source').isDisabled()).toBe(true);
      await page.getByTestId('source-server').scrollIntoViewIfNeeded();
      await shot(page, `wizard-full-width-${locale}`);
    });

    it('the wizard names full-width characters in the verification address, and tests nothing with it', async () => {
      await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/new`);
      await page.locator('[name="source-host"]').fill('imap.corp.example.com');
      await page.locator('[name="source-port"]').fill('993');
      await page.locator('[name="verify-password"]').fill('Pw-1');
      await page.locator('[name="verify-user"]').fill('');
      // Typed, as an input method gives it: Chromium's email field keeps the characters as typed.
      await page.locator('[name="verify-user"]').pressSequentially('zhang＠ｃorp.example.com');
      await page.locator('[name="verify-password"]').focus();
      expect(await page.locator('[name="verify-user"]').inputValue()).toBe('zhang＠ｃorp.example.com');
      expect(await fieldError(page, 'verify-user').innerText()).toBe(want.verifyUser);
      expect(await page.getByTestId('test-source').isDisabled()).toBe(true);
      expect(await page.locator('.test-panel__why').innerText()).toBe(want.verifyUserWhy);
      await shot(page, `wizard-verify-user-full-width-${locale}`);
    });

    it('the self-service page names full-width characters in the old address and server', async () => {
      await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/self`);
      await page.locator('[name="self-target"]').fill('wang@new.example.com');
      await page.getByTestId('invite').waitFor({ timeout: 20_000 });
      await page.locator('[name="self-source"]').fill('wang＠old.example.com');
      await page.locator('[name="self-host"]').fill('ｉｍａｐ.old.example.com');
      await page.locator('[name="self-password"]').fill('Old-pw-1');
      expect(await fieldError(page, 'self-source').innerText()).toBe(want.selfSource);
      expect(await fieldError(page, 'self-host').innerText()).toBe(want.selfHost);
      expect(await page.getByTestId('self-test').isDisabled()).toBe(true);
      expect(await page.getByTestId('self-start').isDisabled()).toBe(true);
      await shot(page, `self-service-full-width-${locale}`);
    });
  });
});
