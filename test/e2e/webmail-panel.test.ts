/**
 * End-to-end: the launcher and the migration panel on web pages, in Debian's Chromium with the
 * TEST build of the extension (MAILMOVER_TEST_BUILD=1 → .output-e2e/, whose content script also
 * matches the loopback fixture pages), the real bridge (child process) and two Dovecots.
 *
 * Fixture pages (test/e2e/fixtures), served on 127.0.0.1 and 127.0.0.2, each with a hostile
 * script (snoop.js) and hostile page-wide CSS:
 * - console.html  stands in for a provider's admin console: the launcher appears (anchored in
 *                 the header), the panel's wizard runs a migration, its monitor shows it done;
 * - webmail.html  stands in for the webmail: the employee banner, the logged-in address detected,
 *                 the self-service flow for the admin's "employee supplies the password" account
 *                 (test, start, live progress until the first pass is done);
 * - selfhosted.html on 127.0.0.2 (not in the manifest's matches) stands in for a self-hosted
 *                 Roundcube: "enable on this site" from a real click in the popup, the launcher
 *                 appears after reload (registerContentScripts), "disable" removes it. The host
 *                 permission for http://127.0.0.2 is PRE-GRANTED by the test build (headless
 *                 Chromium cannot accept a permission prompt), so chrome.permissions.request
 *                 resolves without a prompt; registerContentScripts/unregister are real.
 * After typing in the panel, the page's script gathers everything it can reach and must find
 * neither the typed password, nor the pairing key, nor the panel ticket.
 * Screenshots of every panel, in English and in Chinese, go to SCREENSHOTS.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator, type Locale } from '../../extension/i18n';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { BridgeProcess, CHROMIUM, EarlyLaunch, ROOT, SCREENSHOTS, chromiumArgs, ensureTestExtensionBuilt, pairInPopup, setBridgePort } from './support/browser';

const TEST_EXTENSION_DIR = path.join(ROOT, '.output-e2e', 'chrome-mv3');
const FIXTURES = path.join(ROOT, 'test', 'e2e', 'fixtures');
const SRC: DovecotUser[] = [1, 2, 3, 4].map((n) => ({ user: `staff${n}@old.example.com`, password: `Old-pw-${n}-Kx3` }));
const TGT: DovecotUser[] = [1, 2, 3, 4].map((n) => ({ user: `staff${n}@new.example.com`, password: `New-pw-${n}-Hb8` }));
/** Same address on both sides (the domain moves to the new provider): the admin's "employee supplies the password" accounts. */
const EMP_SRC: DovecotUser[] = [1, 2].map((n) => ({ user: `emp${n}@corp.example.com`, password: `Emp-old-${n}-Tq5` }));
const EMP_TGT: DovecotUser[] = [1, 2].map((n) => ({ user: `emp${n}@corp.example.com`, password: `Emp-new-${n}-Rv2` }));
const PANEL_URL = `chrome-extension://${EXTENSION_ID}/panel.html`;

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

/** Static fixture server; ?user= fills the page's logged-in address. */
async function fixtureServer(host: string): Promise<{ server: Server; origin: string }> {
  const port = await getFreePort();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const m = /^\/mailmover-fixtures\/([a-z]+\.(?:html|js))$/.exec(url.pathname) ?? /^\/other\/([a-z]+\.(?:html|js))$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end();
    readFile(path.join(FIXTURES, m[1]!), 'utf8').then(
      (text) => {
        res.writeHead(200, { 'content-type': m[1]!.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8' });
        res.end(text.replaceAll('__USER__', url.searchParams.get('user') ?? 'someone@example.com'));
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, origin: `http://${host}:${port}` };
}

async function launch(locale: string): Promise<{ context: BrowserContext; worker: Worker; userDataDir: string }> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-panel-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    args: chromiumArgs(locale, TEST_EXTENSION_DIR),
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  return { context, worker, userDataDir };
}

/** Every pattern the extension has registered with chrome.scripting (the sites enabled from the popup). */
async function registeredMatches(worker: Worker): Promise<string[]> {
  const scripts = await worker.evaluate(async () => {
    const c = (globalThis as unknown as { chrome: { scripting: { getRegisteredContentScripts(): Promise<Array<{ matches?: string[] }>> } } }).chrome;
    return c.scripting.getRegisteredContentScripts();
  });
  return scripts.flatMap((r) => r.matches ?? []);
}

/**
 * No launcher on `page`, checked once the launcher could have been there: nothing is registered
 * for `origin`, and the page has loaded and gone idle (the launcher is a document_idle script,
 * which Chromium injects at the latest right after the load event).
 */
async function expectNoLauncher(page: Page, worker: Worker, origin: string): Promise<void> {
  expect(await registeredMatches(worker)).not.toContain(`${origin}/*`);
  await page.waitForLoadState('load');
  await page.evaluate(() => new Promise((resolve) => requestIdleCallback(() => resolve(null))));
  expect(await page.locator('mailmover-launcher').count()).toBe(0);
}

/** The messages of a mailbox by their bytes' hashes, sorted: a copy has exactly its source's. */
function contents(s: MailboxSnapshot): string[] {
  return Object.values(s.folders)
    .flatMap((f) => f.messages.map((m) => m.sha256))
    .sort();
}

async function panelFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // The launcher frames panel.html by runtime.getURL: the fixed id, or the per-session dynamic one.
    const f = page.frames().find((fr) => /^chrome-extension:\/\/[^/]+\/panel\.html/.test(fr.url()));
    if (f) {
      await f.locator('[data-testid="panel"][data-state="ready"]').waitFor({ timeout: 20_000 });
      return f;
    }
    if (Date.now() > deadline) throw new Error(`no panel frame in ${page.url()}: ${page.frames().map((x) => x.url()).join(', ')}`);
    await page.waitForTimeout(100);
  }
}

interface Snooped {
  texts: string[];
  notes: string[];
}

describe('launcher and panel on console / webmail pages, with the real bridge and two Dovecots', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let bridge: BridgeProcess;
  let firstCode: string;
  let stateDir: string;
  let loop1: { server: Server; origin: string };
  let loop2: { server: Server; origin: string };
  let firstBrowser: EarlyLaunch<Awaited<ReturnType<typeof launch>>> | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The test build (its own outDir; the production build in .output/ is left alone), built
    // by the e2e global setup; rebuilt here only if a source changed since.
    await ensureTestExtensionBuilt();
    // The first language's Chromium starts beside the servers; its block takes it.
    firstBrowser = new EarlyLaunch(() => launch('en-US'));
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-panel-bridge-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir, { MAILMOVER_RETRY_BASE_MS: '500', MAILMOVER_ENGINE_RETRY_BASE_MS: '100' });
    // The bridge and the fixture servers start while the mail servers start and fill: nothing
    // asks the bridge for a mailbox before a test runs.
    const started = Promise.all([bridge.start(), fixtureServer('127.0.0.1'), fixtureServer('127.0.0.2')]);
    started.catch(() => undefined); // awaited below; a failure meanwhile is not "unhandled"
    [src, tgt] = await Promise.all([startDovecot({ name: 'e2e-panel-src', users: [...SRC, ...EMP_SRC] }), startDovecot({ name: 'e2e-panel-tgt', users: [...TGT, ...EMP_TGT] })]);
    await Promise.all([
      ...SRC.map((u, i) => seedFolder(src, u, 'INBOX', bulkMessages(4 + i, 60 + i, { prefix: `p${i}` }))),
      seedFolder(src, EMP_SRC[0]!, 'INBOX', bulkMessages(5, 80, { prefix: 'e0' })).then(() => seedFolder(src, EMP_SRC[0]!, '客户', bulkMessages(3, 70, { prefix: 'e0k' }))),
      seedFolder(src, EMP_SRC[1]!, 'INBOX', bulkMessages(6, 81, { prefix: 'e1' })),
    ]);
    [firstCode, loop1, loop2] = await started;
  }, 240_000);

  afterAll(async () => {
    await firstBrowser?.discard();
    await bridge?.stop();
    await Promise.all([src?.stop(), tgt?.stop()]);
    loop1?.server.close();
    loop2?.server.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  describe.each([
    { browserLocale: 'en-US', locale: 'en' as Locale, suffix: 'en', admin: 0, employee: 0 },
    { browserLocale: 'zh-CN', locale: 'zh-CN' as Locale, suffix: 'zh', admin: 1, employee: 1 },
  ])('in $browserLocale', ({ browserLocale, locale, suffix, admin, employee }) => {
    let context: BrowserContext;
    let worker: Worker;
    let userDataDir: string;
    const t = translator(locale);

    beforeAll(async () => {
      // The second language pairs with a new code from `bridge pair`, asked for while Chromium starts.
      const code = suffix === 'en' ? Promise.resolve(firstCode) : bridge.newPairCode();
      code.catch(() => undefined); // awaited below, once the browser is there to close
      ({ context, worker, userDataDir } = await (browserLocale === 'en-US' && firstBrowser ? firstBrowser.take() : launch(browserLocale)));
      await setBridgePort(worker, bridge.port);
      await pairInPopup(context, EXTENSION_ID, await code, { code: t('pairCodeLabel'), button: t('pairButton') });
    }, 90_000);

    afterAll(async () => {
      await context?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    it('admin console: the launcher appears, the panel runs a migration end to end', async () => {
      const page = await context.newPage();
      await page.goto(`${loop1.origin}/mailmover-fixtures/console.html`);
      const host = page.locator('mailmover-launcher[data-kind="console"]');
      await host.waitFor({ timeout: 15_000 });
      // The page offers a natural anchor (its header): the launcher sits there.
      expect(await host.getAttribute('data-anchored')).toBe('true');
      expect(await page.locator('[data-mailmover-anchor] mailmover-launcher').count()).toBe(1);
      await shot(page, `launcher-console-${suffix}`);
      // The page re-renders its header: the launcher is put back (floating when the anchor is gone).
      await page.evaluate(() => document.querySelector('[data-mailmover-anchor]')!.remove());
      await page.locator('mailmover-launcher[data-anchored="false"]').waitFor({ timeout: 5_000 });
      await host.click();
      await page.locator('mailmover-launcher[data-state="open"]').waitFor();
      const panel = await panelFrame(page);
      await panel.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 20_000 });

      const a = SRC[admin]!;
      await panel.locator('[name=verify-user]').fill(a.user);
      await panel.locator('[name=verify-password]').pressSequentially(a.password);
      await panel.locator('[name=source-provider]').selectOption('generic');
      await panel.locator('[name=source-host]').fill('127.0.0.1');
      await panel.locator('[name=source-security]').selectOption('starttls');
      await panel.locator('[name=source-port]').fill(String(src.imapPort));
      await panel.getByLabel(t('insecureTls')).check();
      await panel.getByTestId('test-source').click();
      await panel.locator('[data-testid="test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
      await shot(page, `panel-console-${suffix}`);

      // The page's script saw nothing of what was typed in the panel.
      await expectPageSawNothing(page, worker, [a.password]);

      await panel.getByTestId('wizard-next').click();
      await panel.getByTestId('folder-preview').waitFor();
      await panel.getByTestId('wizard-next').click();
      await panel.locator('[name=target-provider]').selectOption('generic');
      await panel.locator('[name=target-host]').fill('127.0.0.1');
      await panel.locator('[name=target-security]').selectOption('starttls');
      await panel.locator('[name=target-port]').fill(String(tgt.imapPort));
      await panel.getByLabel(t('insecureTls')).check();
      await panel.locator('[name=target-test-user]').fill(TGT[admin]!.user);
      await panel.locator('[name=target-test-password]').fill(TGT[admin]!.password);
      await panel.getByTestId('test-target').click();
      await panel.locator('[data-testid="test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
      await panel.getByTestId('wizard-next').click();
      const csv = `source,target,source_password,target_password\r\n${a.user},${TGT[admin]!.user},${a.password},${TGT[admin]!.password}\r\n`;
      await panel.getByTestId('csv-input').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await panel.locator('[data-testid="csv-import"][data-errors="0"]').waitFor();
      await panel.getByTestId('wizard-next').click();
      await panel.getByTestId('review').waitFor();
      await panel.locator('[name=job-name]').fill(`panel ${suffix}`);
      await panel.getByTestId('start-migration').click();
      await panel.getByTestId('monitor').waitFor({ timeout: 30_000 });
      const done = panel.locator('[data-testid="account-row"]:is([data-status="first_pass_done"], [data-status="syncing"])');
      await expect.poll(() => done.count(), { timeout: 120_000, interval: 100 }).toBe(1);
      await shot(page, `panel-console-monitor-${suffix}`);
      const before = await snapshotMailbox(src, a);
      const after = await snapshotMailbox(tgt, TGT[admin]!);
      expect(contents(after)).toEqual(contents(before));
      await page.close();
    }, 240_000);

    it('webmail: the employee banner runs the self-service migration the admin opened', async () => {
      // The admin's job with an "employee supplies the password" account (admin-without-passwords),
      // sent over the extension's own message path, as the wizard sends it.
      const ext = await context.newPage();
      await ext.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html`);
      await ext.evaluate(
        async ({ imapPort, srcUser, tgtUser, tgtPw, tgtPort, name }) => {
          type Send = (m: unknown) => Promise<{ ok: boolean; result: { job: { id: string } }; error?: unknown }>;
          const send = (globalThis as unknown as { chrome: { runtime: { sendMessage: Send } } }).chrome.runtime.sendMessage;
          const server = (port: number) => ({ host: '127.0.0.1', port, security: 'starttls', insecureTls: true });
          const job = await send({ kind: 'bridge.request', type: 'job.create', params: { name, source: { ...server(imapPort), protocol: 'imap' }, target: server(tgtPort) } });
          if (!job.ok) throw new Error(JSON.stringify(job.error));
          const csv = `source,target,source_password,target_password\r\n${srcUser},${tgtUser},,${tgtPw}\r\n`;
          const imp = await send({ kind: 'bridge.request', type: 'accounts.import', params: { jobId: job.result.job.id, mode: 'admin-without-passwords', csvBase64: btoa(csv) } });
          if (!imp.ok) throw new Error(JSON.stringify(imp.error));
          const r = imp.result as unknown as { imported: number; errors: unknown[]; accounts: Array<{ status: string }> };
          if (r.imported !== 1 || r.accounts[0]?.status !== 'not_enabled') throw new Error(JSON.stringify(r));
        },
        { imapPort: src.imapPort, srcUser: EMP_SRC[employee]!.user, tgtUser: EMP_TGT[employee]!.user, tgtPw: EMP_TGT[employee]!.password, tgtPort: tgt.imapPort, name: `employees ${suffix}` },
      );
      await ext.close();

      const page = await context.newPage();
      await page.goto(`${loop1.origin}/mailmover-fixtures/webmail.html?user=${encodeURIComponent(EMP_TGT[employee]!.user)}`);
      const host = page.locator('mailmover-launcher[data-kind="webmail"][data-state="banner"]');
      await host.waitFor({ timeout: 15_000 });
      await shot(page, `webmail-banner-${suffix}`);
      await host.click();
      const panel = await panelFrame(page);
      await panel
        .getByTestId('self-form')
        .waitFor({ timeout: 20_000 })
        .catch(async (err: unknown) => {
          await shot(page, `debug-webmail-${suffix}`);
          throw err;
        });
      // Detected from the page, the invitation found, the old server from the admin's job.
      expect(await panel.locator('[name=self-target]').inputValue()).toBe(EMP_TGT[employee]!.user);
      await panel.getByTestId('invite').waitFor({ timeout: 20_000 });
      expect(await panel.locator('[name=self-host]').inputValue()).toBe('127.0.0.1');
      expect(await panel.locator('[name=self-port]').inputValue()).toBe(String(src.imapPort));
      expect(await panel.locator('[name=self-source]').getAttribute('placeholder')).toBe(EMP_SRC[employee]!.user);
      await panel.getByTestId('auth-hint').waitFor(); // where the old provider makes its authorization code
      await panel.locator('[name=self-password]').pressSequentially(EMP_SRC[employee]!.password);
      await panel.getByTestId('self-test').click();
      await panel.locator('[data-testid="self-test-result"][data-ok="true"]').waitFor({ timeout: 60_000 });
      await shot(page, `panel-webmail-${suffix}`);
      await expectPageSawNothing(page, worker, [EMP_SRC[employee]!.password]);
      await panel.getByTestId('self-start').click();
      await panel.locator('[data-testid="self-progress"]:is([data-status="first_pass_done"], [data-status="syncing"])').waitFor({ timeout: 120_000 });
      // The shot shows the bar full: its width transition has run to the end.
      await panel.evaluate(() => Promise.all(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished.catch(() => undefined))));
      await shot(page, `panel-webmail-progress-${suffix}`);
      const before = await snapshotMailbox(src, EMP_SRC[employee]!);
      const after = await snapshotMailbox(tgt, EMP_TGT[employee]!);
      expect(contents(after)).toEqual(contents(before));
      await expectPageSawNothing(page, worker, [EMP_SRC[employee]!.password]);
      await page.close();
    }, 240_000);

    it('"enable on this site" registers the launcher on a third site; "disable" removes it', async () => {
      const page = await context.newPage();
      const url = `${loop2.origin}/other/selfhosted.html?user=${encodeURIComponent(EMP_TGT[employee]!.user)}`;
      await page.goto(url);
      await expectNoLauncher(page, worker, loop2.origin);

      const popup = await context.newPage();
      await popup.setViewportSize({ width: 380, height: 600 });
      await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
      const toggle = popup.locator(`[data-testid="site-toggle"][data-origin="${loop2.origin}"][data-enabled="false"]`);
      await toggle.waitFor({ timeout: 10_000 });
      await shot(popup, `popup-enable-site-${suffix}`);
      await popup.getByTestId('site-enable').click(); // a real click: the user gesture permissions.request needs
      await popup.locator('[data-testid="site-toggle"][data-enabled="true"]').waitFor({ timeout: 10_000 });
      const registered = await worker.evaluate(async () => {
        const c = (globalThis as unknown as { chrome: { scripting: { getRegisteredContentScripts(): Promise<Array<{ id: string; matches?: string[] }>> } } }).chrome;
        return c.scripting.getRegisteredContentScripts();
      });
      expect(registered.map((r) => r.matches)).toContainEqual([`${loop2.origin}/*`]);

      await page.bringToFront();
      await page.reload();
      const host = page.locator('mailmover-launcher[data-kind="webmail"]');
      await host.waitFor({ timeout: 15_000 });
      await host.click();
      const panel = await panelFrame(page);
      await panel.locator('[data-testid="self-form"], [data-testid="no-invite"]').first().waitFor({ timeout: 20_000 });
      await shot(page, `panel-selfhosted-${suffix}`);
      await expectPageSawNothing(page, worker, []);

      await popup.reload();
      await popup.getByTestId('site-disable').click();
      await popup.locator('[data-testid="site-toggle"][data-enabled="false"]').waitFor({ timeout: 10_000 });
      await page.reload();
      await expectNoLauncher(page, worker, loop2.origin);
      await popup.close();
      await page.close();
    }, 120_000);

    it('refuses to render the panel without the launcher’s ticket', async () => {
      const page = await context.newPage();
      // A page framing panel.html itself (it is web-accessible) gets the refusal, not the tools.
      await page.goto(`${loop1.origin}/mailmover-fixtures/console.html`);
      // The frame's load event: fired for the panel and for the error page of a blocked frame alike.
      await page.evaluate(
        (src) =>
          new Promise<void>((resolve) => {
            const f = document.createElement('iframe');
            f.src = src;
            f.id = 'evil';
            f.addEventListener('load', () => resolve(), { once: true });
            document.body.append(f);
          }),
        `${PANEL_URL}#t=AAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
      );
      // panel.html is web-accessible only under its dynamic URL (use_dynamic_url): Chromium may
      // block the fixed-id frame outright; if it loads, it must show the refusal and no field.
      const frame = page.frames().find((f) => f.url().startsWith(PANEL_URL));
      const settled = '[data-testid="panel"]:not([data-state="loading"])';
      const state = frame ? await frame.locator(settled).getAttribute('data-state', { timeout: 15_000 }).catch(() => 'blocked') : 'blocked';
      expect(['refused', 'blocked']).toContain(state);
      if (frame && state === 'refused') expect(await frame.locator('input').count()).toBe(0);
      await page.close();
    }, 60_000);
  });
});

/** The fixture page's hostile script gathers what it can: no secret, no token, no ticket. */
async function expectPageSawNothing(page: Page, worker: Worker, secrets: string[]): Promise<void> {
  await page.evaluate((id) => ((window as unknown as { __extensionId: string }).__extensionId = id), EXTENSION_ID);
  const snooped = await page.evaluate(() => (window as unknown as { __snoop(): Promise<Snooped> }).__snoop());
  // The pairing key (the extension keeps no raw token since the handshake).
  const token = await worker.evaluate(async () => {
    const c = (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, { key?: string } | undefined>> } } } }).chrome;
    return (await c.storage.local.get('bridgePairing')).bridgePairing?.key ?? '';
  });
  expect(token.length).toBeGreaterThan(10);
  const all = snooped.texts.join('\n');
  for (const s of [...secrets, token]) expect(all).not.toContain(s);
  expect(all).not.toContain('panel.html#t=');
  expect(snooped.notes).toContain('shadowRoot:null');
  expect(snooped.notes).toContain('captured:0');
  expect(snooped.notes.filter((n) => n.endsWith(':readable'))).toEqual([]);
  expect(snooped.notes.filter((n) => n.endsWith(':href-readable'))).toEqual([]);
  expect(snooped.notes).not.toContain('extension answered');
}
