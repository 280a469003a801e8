/**
 * End-to-end: the built extension in Debian's Chromium, the real bridge (a child process) and
 * two Dovecots. Pair with the printed code, run the wizard, import a CSV of three accounts (one
 * with a wrong password), watch two finish their first pass and one fail with AUTH_FAILED, check
 * the mail on the target, export the report, stop the bridge (the dashboard keeps the last known
 * state) and start it again (the extension reconnects). Screenshots of every wizard step and of
 * the monitor go to SCREENSHOTS, in English and in Chinese.
 */
import { readFile, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator, type Locale } from '../../extension/i18n';
import { fullWidthFieldError, subjectOf } from '../../extension/lib/full-width-field';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { BridgeProcess, CHROMIUM, EarlyLaunch, SCREENSHOTS, ensureExtensionBuilt, launchWithExtension, setBridgePort } from './support/browser';
import { existsSync, mkdirSync } from 'node:fs';

const SRC: DovecotUser[] = [1, 2, 3].map((n) => ({ user: `staff${n}@old.example.com`, password: `Old-pw-${n}-Qz7` }));
const TGT: DovecotUser[] = [1, 2, 3].map((n) => ({ user: `staff${n}@new.example.com`, password: `New-pw-${n}-Wm4` }));
const WRONG = 'not-the-password';

function csv(): Buffer {
  const rows = [
    ['待搬家账号', '搬家账号', '待搬家账号密码', '搬家账号密码'],
    [SRC[0]!.user, TGT[0]!.user, SRC[0]!.password, TGT[0]!.password],
    [SRC[1]!.user, TGT[1]!.user, SRC[1]!.password, TGT[1]!.password],
    [SRC[2]!.user, TGT[2]!.user, WRONG, TGT[2]!.password],
  ];
  return Buffer.from('\ufeff' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n', 'utf8');
}

const LOCALES = [
  { browserLocale: 'en-US', locale: 'en' as Locale, suffix: 'en' },
  { browserLocale: 'zh-CN', locale: 'zh-CN' as Locale, suffix: 'zh' },
] as const;

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe('wizard → migration → monitor, with the real bridge and two Dovecots', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let bridge: BridgeProcess;
  let firstCode: string;
  let stateDir: string;
  let firstBrowser: EarlyLaunch<Awaited<ReturnType<typeof launchWithExtension>>> | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    // The first language's Chromium starts beside the servers; its block takes it.
    firstBrowser = new EarlyLaunch(() => launchWithExtension(LOCALES[0].browserLocale));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-bridge-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir, { MAILMOVER_RETRY_BASE_MS: '500', MAILMOVER_ENGINE_RETRY_BASE_MS: '100' });
    // The bridge starts while the mail servers start and fill: it needs them only once a test runs.
    const started = bridge.start();
    started.catch(() => undefined); // awaited below; a failure meanwhile is not "unhandled"
    [src, tgt] = await Promise.all([startDovecot({ name: 'e2e-src', users: SRC }), startDovecot({ name: 'e2e-tgt', users: TGT })]);
    await Promise.all([
      seedFolder(src, SRC[0]!, 'INBOX', bulkMessages(12, 41, { prefix: 's1' })).then(() => seedFolder(src, SRC[0]!, 'Sent', bulkMessages(4, 42, { prefix: 's1s' }))),
      seedFolder(src, SRC[1]!, 'INBOX', bulkMessages(7, 43, { prefix: 's2' })).then(() => seedFolder(src, SRC[1]!, '客户/2024', bulkMessages(5, 44, { prefix: 's2k' }))),
      seedFolder(src, SRC[2]!, 'INBOX', bulkMessages(3, 45, { prefix: 's3' })),
      started,
    ]);
    firstCode = await started;
  }, 240_000);

  afterAll(async () => {
    await firstBrowser?.discard();
    await bridge?.stop();
    await Promise.all([src?.stop(), tgt?.stop()]);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  describe.each(LOCALES)('in $browserLocale', ({ browserLocale, locale, suffix }) => {
    let context: BrowserContext;
    let worker: Worker;
    let userDataDir: string;
    let page: Page;
    let code: string;
    const t = translator(locale);

    beforeAll(async () => {
      // The second language pairs with a new code from `bridge pair`, asked for while Chromium starts.
      const pairing = suffix === 'en' ? Promise.resolve(firstCode) : bridge.newPairCode();
      pairing.catch(() => undefined); // awaited below, once the browser is there to close
      ({ context, worker, userDataDir } = await (suffix === 'en' && firstBrowser ? firstBrowser.take() : launchWithExtension(browserLocale)));
      code = await pairing;
      await setBridgePort(worker, bridge.port);
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    it('pairs with the code the bridge printed', async () => {
      const popup = await context.newPage();
      await popup.setViewportSize({ width: 380, height: 520 });
      await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
      await popup.locator('[data-testid="bridge-status"][data-state="unpaired"]').waitFor({ timeout: 20_000 });
      await popup.screenshot({ path: path.join(SCREENSHOTS, `popup-pair-${suffix}.png`) });
      await popup.getByLabel(t('pairCodeLabel')).fill(code.toLowerCase());
      await popup.getByRole('button', { name: t('pairButton') }).click();
      await popup.locator('[data-testid="bridge-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
      await popup.screenshot({ path: path.join(SCREENSHOTS, `popup-connected-${suffix}.png`) });
      await popup.close();
    }, 60_000);

    it('runs the wizard and starts the migration', async () => {
      page = await context.newPage();
      await page.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html#/new`);
      await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 20_000 });

      // a. source: verification account, server, test connection
      await page.locator('[name=verify-user]').fill(SRC[0]!.user);
      await page.locator('[name=verify-password]').fill(SRC[0]!.password);
      await page.locator('[name=source-provider]').selectOption('generic');
      await page.locator('[name=source-host]').fill('127.0.0.1');
      await page.locator('[name=source-security]').selectOption('starttls');
      await page.locator('[name=source-port]').fill(String(src.imapPort));
      await page.getByLabel(t('insecureTls')).check();
      // a wrong password first: the diagnosis names AUTH_FAILED and the remedy
      await page.locator('[name=verify-password]').fill(WRONG);
      await page.getByTestId('test-source').click();
      await page.locator('[data-testid="test-result"][data-ok="false"]').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('test-result').innerText()).toContain('AUTH_FAILED');
      await shot(page, `wizard-1-source-failed-${suffix}`);
      await page.locator('[name=verify-password]').fill(SRC[0]!.password);
      await page.getByTestId('test-source').click();
      await page.locator('[data-testid="test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
      // The bridge's diagnosis (endpoint.test report): folders with their counts, 16 messages in all.
      await page.getByTestId('test-result').locator('details.folder-counts').waitFor();
      expect(await page.getByTestId('test-result').innerText()).toMatch(/\b16\b/);
      await shot(page, `wizard-1-source-${suffix}`);
      await page.getByTestId('wizard-next').click();

      // b. storage
      await page.getByTestId('folder-preview').waitFor();
      // The real mapping from the bridge (folders.preview) replaces the local one.
      await page.locator('[data-testid="folder-preview"][data-source="bridge"]').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('folder-preview').innerText()).toContain('Sent');
      await shot(page, `wizard-2-storage-${suffix}`);
      await page.getByTestId('wizard-next').click();

      // c. target, per-account passwords, tested with one account
      await page.locator('[name=target-provider]').selectOption('generic');
      await page.locator('[name=target-host]').fill('127.0.0.1');
      await page.locator('[name=target-security]').selectOption('starttls');
      await page.locator('[name=target-port]').fill(String(tgt.imapPort));
      await page.getByLabel(t('insecureTls')).check();
      // First typed in Chinese input mode: named under the field, and no test runs with it.
      const fullWidthUser = TGT[0]!.user.replace('@', '＠');
      await page.locator('[name=target-test-password]').fill(TGT[0]!.password);
      await page.locator('[name=target-test-user]').pressSequentially(fullWidthUser);
      const testUserError = page.locator('.field', { has: page.locator('[name=target-test-user]') }).locator('.field__error');
      expect(await testUserError.innerText()).toBe(fullWidthFieldError(fullWidthUser, subjectOf('fullWidthTargetTestUser'), locale));
      expect(await testUserError.innerText()).toContain(locale === 'en' ? '"＠": type the half-width "@"' : '“＠”请改为半角“@”');
      expect(await page.getByTestId('test-target').isDisabled()).toBe(true);
      expect(await page.locator('.test-panel__why').innerText()).toBe(t('fixTargetTestUser'));
      await shot(page, `wizard-3-target-full-width-${suffix}`);
      await page.locator('[name=target-test-user]').fill(TGT[0]!.user);
      expect(await testUserError.count()).toBe(0);
      await page.getByTestId('test-target').click();
      await page.locator('[data-testid="test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
      await shot(page, `wizard-3-target-${suffix}`);
      await page.getByTestId('wizard-next').click();

      // d. accounts: a CSV with the Chinese headers of the seed
      await page.getByTestId('csv-input').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: csv() });
      await page.locator('[data-testid="csv-import"][data-errors="0"]').waitFor();
      expect(await page.getByTestId('accounts-total').innerText()).toContain('3');
      await shot(page, `wizard-4-accounts-${suffix}`);
      await page.getByTestId('wizard-next').click();

      // e. review and start
      await page.getByTestId('review').waitFor();
      await page.locator('[name=job-name]').fill(`e2e ${suffix}`);
      await shot(page, `wizard-5-review-${suffix}`);
      await page.getByTestId('start-migration').click();
      await page.getByTestId('monitor').waitFor({ timeout: 30_000 });
    }, 240_000);

    it('shows two accounts done and one failed with the right diagnosis', async () => {
      const done = page.locator('[data-testid="account-row"]:is([data-status="first_pass_done"], [data-status="syncing"])');
      const failed = page.locator('[data-testid="account-row"][data-status="failed"]');
      await expect.poll(() => done.count(), { timeout: 120_000, interval: 100 }).toBe(2);
      await expect.poll(() => failed.count(), { timeout: 60_000, interval: 100 }).toBe(1);
      expect(await failed.getAttribute('data-account')).toBe(SRC[2]!.user);
      expect(await failed.innerText()).toContain('AUTH_FAILED');
      await shot(page, `monitor-${suffix}`);
      await failed.getByRole('button', { name: t('openDetails', { account: SRC[2]!.user }) }).click();
      await page.getByTestId('details-drawer').waitFor();
      await shot(page, `monitor-details-${suffix}`);
      await page.getByTestId('details-drawer').getByRole('button', { name: t('close'), exact: true }).click();
      await page.getByTestId('details-drawer').waitFor({ state: 'detached' });
      // A done account's drawer lists its folders from the bridge's store (account.get).
      await page.locator(`[data-testid="account-row"][data-account="${SRC[0]!.user}"]`).getByRole('button', { name: t('openDetails', { account: SRC[0]!.user }) }).click();
      await page.getByTestId('details-drawer').waitFor();
      await expect.poll(() => page.getByTestId('details-drawer').locator('[data-testid="folder-row"]').count(), { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(2);
      expect(await page.getByTestId('details-drawer').locator('[data-testid="folder-row"][data-folder="INBOX"]').count()).toBe(1);
      await page.getByTestId('details-drawer').getByRole('button', { name: t('close'), exact: true }).click();
      await page.getByTestId('details-drawer').waitFor({ state: 'detached' });
    }, 200_000);

    // Both languages migrate the same accounts into the same mailboxes: the second job finds
    // the messages the first copied on the target and copies none of them again.
    it('copied the mail to the target, each message exactly once', async () => {
      const contents = (s: MailboxSnapshot) =>
        Object.values(s.folders)
          .flatMap((f) => f.messages.map((m) => m.sha256))
          .sort();
      for (const i of [0, 1]) {
        const before = await snapshotMailbox(src, SRC[i]!);
        const after = await snapshotMailbox(tgt, TGT[i]!);
        expect(contents(after), TGT[i]!.user).toEqual(contents(before));
      }
    }, 60_000);

    it('exports the report as CSV', async () => {
      const download = page.waitForEvent('download', { timeout: 30_000 });
      await page.getByTestId('export-report').click();
      const file = await (await download).path();
      const text = await readFile(file, 'utf8');
      for (const u of SRC) expect(text).toContain(u.user);
      expect(text).toContain('AUTH_FAILED');
    }, 60_000);

    it('keeps the last known state while the bridge is down, and reconnects', async () => {
      await bridge.stop();
      await page.getByTestId('stale-banner').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid="account-row"]').count()).toBe(3);
      await shot(page, `monitor-bridge-down-${suffix}`);
      await page.reload();
      await page.getByTestId('stale-banner').waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-testid="account-row"]').count()).toBe(3);
      await bridge.start();
      await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('stale-banner').count()).toBe(0);
    }, 150_000);
  });
});
