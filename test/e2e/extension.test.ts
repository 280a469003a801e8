/**
 * End-to-end: the built extension in a real (headless) Chromium, talking to a
 * real bridge health server.
 *
 * Needs a Chromium that still honours --load-extension (Debian's `chromium`
 * package does; branded Google Chrome does not). Path: MAILMOVER_CHROMIUM, or
 * /usr/bin/chromium. Screenshots go to MAILMOVER_SCREENSHOTS, or
 * /tmp/mailmover-screens.
 *
 * One build serves every test: the background reads the bridge port from
 * chrome.storage.local 'bridgePort', which the tests set through the service
 * worker before opening the popup.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, EXTENSION_PUBLIC_KEY } from '../../shared/extension-id';
import { translate, type Locale } from '../../extension/i18n';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { BRIDGE_VERSION } from '../../bridge/server/health';
import { startBridgeServer, type RunningBridge } from '../../bridge/server/start';
import { CHROMIUM, EXTENSION_DIR, SCREENSHOTS, chromiumArgs, ensureExtensionBuilt } from './support/browser';


/** A loopback port that nothing listens on (it was free a moment ago). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The chrome.* surface the tests use inside the service worker. */
interface WorkerChrome {
  storage?: { local?: { set(items: Record<string, unknown>): Promise<void> } };
}

async function setBridgePort(worker: Worker, port: number): Promise<void> {
  // The worker target can appear a moment before chrome.* is bound into it.
  await expect
    .poll(() => worker.evaluate(() => typeof (globalThis as { chrome?: WorkerChrome }).chrome?.storage?.local), {
      timeout: 10_000,
    })
    .toBe('object');
  await worker.evaluate(async (bridgePort) => {
    await (globalThis as { chrome?: WorkerChrome }).chrome!.storage!.local!.set({ bridgePort });
  }, port);
}

async function openPopup(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
  return page;
}

function statusCard(page: Page, state: 'not-found' | 'unpaired' | 'connected') {
  return page.locator(`[data-testid="bridge-status"][data-state="${state}"]`);
}

describe('mailmover extension in Chromium', () => {
  let bridge: RunningBridge;
  let closedPort: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium, or set MAILMOVER_CHROMIUM)`);
    }
    await ensureExtensionBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    bridge = await startBridgeServer({ port: 0 });
    closedPort = await unusedPort();
  }, 180_000);

  afterAll(async () => {
    await bridge?.close();
  });

  it('pins the documented extension id with the manifest key', () => {
    const manifest = JSON.parse(readFileSync(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
      key?: string;
      permissions?: string[];
      host_permissions?: string[];
      content_scripts?: Array<{ matches: string[] }>;
    };
    expect(manifest.key).toBe(EXTENSION_PUBLIC_KEY);
    // scripting + activeTab: the popup's "enable on this site" (registerContentScripts, the current tab's address).
    expect(manifest.permissions).toEqual(['storage', 'alarms', 'notifications', 'scripting', 'activeTab']);
    expect(manifest.host_permissions).toEqual(['http://127.0.0.1/*', 'http://localhost/*']);
    // The production build has no loopback fixture pages among the launcher's matches (the e2e build does).
    expect(manifest.content_scripts?.flatMap((c) => c.matches).filter((m) => /127\.0\.0|localhost/.test(m))).toEqual([]);
    const hex = createHash('sha256').update(Buffer.from(EXTENSION_PUBLIC_KEY, 'base64')).digest('hex');
    const id = [...hex.slice(0, 32)].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
    expect(id).toBe(EXTENSION_ID);
  });

  describe.each([
    { browserLocale: 'en-US', locale: 'en' as Locale },
    { browserLocale: 'zh-CN', locale: 'zh-CN' as Locale },
  ])('popup with browser language $browserLocale', ({ browserLocale, locale }) => {
    let userDataDir: string;
    let context: BrowserContext;
    let worker: Worker;

    beforeAll(async () => {
      userDataDir = await mkdtemp(path.join(os.tmpdir(), 'mailmover-e2e-'));
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        locale: browserLocale,
        viewport: { width: 360, height: 400 },
        deviceScaleFactor: 2,
        args: chromiumArgs(browserLocale, EXTENSION_DIR),
      });
      worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    it('runs the background service worker under the stable id', () => {
      expect(worker.url()).toBe(`chrome-extension://${EXTENSION_ID}/background.js`);
    });

    it('explains how to start the bridge when it is not running', async () => {
      await setBridgePort(worker, closedPort);
      const page = await openPopup(context);
      const card = statusCard(page, 'not-found');
      await card.waitFor({ timeout: 15_000 });
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      const text = await card.innerText();
      expect(text).toContain(translate(locale, 'notFoundTitle'));
      expect(text).toContain('npm start');
      expect(text).toContain(translate(locale, 'notFoundHint', { address: `127.0.0.1:${closedPort}` }));
      await page.locator('body').screenshot({ path: path.join(SCREENSHOTS, `popup-not-found-${locale}.png`) });
      await page.close();
    }, 30_000);

    it('shows the bridge name and version once it runs, and asks for the pairing code', async () => {
      await setBridgePort(worker, closedPort);
      const page = await openPopup(context);
      await statusCard(page, 'not-found').waitFor({ timeout: 15_000 });
      // Point the extension at the running bridge: the background watches the port setting and
      // looks there at once; the open popup follows the state it writes to Dexie.
      await setBridgePort(worker, bridge.port);
      const card = statusCard(page, 'unpaired');
      await card.waitFor({ timeout: 15_000 });
      await expect.poll(() => card.innerText(), { timeout: 10_000 }).toContain(translate(locale, 'foundVersion', { version: BRIDGE_VERSION }));
      const text = await card.innerText();
      expect(text).toContain(translate(locale, 'foundTitle'));
      expect(text).toContain(BRIDGE_NAME);
      expect(text).toContain(translate(locale, 'foundVersion', { version: BRIDGE_VERSION }));
      expect(await card.getByLabel(translate(locale, 'pairCodeLabel')).count()).toBe(1);
      await page.locator('body').screenshot({ path: path.join(SCREENSHOTS, `popup-unpaired-${locale}.png`) });
      await page.close();
    }, 30_000);
  });
});
