/**
 * Issue 12 #2, in Chromium: with the real bridge stopped, another program (say another local
 * user's) listens on the bridge port, answers /health exactly like the bridge and accepts the
 * WebSocket. It records everything it receives and plays along as far as it can (a forged
 * proof for the handshake, "ok" for a plain hello). The extension must send it nothing but the
 * opening challenge (a nonce and the token id): neither a token, nor the pairing key, nor a
 * password a page then tries to test; and the popup must say "not your bridge".
 * Then the real bridge comes back on the same port and the extension reconnects by itself
 * (pairing and reconnect after a restart keep working with the handshake).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { EXTENSION_ID } from '../../shared/extension-id';
import { translator, type Locale } from '../../extension/i18n';
import { BRIDGE_VERSION } from '../../bridge/server/health';
import { AuthChallengeSchema } from '../../shared/protocol/messages';
import { randomB64url } from '../../shared/protocol/handshake';
import { getFreePort } from '../harness/free-port';
import { BridgeProcess, EarlyLaunch, SCREENSHOTS, ensureExtensionBuilt, launchWithExtension, setBridgePort } from './support/browser';

const PASSWORD = 'Fake-bridge-must-not-see-Qz7!';

/** A program posing as the bridge: records every HTTP request and WebSocket frame. */
class FakeBridge {
  readonly http: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  readonly frames: string[] = [];
  private server: Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.http.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.method === 'GET' && req.url === '/health') {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify({ name: 'mailmover-bridge', version: BRIDGE_VERSION }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': req.headers.origin ?? '*' });
        res.end('{}');
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.http.push({ method: 'UPGRADE', url: req.url ?? '', headers: req.headers, body: '' });
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data) => {
          const text = String(data);
          this.frames.push(text);
          let m: { kind?: string; id?: string; type?: string } = {};
          try {
            m = JSON.parse(text) as typeof m;
          } catch {
            return;
          }
          // Play along as well as a program without the key can.
          if (m.kind === 'auth.challenge') ws.send(JSON.stringify({ v: 1, kind: 'auth.proof', nonce: randomB64url(), proof: randomB64url() }));
          else if (m.type === 'hello') ws.send(JSON.stringify({ v: 1, kind: 'response', id: m.id, ok: true, type: 'hello', result: { bridgeVersion: BRIDGE_VERSION, protocol: 1, tokenId: 'tok_x' } }));
          else if (m.id) ws.send(JSON.stringify({ v: 1, kind: 'response', id: m.id, ok: true, type: m.type, result: {} }));
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Everything it received, as one string to search. */
  everything(): string {
    return JSON.stringify(this.http) + '\n' + this.frames.join('\n');
  }
}

/** The popup's "check again", without depending on which state's button is showing. */
async function reconnect(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).chrome.runtime.sendMessage({ kind: 'bridge.reconnect' }));
}

interface WorkerChrome {
  chrome: { storage: { local: { get(k: string): Promise<Record<string, { key?: string; tokenId?: string } | undefined>> } } };
}

describe('a fake bridge on the bridge port gets nothing (issue 12 #2)', () => {
  let bridge: BridgeProcess;
  let firstCode: string;
  let stateDir: string;
  let firstBrowser: EarlyLaunch<Awaited<ReturnType<typeof launchWithExtension>>> | undefined;
  const launch = (browserLocale: string) => launchWithExtension(browserLocale, { width: 400, height: 600 });

  beforeAll(async () => {
    await ensureExtensionBuilt();
    // The first language's Chromium starts beside the bridge; its block takes it.
    firstBrowser = new EarlyLaunch(() => launch('en-US'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-fake-'));
    bridge = new BridgeProcess(await getFreePort(), stateDir);
    firstCode = await bridge.start();
  }, 240_000);

  afterAll(async () => {
    await firstBrowser?.discard();
    await bridge?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  describe.each([
    { browserLocale: 'en-US', locale: 'en' as Locale, suffix: 'en' },
    { browserLocale: 'zh-CN', locale: 'zh-CN' as Locale, suffix: 'zh' },
  ])('in $browserLocale', ({ browserLocale, locale, suffix }) => {
    let context: BrowserContext;
    let worker: Worker;
    let userDataDir: string;
    const t = translator(locale);
    const state = (page: Page, s: string) => page.locator(`[data-testid="bridge-status"][data-state="${s}"]`);

    let code: string;

    beforeAll(async () => {
      // The second language pairs with a new code from `bridge pair`, asked for while Chromium starts.
      const pairing = suffix === 'en' ? Promise.resolve(firstCode) : bridge.newPairCode();
      pairing.catch(() => undefined); // awaited below, once the browser is there to close
      ({ context, worker, userDataDir } = await (browserLocale === 'en-US' && firstBrowser ? firstBrowser.take() : launch(browserLocale)));
      code = await pairing;
      await setBridgePort(worker, bridge.port);
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    it('pairs, then sends the impostor only a challenge, shows "not your bridge", and reconnects to the real bridge after it restarts', async () => {
      const popup = await context.newPage();
      await popup.goto(`chrome-extension://${EXTENSION_ID}/popup.html`);
      await state(popup, 'unpaired').waitFor({ timeout: 20_000 });
      await popup.getByLabel(t('pairCodeLabel')).fill(code);
      await popup.getByRole('button', { name: t('pairButton') }).click();
      await state(popup, 'connected').waitFor({ timeout: 20_000 });
      const stored = await worker.evaluate(async () => (await (globalThis as unknown as WorkerChrome).chrome.storage.local.get('bridgePairing')).bridgePairing);
      expect(stored?.key?.length).toBe(43);
      // The raw token is not kept anywhere the worker can read.
      expect(JSON.stringify(await worker.evaluate(async () => (globalThis as unknown as { chrome: { storage: { local: { get(k: null): Promise<unknown> } } } }).chrome.storage.local.get(null)))).not.toMatch(/mmt_/);

      // The real bridge stops; another program takes its port.
      await bridge.stop();
      const fake = new FakeBridge(bridge.port);
      await fake.start();
      try {
        await reconnect(popup);
        await state(popup, 'impostor').waitFor({ timeout: 45_000 });
        const text = await state(popup, 'impostor').innerText();
        expect(text).toContain(t('impostorTitle'));
        await popup.screenshot({ path: path.join(SCREENSHOTS, `popup-not-your-bridge-${suffix}.png`) });

        // A page of the extension now tries to send a password through the bridge: refused locally.
        const dash = await context.newPage();
        await dash.goto(`chrome-extension://${EXTENSION_ID}/dashboard.html`);
        const answer = await dash.evaluate(async (password) => {
          const rt = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).chrome.runtime;
          return rt.sendMessage({
            kind: 'bridge.request',
            type: 'endpoint.test',
            params: { side: 'source', server: { host: 'imap.example.com', port: 993, security: 'tls' }, user: 'a@example.com', password },
          });
        }, PASSWORD);
        expect(answer).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
        await dash.close();
        await popup.getByRole('button', { name: t('impostorRetry') }).click();
        await expect.poll(() => fake.frames.length, { timeout: 20_000 }).toBeGreaterThan(1);
        await state(popup, 'impostor').waitFor({ timeout: 20_000 });

        // What the impostor got: GET /health, the upgrade, and per connection one challenge frame.
        expect(fake.frames.length).toBeGreaterThan(0);
        for (const f of fake.frames) expect(AuthChallengeSchema.strict().safeParse(JSON.parse(f)).success, f).toBe(true);
        expect(fake.http.filter((r) => r.method !== 'UPGRADE' && !(r.method === 'GET' && r.url === '/health'))).toEqual([]);
        const all = fake.everything();
        expect(all).not.toContain(stored!.key!);
        expect(all).not.toContain(PASSWORD);
        expect(all).not.toMatch(/mmt_|"token"|authorization/i);
      } finally {
        await fake.stop();
      }

      // The real bridge is back on the same port: the extension reconnects, no new pairing needed.
      await bridge.start();
      await reconnect(popup);
      await state(popup, 'connected').waitFor({ timeout: 45_000 });
      await popup.close();
    }, 180_000);
  });
});
