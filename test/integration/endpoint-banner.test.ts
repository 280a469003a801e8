/**
 * Issue 12 (Also): endpoint.test must not repeat another service's banner. A paired client can
 * point a connection test at any host and port the bridge reaches; if the error quoted the first
 * line that came back, the bridge would read out SSH versions and internal service names for it.
 * A fake SSH server on loopback plays that service; the test asks through the real bridge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import { BridgeClient, pair } from '../support/bridge-client';

const BANNER = 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5 build-host-internal-7f3a';
/** Words of the banner that must not come back in any form. */
const LEAKS = ['OpenSSH', '9.6p1', 'Ubuntu', 'build-host-internal-7f3a', 'SSH-2.0'];

describe('endpoint.test against a service that is not a mail server', () => {
  let dir: string;
  let bridge: Bridge;
  let client: BridgeClient;
  let ssh: Server;
  let sshPort: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ssh = createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      s.write(`${BANNER}\r\n`);
    });
    await new Promise<void>((r) => ssh.listen(0, '127.0.0.1', r));
    sshPort = (ssh.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'mm-banner-'));
    bridge = await startBridge({ port: 0, stateDir: dir, stderr: null });
    const { token } = await pair(bridge.port, bridge.auth.pairing.create().code);
    client = await BridgeClient.connect(bridge.port, token);
  });

  afterAll(async () => {
    client?.close();
    await bridge?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => ssh.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const protocol of ['imap', 'pop3'] as const) {
    it(`${protocol}: says it is an SSH server, and nothing of the banner comes back`, async () => {
      const r = await client.request('endpoint.test', {
        server: { host: '127.0.0.1', port: sshPort, security: 'plain', allowPlaintext: true, insecureTls: false, protocol },
        user: 'alice@old.example.com',
        password: 'Banner-Test-pw1',
        detect: false,
      });
      const json = JSON.stringify(r);
      for (const leak of LEAKS) expect(json, `the response repeats "${leak}"`).not.toContain(leak);
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ code: 'CONFIG_INVALID' });
      expect(r.error!.message).toMatch(/SSH server/);
      expect(r.error!.remedy?.en).toContain('This port answers as an SSH server');
      expect(r.error!.remedy?.zh).toContain('该端口上是SSH 服务器');
      expect(r.report?.greeting ?? null).toBeNull();
    });
  }

  it('a mail server refusing in its greeting is still quoted (that text helps the admin)', async () => {
    const refusing = createServer((s) => {
      s.on('error', () => undefined);
      s.end('* BYE Too many connections from your IP, try again later\r\n');
    });
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
    try {
      const port = (refusing.address() as { port: number }).port;
      const r = await client.request('endpoint.test', {
        server: { host: '127.0.0.1', port, security: 'plain', allowPlaintext: true, insecureTls: false, protocol: 'imap' },
        user: 'alice@old.example.com',
        password: 'Banner-Test-pw1',
        detect: false,
      });
      expect(r.ok).toBe(false);
      expect(r.error!.code).toBe('THROTTLED');
      expect(r.error!.message).toContain('Too many connections from your IP');
    } finally {
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });
});
