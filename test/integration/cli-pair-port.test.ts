/**
 * `mailmover-bridge pair` prints the code with the port of the bridge running on the state dir
 * (K7QM-2XPR@7879), as `start` does, when that port is not the default: the running bridge
 * records its port in the state dir (owner-only), removes it when it stops, and a record left by
 * a process that is gone is not used. Run in-process (runCliInProcess), the bridge too.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBridge } from '../../bridge/server/bridge';
import { PORT_RECORD_FILE, runningBridgePort, writePortRecord } from '../../bridge/server/port-record';
import { openServiceDb } from '../../bridge/service/db';
import { runCliInProcess, scratchDir } from '../support/cli-runner';
import { pair } from '../support/bridge-client';

const scratch = scratchDir('pair-port');
afterAll(() => scratch.cleanup());

const CODE = /Pairing code: ([A-Z0-9]{4}-[A-Z0-9]{4})(?:@(\d+))?\n/;

describe('pair and the running bridge’s port', () => {
  it('prints CODE@PORT for a bridge on another port, and the code pairs there', async () => {
    const stateDir = scratch.path('running');
    const bridge = await startBridge({ stateDir, port: 0, stderr: null });
    try {
      const record = join(stateDir, PORT_RECORD_FILE);
      expect(existsSync(record)).toBe(true);
      if (process.platform !== 'win32') expect(statSync(record).mode & 0o777).toBe(0o600);
      const r = await runCliInProcess(['--state-dir', stateDir], { command: 'pair' });
      expect(r.code, r.stderr).toBe(0);
      const [, code, port] = CODE.exec(r.stdout)!;
      expect(Number(port)).toBe(bridge.port);
      expect((await pair(bridge.port, code!)).token).toMatch(/^mmt_/);
    } finally {
      await bridge.close();
    }
    expect(existsSync(join(stateDir, PORT_RECORD_FILE))).toBe(false);
    const after = await runCliInProcess(['--state-dir', stateDir], { command: 'pair' });
    expect(CODE.exec(after.stdout)?.[2]).toBeUndefined();
  });

  it('prints the bare code when nothing runs, or the recorded process is gone', async () => {
    const stateDir = scratch.path('stale');
    openServiceDb(stateDir).close(); // pair needs a state store: a bridge ran here before
    const bare = await runCliInProcess(['--state-dir', stateDir], { command: 'pair' });
    expect(bare.code, bare.stderr).toBe(0);
    expect(CODE.exec(bare.stdout)?.[2]).toBeUndefined();

    writePortRecord(stateDir, 7879, 4_194_305); // above Linux's largest pid_max (2^22): no such process
    expect(runningBridgePort(stateDir)).toBeNull();
    expect(runningBridgePort(stateDir, () => true)).toBe(7879);
    const stale = await runCliInProcess(['--state-dir', stateDir], { command: 'pair' });
    expect(CODE.exec(stale.stdout)?.[2]).toBeUndefined();

    writeFileSync(join(stateDir, PORT_RECORD_FILE), 'not json');
    expect(runningBridgePort(stateDir, () => true)).toBeNull();
  });

  it('prints the bare code for a bridge on the default port', async () => {
    const stateDir = scratch.path('default');
    mkdirSync(stateDir, { recursive: true });
    openServiceDb(stateDir).close();
    writePortRecord(stateDir, 7878);
    const r = await runCliInProcess(['--state-dir', stateDir], { command: 'pair' });
    expect(CODE.exec(r.stdout)?.[2]).toBeUndefined();
  });
});
