/**
 * Attacks on the bridge's HTTP routes and WebSocket, each of which must be refused
 * without harming the bridge: web-page and content-script origins, DNS rebinding
 * (a foreign Host), no token, a wrong, revoked or foreign token, oversized frames,
 * garbage, floods, and pairing-code guessing. The bridge runs in-process here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { CLOSE_CODES, MAX_FRAME_BYTES } from '../../shared/protocol/version';
import { BridgeClient, EXT_ORIGIN, RequestFailed, httpRequest, pair } from '../support/bridge-client';
import { REPO_ROOT } from '../support/cli-runner';

const run = promisify(execFile);
const WEB_PAGE = 'https://evil.example';
// A content script runs in the webmail console; its socket carries the page's origin.
const CONTENT_SCRIPT = 'https://qiye.aliyun.com';
const OTHER_EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const FIREFOX_EXTENSION = 'moz-extension://0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

function cli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(REPO_ROOT, 'bridge', 'cli', 'bin.mjs'), ...args], { cwd: REPO_ROOT });
}

describe('bridge security', () => {
  let dir: string;
  let bridge: Bridge;
  let token: string;
  let tokenId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailmover-bridge-sec-'));
    bridge = await startBridge({ port: 0, stateDir: dir, stderr: null, helloTimeoutMs: 1500, pairing: { maxFailures: 5, windowMs: 60_000 }, flood: { burst: 50, perSecond: 20 } });
    ({ token, tokenId } = await pair(bridge.port, bridge.auth.pairing.create().code));
  });

  afterAll(async () => {
    await bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectAlive = async () => {
    const r = await httpRequest(bridge.port, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ name: BRIDGE_NAME, version: expect.any(String) });
  };

  describe('HTTP', () => {
    it('serves /health to anyone, with nothing but name and version', async () => {
      const r = await httpRequest(bridge.port, 'GET', '/health', { Origin: WEB_PAGE });
      expect(r.status).toBe(200);
      expect(Object.keys(JSON.parse(r.body)).sort()).toEqual(['name', 'version']);
    });

    it('refuses pairing from a web page, a content script, or without Origin', async () => {
      const code = bridge.auth.pairing.create().code;
      for (const origin of [WEB_PAGE, CONTENT_SCRIPT, 'null']) {
        const r = await httpRequest(bridge.port, 'POST', '/pair', { Origin: origin, 'Content-Type': 'application/json' }, JSON.stringify({ code }));
        expect(r.status, origin).toBe(403);
        expect(JSON.parse(r.body).error.code).toBe('BAD_ORIGIN');
      }
      const none = await httpRequest(bridge.port, 'POST', '/pair', { 'Content-Type': 'application/json' }, JSON.stringify({ code }));
      expect(none.status).toBe(403);
      // The code was not spent by the refused attempts.
      expect((await pair(bridge.port, code)).token).toMatch(/^mmt_/);
    });

    it('refuses a rebinding Host on every route but /health', async () => {
      const code = bridge.auth.pairing.create().code;
      for (const host of [`evil.example:${bridge.port}`, `127.0.0.1.nip.io:${bridge.port}`, '127.0.0.1:1', 'localhost']) {
        const r = await httpRequest(bridge.port, 'POST', '/pair', { Host: host, Origin: EXT_ORIGIN, 'Content-Type': 'application/json' }, JSON.stringify({ code }));
        expect(r.status, host).toBe(421);
        expect(JSON.parse(r.body).error.code).toBe('BAD_HOST');
      }
      for (const host of [`localhost:${bridge.port}`, `[::1]:${bridge.port}`]) {
        const r = await httpRequest(bridge.port, 'GET', '/jobs/job_nothinghere/report.csv', { Host: host, Origin: EXT_ORIGIN });
        expect(r.status, host).toBe(401); // past the guards, stopped by the missing token
      }
    });

    it('uses a code once, pairs a Firefox extension origin, and trusts it from then on', async () => {
      const code = bridge.auth.pairing.create().code;
      const { token: ff } = await pair(bridge.port, code.toLowerCase().replace('-', ''), FIREFOX_EXTENSION);
      const again = await httpRequest(bridge.port, 'POST', '/pair', { Origin: EXT_ORIGIN, 'Content-Type': 'application/json' }, JSON.stringify({ code }));
      expect(again.status).toBe(401);
      const c = await BridgeClient.connect(bridge.port, ff, { origin: FIREFOX_EXTENSION });
      expect((await c.request('job.list', {})).jobs).toEqual([]);
      c.close();
    });

    it('accepts a code printed by `mailmover-bridge pair` while the bridge runs', async () => {
      const { stdout } = await cli(['pair', '--state-dir', dir]);
      // The bridge runs on a port of its own (not 7878): the line carries it, as `start` prints it.
      const [, code, port] = /Pairing code: (\S+)@(\d+)/.exec(stdout)!;
      expect(Number(port)).toBe(bridge.port);
      expect((await pair(bridge.port, code!)).token).toMatch(/^mmt_/);
    });

    it('needs a token paired for the same origin to download a report', async () => {
      const path = '/jobs/job_nothinghere/report.csv';
      expect((await httpRequest(bridge.port, 'GET', path, { Origin: EXT_ORIGIN })).status).toBe(401);
      expect((await httpRequest(bridge.port, 'GET', path, { Origin: EXT_ORIGIN, Authorization: 'Bearer mmt_wrong' })).status).toBe(401);
      expect((await httpRequest(bridge.port, 'GET', path, { Origin: WEB_PAGE, Authorization: `Bearer ${token}` })).status).toBe(403);
      expect((await httpRequest(bridge.port, 'GET', path, { Origin: EXT_ORIGIN, Authorization: `Bearer ${token}` })).status).toBe(404);
    });
  });

  describe('WebSocket upgrade', () => {
    for (const [label, origin] of [
      ['a web page', WEB_PAGE],
      ['a content script (the page origin)', CONTENT_SCRIPT],
      ['an extension that never paired', OTHER_EXTENSION],
      ['no Origin at all', null],
    ] as const) {
      it(`is refused for ${label}`, async () => {
        await expect(BridgeClient.open(bridge.port, { origin })).rejects.toMatchObject({ status: 403 });
      });
    }

    it('is refused for a rebinding Host, even from the extension origin', async () => {
      await expect(BridgeClient.open(bridge.port, { host: `attacker.example:${bridge.port}` })).rejects.toMatchObject({ status: 421 });
    });

    it('is refused on other paths', async () => {
      await expect(BridgeClient.open(bridge.port, { path: '/socket' })).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('tokens', () => {
    it('closes a connection that asks for anything before hello', async () => {
      const c = await BridgeClient.open(bridge.port);
      await expect(c.request('job.list', {})).rejects.toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await c.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    });

    it('closes a connection that never says hello', async () => {
      const c = await BridgeClient.open(bridge.port);
      expect((await c.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    });

    it('refuses a wrong token', async () => {
      const c = await BridgeClient.open(bridge.port);
      await expect(c.request('hello', { token: 'mmt_' + 'A'.repeat(43), clientVersion: 't' })).rejects.toBeInstanceOf(RequestFailed);
      expect((await c.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    });

    it('refuses a token presented from another origin than it was paired for', async () => {
      const { token: ff } = await pair(bridge.port, bridge.auth.pairing.create().code, 'moz-extension://11111111-2222-4333-8444-555555555555');
      const c = await BridgeClient.open(bridge.port, { origin: FIREFOX_EXTENSION });
      await expect(c.request('hello', { token: ff, clientVersion: 't' })).rejects.toBeInstanceOf(RequestFailed);
      expect((await c.closed).code).toBe(CLOSE_CODES.FORBIDDEN);
    });

    it('lists tokens and revokes one: open connections close, the next hello fails', async () => {
      const { token: t2, tokenId: id2 } = await pair(bridge.port, bridge.auth.pairing.create().code);
      const open = await BridgeClient.connect(bridge.port, t2);
      await open.request('subscribe', {});
      const list = await cli(['tokens', 'list', '--json', '--state-dir', dir]);
      const tokens = JSON.parse(list.stdout).tokens as Array<{ id: string; revokedAt: string | null }>;
      expect(tokens.map((t) => t.id)).toContain(id2);
      expect(list.stdout).not.toContain(t2);
      await cli(['tokens', 'revoke', id2, '--state-dir', dir]);
      expect((await open.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
      const c = await BridgeClient.open(bridge.port);
      await expect(c.request('hello', { token: t2, clientVersion: 't' })).rejects.toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect((await c.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    });

    it('stores tokens and pairing codes only hashed', () => {
      const files = readdirSync(dir).filter((f) => f.startsWith('mailmover.sqlite'));
      const bytes = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
      expect(bytes.includes(Buffer.from(token))).toBe(false);
      expect(bytes.includes(Buffer.from(tokenId))).toBe(true);
    });
  });

  describe('frames', () => {
    it('answers garbage with errors and stays up', async () => {
      const c = await BridgeClient.connect(bridge.port, token);
      const next = () => c.nextRaw((m) => m.kind === 'response');
      let reply = next();
      c.send('{not json');
      expect(await reply).toMatchObject({ ok: false, id: null, error: { code: 'BAD_JSON' } });
      reply = next();
      c.send(JSON.stringify([1, 2, 3]));
      expect(await reply).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
      reply = next();
      c.send(JSON.stringify({ v: 1, id: 'x1', type: 'rm -rf', params: {} }));
      expect(await reply).toMatchObject({ ok: false, id: 'x1', error: { code: 'UNKNOWN_TYPE' } });
      reply = next();
      c.send(JSON.stringify({ v: 2, id: 'x2', type: 'job.list', params: {} }));
      expect(await reply).toMatchObject({ ok: false, id: 'x2', error: { code: 'UNSUPPORTED_VERSION' } });
      await expect(c.request('job.create', { name: '', source: { host: 'a b', port: 99999 } } as never)).rejects.toMatchObject({
        error: { code: 'INVALID_PARAMS', details: expect.arrayContaining([expect.objectContaining({ path: 'source.host' })]) },
      });
      await expect(c.request('account.start', { accountIds: ['acc_doesnotexist'] })).rejects.toMatchObject({ error: { code: 'NOT_FOUND' } });
      // Still usable after all that.
      expect((await c.request('job.list', {})).jobs).toEqual([]);
      c.close();
      await expectAlive();
    });

    it('closes on a binary frame (1003)', async () => {
      const c = await BridgeClient.connect(bridge.port, token);
      c.send(Buffer.from([0, 1, 2, 3]));
      expect((await c.closed).code).toBe(CLOSE_CODES.UNSUPPORTED_DATA);
      await expectAlive();
    });

    it('closes on an oversized frame (1009) without reading it whole', async () => {
      const c = await BridgeClient.connect(bridge.port, token);
      c.send('x'.repeat(MAX_FRAME_BYTES + 1024));
      expect((await c.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
      await expectAlive();
      const again = await BridgeClient.connect(bridge.port, token);
      expect((await again.request('job.list', {})).jobs).toEqual([]);
      again.close();
    });

    it('closes a flood (4429) and keeps serving others', async () => {
      const c = await BridgeClient.connect(bridge.port, token);
      for (let i = 0; i < 2000 && c.ws.readyState === c.ws.OPEN; i++) c.send(JSON.stringify({ v: 1, id: `f${i}`, type: 'job.list', params: {} }));
      expect((await c.closed).code).toBe(CLOSE_CODES.TOO_MANY_REQUESTS);
      const other = await BridgeClient.connect(bridge.port, token);
      expect((await other.request('job.list', {})).jobs).toEqual([]);
      other.close();
    });
  });

  // Last: it locks pairing for the rest of the window.
  it('rate-limits wrong pairing codes, then refuses even the right one', async () => {
    const good = bridge.auth.pairing.create().code;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await httpRequest(bridge.port, 'POST', '/pair', { Origin: EXT_ORIGIN, 'Content-Type': 'application/json' }, JSON.stringify({ code: 'AAAA-AAAA' }));
      statuses.push(r.status);
    }
    // 5 failures a minute (one came from the used-code test above), then 429 for every attempt.
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThan(0);
    expect(first429).toBeLessThanOrEqual(5);
    expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
    const r = await httpRequest(bridge.port, 'POST', '/pair', { Origin: EXT_ORIGIN, 'Content-Type': 'application/json' }, JSON.stringify({ code: good }));
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });
});
