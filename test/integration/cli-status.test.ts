import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import { runStatus } from '../../bridge/cli/status-command';
import { getFreePort } from '../harness/free-port';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { seedFolder } from '../harness/mailbox';
import { bulkMessages } from '../support/corpus';
import { describeRun, runCliInProcess, serverUrl } from '../support/cli-runner';

/**
 * `status --state-dir DIR` is about that state dir: its own bridge (the port it recorded
 * there), never another bridge that happens to answer on the port, and the command line's
 * migrations kept in it, not only the service's accounts.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Status-src-pw-4Rt' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Status-tgt-pw-8Yu' };

describe('cli status', () => {
  let bridge: Bridge;
  let src: DovecotServer;
  let tgt: DovecotServer;
  const bridgeDir = mkdtempSync(join(tmpdir(), 'mm-status-bridge-'));
  const cliDir = mkdtempSync(join(tmpdir(), 'mm-status-cli-'));

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: 'status-src', users: [alice] }), startDovecot({ name: 'status-tgt', users: [bob] })]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(6, 81));
    bridge = await startBridge({ port: 0, stateDir: bridgeDir, stderr: null });
  });
  afterAll(async () => {
    await bridge?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
    rmSync(bridgeDir, { recursive: true, force: true });
    rmSync(cliDir, { recursive: true, force: true });
  });

  async function status(port: number, dir: string): Promise<{ code: number; lines: string[]; json: Record<string, unknown> }> {
    const lines: string[] = [];
    const code = await runStatus(port, dir, (l) => lines.push(l));
    const out: string[] = [];
    await runStatus(port, dir, (l) => out.push(l), true);
    return { code, lines, json: JSON.parse(out.join('\n')) as Record<string, unknown> };
  }

  it("another state dir's bridge on the port is not this one's: exit 3, and it says so", async () => {
    const s = await status(bridge.port, cliDir);
    expect(s.code).toBe(3);
    expect(s.lines[0]).toBe(`A bridge (${String(s.json.otherBridgeOnPort && (s.json.otherBridgeOnPort as { version: string }).version)}) answers on http://127.0.0.1:${bridge.port}, but this state dir records no running bridge: that one uses another state dir, or was started by a version that did not record itself`);
    expect(s.json).toMatchObject({ running: false, otherBridgeOnPort: { url: `http://127.0.0.1:${bridge.port}` } });
  });

  it("the state dir's own bridge is found on the port it recorded, whatever port is asked about: exit 0", async () => {
    const elsewhere = await getFreePort();
    const s = await status(elsewhere, bridgeDir);
    expect(s.code).toBe(0);
    expect(s.lines[0]).toMatch(new RegExp(`is running on http://127\\.0\\.0\\.1:${bridge.port} with this state dir$`));
    expect(s.json).toMatchObject({ running: true, url: `http://127.0.0.1:${bridge.port}` });
  });

  it("lists the command line's migrations kept in the state dir", async () => {
    const r = await runCliInProcess(
      ['--source', serverUrl(src, { user: alice.user }), '--source-password-env', 'SRC_PW', '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'TGT_PW', '--allow-plaintext', '--state-dir', cliDir],
      { env: { SRC_PW: alice.password, TGT_PW: bob.password } },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const s = await status(await getFreePort(), cliDir);
    expect(s.code).toBe(3);
    expect(s.lines).toContain('Command-line migrations:');
    expect(s.lines.find((l) => l.startsWith(`  ${alice.user}@`))).toMatch(new RegExp(`^  ${alice.user}@127\\.0\\.0\\.1:${src.imapPort} -> ${bob.user}@127\\.0\\.0\\.1:${tgt.imapPort}: 6 copied, 0 already there, 0 skipped; last run \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`));
    expect(s.json.cliMigrations).toEqual([expect.objectContaining({ copied: 6, skipped: 0, alreadyPresent: 0 })]);
    // ISO 8601 in UTC, the same instant as the line's, within the run's minute.
    const lastActivity = (s.json.cliMigrations as Array<{ lastActivity: string }>)[0]!.lastActivity;
    expect(lastActivity).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(lastActivity) - Date.now())).toBeLessThan(10 * 60_000);
    expect(s.lines.join('\n')).toContain(`last run ${lastActivity.replace('T', ' ').replace('Z', '')} UTC`);
  });
});
