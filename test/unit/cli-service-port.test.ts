/**
 * `service install` and its port: the service starts the bridge at every logon on the port written
 * into it, and the extension looks for the bridge on the port it paired with. Port 0 (a free port
 * picked at each start) is refused, from --port or MAILMOVER_PORT; a worker listens on no port, so
 * a --port given with --worker is refused instead of dropped. All --dry-run: nothing is installed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeNewClusterKey } from '../../bridge/queue/cluster-key';
import { describeRun, runCliInProcess, scratchDir } from '../support/cli-runner';

const scratch = scratchDir('service-port');
afterAll(() => scratch.cleanup());

describe('cli service install --port', () => {
  const base = ['install', '--dry-run', '--unit-dir', scratch.path('units'), '--state-dir', scratch.path('state')];
  const install = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCliInProcess([...base, ...args], { command: 'service', env: { MAILMOVER_PORT: undefined, MAILMOVER_HOME: scratch.path('home'), ...env } });

  it('--port 0 is a usage error (exit 2) that says a service needs a fixed port, nothing described; a fixed port is written', async () => {
    const r = await install(['--port', '0']);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/service install needs a fixed port \(--port 0 /);
    expect(r.stdout).not.toMatch(/start/);

    // A fixed port is written into the service as before.
    const fixed = await install(['--port', '7901']);
    expect(fixed.code, describeRun(fixed)).toBe(0);
    expect(fixed.stdout).toMatch(/\bstart\W+--port\W+7901\b/);
  });

  it('MAILMOVER_PORT=0 without --port is refused the same way, naming the variable', async () => {
    const r = await install([], { MAILMOVER_PORT: '0' });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/needs a fixed port \(MAILMOVER_PORT=0 /);
  });


  it('--worker with --port is a usage error saying a worker listens on no port; without --port it is described', async () => {
    const keyFile = scratch.path('cluster.key');
    writeNewClusterKey(keyFile);
    const worker = ['--worker', '--queue', 'redis://127.0.0.1:6379/0', '--cluster-key-file', keyFile];
    const r = await install([...worker, '--port', '1234']);
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--port does not go with --worker: a worker listens on no port/);
    expect(r.stdout).toBe('');

    const ok = await install(worker);
    expect(ok.code, describeRun(ok)).toBe(0);
    expect(ok.stdout).toMatch(/mailmover-worker/);
  });
});
