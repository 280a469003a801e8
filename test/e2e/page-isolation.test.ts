/**
 * Issue 12 #3 and #7 in Chromium, with the e2e build (its launcher runs on the loopback fixture
 * pages) and the real bridge, paired:
 * - #3: code run in the content script's own isolated world (reached through the DevTools
 *   protocol, as a compromised content script would run) cannot read chrome.storage.local,
 *   where the pairing key is, and cannot drive the bridge (bridge.status, job.list); the narrow
 *   panel API (panel.setup) still answers it;
 * - #7: an overlay the page appends after the launcher does not stay above it (the launcher is
 *   re-appended last); an overlay over the open panel disables the panel (IntersectionObserver
 *   v2) until it goes; panel.html is web-accessible only under the per-session dynamic URL, so
 *   the page cannot load it by the extension's fixed id.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, CDPSession, Frame, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator, type Locale } from '../../extension/i18n';
import { getFreePort } from '../harness/free-port';
import { BridgeProcess, EarlyLaunch, ROOT, SCREENSHOTS, TEST_EXTENSION_DIR, ensureTestExtensionBuilt, launchWithExtension, pairInPopup, setBridgePort } from './support/browser';

const FIXTURES = path.join(ROOT, 'test', 'e2e', 'fixtures');

async function fixtureServer(): Promise<{ server: Server; origin: string }> {
  const port = await getFreePort();
  const server = createServer((req, res) => {
    const m = /^\/mailmover-fixtures\/([a-z]+\.(?:html|js))$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) return void res.writeHead(404).end();
    readFile(path.join(FIXTURES, m[1]!), 'utf8').then(
      (text) => {
        res.writeHead(200, { 'content-type': m[1]!.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8' });
        res.end(text.replaceAll('__USER__', 'someone@example.com'));
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** Evaluates in the extension's content-script world of the page (DevTools protocol). */
async function inContentScript(page: Page): Promise<(expression: string) => Promise<unknown>> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const contexts: Array<{ id: number; origin: string; auxData?: { type?: string; frameId?: string; isDefault?: boolean } }> = [];
  cdp.on('Runtime.executionContextCreated', (e: { context: (typeof contexts)[number] }) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const mainFrame = ((await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } }).frameTree.frame.id;
  const deadline = Date.now() + 10_000;
  let ctx: (typeof contexts)[number] | undefined;
  while (!(ctx = contexts.find((c) => c.auxData?.type === 'isolated' && c.auxData.frameId === mainFrame && c.origin.startsWith('chrome-extension://')))) {
    if (Date.now() > deadline) throw new Error(`no content-script world among ${JSON.stringify(contexts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const contextId = ctx.id;
  return async (expression) => {
    const r = (await cdp.send('Runtime.evaluate', { expression, contextId, awaitPromise: true, returnByValue: true })) as { result: { value?: unknown }; exceptionDetails?: { text: string } };
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
    return r.result.value;
  };
}

async function panelFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const f = page.frames().find((fr) => /^chrome-extension:\/\/[^/]+\/panel\.html/.test(fr.url()));
    if (f) {
      await f.locator('[data-testid="panel"][data-state="ready"]').waitFor({ timeout: 20_000 });
      return f;
    }
    if (Date.now() > deadline) throw new Error(`no panel frame: ${page.frames().map((x) => x.url()).join(', ')}`);
    await page.waitForTimeout(100);
  }
}

describe('content script and page isolation (issue 12 #3, #7)', () => {
  let bridge: BridgeProcess;
  let firstCode: string;
  let stateDir: string;
  let site: { server: Server; origin: string };
  let firstBrowser: EarlyLaunch<Awaited<ReturnType<typeof launchWithExtension>>> | undefined;
  const launch = (browserLocale: string) => launchWithExtension(browserLocale, { width: 1440, height: 900 }, TEST_EXTENSION_DIR);

  beforeAll(async () => {
    await ensureTestExtensionBuilt();
    // The first language's Chromium starts beside the bridge; its block takes it.
    firstBrowser = new EarlyLaunch(() => launch('en-US'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-isolation-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir);
    [firstCode, site] = await Promise.all([bridge.start(), fixtureServer()]);
  }, 240_000);

  afterAll(async () => {
    await firstBrowser?.discard();
    await bridge?.stop();
    site?.server.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('panel.html is web-accessible only through the dynamic URL', () => {
    const manifest = JSON.parse(readFileSync(path.join(TEST_EXTENSION_DIR, 'manifest.json'), 'utf8')) as { web_accessible_resources: Array<{ resources: string[]; use_dynamic_url?: boolean }> };
    expect(manifest.web_accessible_resources).toEqual([expect.objectContaining({ resources: ['panel.html'], use_dynamic_url: true })]);
  });

  describe.each([
    { browserLocale: 'en-US', locale: 'en' as Locale, suffix: 'en' },
    { browserLocale: 'zh-CN', locale: 'zh-CN' as Locale, suffix: 'zh' },
  ])('in $browserLocale', ({ browserLocale, locale, suffix }) => {
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

    it('#3: the content script’s world cannot read the pairing key or call job.list', async () => {
      const page = await context.newPage();
      await page.goto(`${site.origin}/mailmover-fixtures/console.html`);
      await page.locator('mailmover-launcher').waitFor({ timeout: 15_000 });
      const run = await inContentScript(page);
      // Sanity: this is the extension's world (chrome.runtime.id is ours), not the page's.
      expect(await run('chrome.runtime.id')).toBe(EXTENSION_ID);
      const storage = String(await run(`chrome.storage.local.get(null).then((v) => 'READ:' + JSON.stringify(v), (e) => 'DENIED:' + e.message)`));
      expect(storage).toMatch(/^DENIED:/);
      const key = await worker.evaluate(async () => {
        const c = (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, { key?: string } | undefined>> } } } }).chrome;
        return (await c.storage.local.get('bridgePairing')).bridgePairing?.key ?? '';
      });
      expect(key.length).toBe(43);
      expect(storage).not.toContain(key);
      for (const message of [
        { kind: 'bridge.request', type: 'job.list', params: {} },
        { kind: 'bridge.status' },
        { kind: 'bridge.unpair' },
      ]) {
        const answer = (await run(`chrome.runtime.sendMessage(${JSON.stringify(message)})`)) as { ok: boolean; error?: { code: string }; result?: unknown };
        expect(answer, message.kind).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      }
      // The narrow API it does get: its language and whether its origin was enabled.
      expect(await run(`chrome.runtime.sendMessage({ kind: 'panel.setup' })`)).toMatchObject({ ok: true, result: { enabledKind: null } });
      // Still paired: the refused bridge.unpair did nothing.
      const popup = await context.newPage();
      await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
      await popup.locator('[data-testid="bridge-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
      await popup.close();
      await page.close();
    }, 60_000);

    it('#7: the launcher stays above a later overlay; the panel is disabled while the page covers it', async () => {
      const page = await context.newPage();
      await page.goto(`${site.origin}/mailmover-fixtures/console.html`);
      const host = page.locator('mailmover-launcher');
      await host.waitFor({ timeout: 15_000 });
      await page.evaluate(() => document.querySelector('[data-mailmover-anchor]')?.remove());
      await page.locator('mailmover-launcher[data-anchored="false"]').waitFor({ timeout: 5_000 });
      // The page appends a decoy after the launcher, at the highest z-index.
      await page.evaluate(() => {
        const d = document.createElement('div');
        d.id = 'decoy';
        d.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(255,255,255,.01)';
        document.documentElement.append(d);
      });
      await expect.poll(() => page.evaluate(() => document.documentElement.lastElementChild?.tagName), { timeout: 5_000 }).toBe('MAILMOVER-LAUNCHER');
      // What a click at the launcher's place hits is the launcher, not the decoy.
      const box = (await host.boundingBox())!;
      expect(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.tagName, [box.x + box.width / 2, box.y + box.height / 2])).toBe('MAILMOVER-LAUNCHER');
      await page.evaluate(() => document.getElementById('decoy')!.remove());

      await host.click();
      await page.locator('mailmover-launcher[data-state="open"]').waitFor();
      const panel = await panelFrame(page);
      const shell = panel.locator('[data-testid="panel"][data-state="ready"]');
      await expect.poll(() => shell.getAttribute('data-obscured'), { timeout: 10_000 }).toBe('false');

      // The page slides a transparent overlay over the open panel (classic clickjacking).
      await page.evaluate(() => {
        const d = document.createElement('div');
        d.id = 'overlay';
        d.style.cssText = 'position:fixed;inset:0;z-index:2147483647;opacity:.02;background:#fff;pointer-events:none';
        document.documentElement.append(d);
      });
      await expect.poll(() => shell.getAttribute('data-obscured'), { timeout: 10_000 }).toBe('true');
      expect(await panel.evaluate(() => (document.querySelector('.panel-body') as HTMLElement).inert)).toBe(true);
      await panel.getByTestId('panel-obscured').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, `panel-obscured-${suffix}.png`) });
      await page.evaluate(() => document.getElementById('overlay')!.remove());
      await expect.poll(() => shell.getAttribute('data-obscured'), { timeout: 10_000 }).toBe('false');
      expect(await panel.evaluate(() => (document.querySelector('.panel-body') as HTMLElement).inert)).toBe(false);

      // The page cannot load panel.html by the extension's fixed id.
      const loaded = await page.evaluate(async (url) => {
        try {
          await fetch(url);
          return 'loaded';
        } catch {
          return 'blocked';
        }
      }, `chrome-extension://${EXTENSION_ID}/panel.html`);
      expect(loaded).toBe('blocked');
      await page.close();
    }, 90_000);
  });
});
