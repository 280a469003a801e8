/**
 * The bridge's discovery endpoint and the extension's probe of it, over real
 * loopback HTTP (no browser needed).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePort, probeBridge } from '../../extension/lib/bridge';
import { BRIDGE_NAME, DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { BRIDGE_VERSION, createHealthApp } from '../../bridge/server/health';
import { PortError, resolvePort, startBridgeServer, type RunningBridge } from '../../bridge/server/start';

describe('bridge health server', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridgeServer({ port: 0 });
  });

  afterAll(async () => {
    await bridge.close();
  });

  it('listens on 127.0.0.1 only', () => {
    expect(bridge.hostname).toBe('127.0.0.1');
    expect((bridge.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(bridge.port).toBeGreaterThan(0);
  });

  it('answers GET /health with its name and version, and nothing more', async () => {
    const response = await fetch(`${bridge.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ name: BRIDGE_NAME, version: BRIDGE_VERSION });
  });

  it('has no other routes', async () => {
    expect((await fetch(`${bridge.url}/`)).status).toBe(404);
    expect((await fetch(`${bridge.url}/health`, { method: 'POST' })).status).toBe(404);
  });

  it('reports the version it is given', async () => {
    const response = await createHealthApp('9.9.9').request('/health');
    expect(await response.json()).toEqual({ name: BRIDGE_NAME, version: '9.9.9' });
  });

  it('refuses a port that is taken', async () => {
    await expect(startBridgeServer({ port: bridge.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('resolvePort', () => {
  it('defaults to DEFAULT_BRIDGE_PORT', () => {
    expect(resolvePort([], {})).toBe(DEFAULT_BRIDGE_PORT);
    expect(DEFAULT_BRIDGE_PORT).toBe(7878);
  });

  it('takes MAILMOVER_PORT, and --port over it', () => {
    expect(resolvePort([], { MAILMOVER_PORT: '9000' })).toBe(9000);
    expect(resolvePort(['--port', '9001'], { MAILMOVER_PORT: '9000' })).toBe(9001);
    expect(resolvePort(['--port=9002'], {})).toBe(9002);
  });

  it('rejects nonsense', () => {
    expect(() => resolvePort(['--port', 'abc'], {})).toThrow(PortError);
    expect(() => resolvePort(['--port'], {})).toThrow(PortError);
    expect(() => resolvePort([], { MAILMOVER_PORT: '70000' })).toThrow(PortError);
    expect(() => resolvePort([], { MAILMOVER_PORT: '-1' })).toThrow(PortError);
  });
});

describe('extension probe (extension/lib/bridge.ts)', () => {
  let bridge: RunningBridge;
  let impostor: Server;
  let impostorPort: number;

  beforeAll(async () => {
    bridge = await startBridgeServer({ port: 0 });
    impostor = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name: 'something-else', version: '1.0.0' }));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    impostorPort = (impostor.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await bridge.close();
    await new Promise<void>((resolve) => impostor.close(() => resolve()));
  });

  it('finds the bridge', async () => {
    expect(await probeBridge(bridge.port)).toEqual({ state: 'found', version: BRIDGE_VERSION, port: bridge.port });
  });

  it('does not mistake another program for the bridge', async () => {
    expect(await probeBridge(impostorPort)).toEqual({ state: 'not-found', port: impostorPort });
  });

  it('reports not-found when nothing listens', async () => {
    const closed = await startBridgeServer({ port: 0 });
    await closed.close();
    expect(await probeBridge(closed.port)).toEqual({ state: 'not-found', port: closed.port });
  });

  it('falls back to the default port for bad stored values', () => {
    expect(normalizePort(undefined)).toBe(DEFAULT_BRIDGE_PORT);
    expect(normalizePort('abc')).toBe(DEFAULT_BRIDGE_PORT);
    expect(normalizePort(0)).toBe(DEFAULT_BRIDGE_PORT);
    expect(normalizePort(1.5)).toBe(DEFAULT_BRIDGE_PORT);
    expect(normalizePort(70000)).toBe(DEFAULT_BRIDGE_PORT);
    expect(normalizePort(9000)).toBe(9000);
    expect(normalizePort('9000')).toBe(9000);
  });
});
