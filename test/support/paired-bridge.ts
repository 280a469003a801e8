import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import { BridgeClient, pair } from './bridge-client';

type BridgeOptions = Parameters<typeof startBridge>[0];

/**
 * A bridge in this process on a fresh state dir under the OS temp dir (`prefix`), with the
 * service's quick retries of the integration tests, paired and connected as the extension is,
 * subscribed to its events. The caller closes the client and the bridge and removes `dir`.
 */
export async function startPairedBridge(prefix: string, options: Partial<BridgeOptions> = {}): Promise<{ dir: string; bridge: Bridge; c: BridgeClient }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const bridge = await startBridge({ port: 0, stateDir: dir, stderr: null, retry: { baseMs: 100, maxMs: 400 }, engineRetryBaseMs: 20, ...options });
  const { token } = await pair(bridge.port, bridge.auth.pairing.create().code);
  const c = await BridgeClient.connect(bridge.port, token);
  await c.request('subscribe', {});
  return { dir, bridge, c };
}
