/**
 * `service install|uninstall` when the service manager's commands fail (no user systemd bus:
 * an ssh session without lingering, a container): the files are written or removed all the
 * same, and the closing message has to say which of the two happened.
 *
 * The real CLI runs, with a `systemctl` (and `launchctl`) first on its PATH that fails the way
 * systemctl does without a bus: a process that exits 1, so nothing on this machine is touched.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, scratchDir } from '../support/cli-runner';

const scratch = scratchDir('service');
afterAll(() => scratch.cleanup());

/** A directory with a `systemctl` and a `launchctl` that fail as systemctl does without a user bus. */
function failingManager(): string {
  const dir = scratch.path('bin');
  mkdirSync(dir, { recursive: true });
  for (const name of ['systemctl', 'launchctl']) {
    const file = join(dir, name);
    writeFileSync(file, '#!/bin/sh\necho "Failed to connect to bus: No medium found" >&2\nexit 1\n');
    chmodSync(file, 0o755);
  }
  return dir;
}

// Linux and macOS service managers (the fake ones are shell scripts); the test machines run Linux.
describe('cli service with a service manager that fails', () => {
  const unitDir = scratch.path('units');
  const stubs = failingManager();
  const env = () => ({
    PATH: `${stubs}${delimiter}${process.env.PATH ?? ''}`,
    // macOS: the agent's plist goes under $HOME/Library/LaunchAgents.
    HOME: scratch.path('home'),
    MAILMOVER_HOME: scratch.path('data'),
  });
  const args = ['--unit-dir', unitDir, '--port', '7899', '--state-dir', scratch.path('state')];

  it('install: exit 1, the files are written and the message says they are in place', async () => {
    const r = await runCli(['install', ...args], { command: 'service', env: env() });
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stdout).toMatch(/^wrote .*mailmover-bridge\.(service|plist)$/m);
    expect(r.stdout).toMatch(/^FAILED: (systemctl|launchctl) /m);
    expect(r.stdout).toContain('Some commands failed; the service files are in place.');
    if (process.platform === 'linux') expect(existsSync(join(unitDir, 'mailmover-bridge.service'))).toBe(true);
  });

  it('uninstall: exit 1, the files are removed and the message says so, not that they are in place', async () => {
    if (process.platform === 'linux') expect(existsSync(join(unitDir, 'mailmover-bridge.service')), 'the install test wrote the unit').toBe(true);
    const r = await runCli(['uninstall', ...args], { command: 'service', env: env() });
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stdout).toMatch(/^removed .*mailmover-bridge\.(service|plist)$/m);
    expect(r.stdout).not.toContain('in place');
    expect(r.stdout).toContain('Some commands failed; the service files were removed all the same.');
    expect(r.stdout).toMatch(/to stop the service/);
    // The commands to run by hand follow, one per line.
    if (process.platform === 'linux') {
      expect(r.stdout).toMatch(/^ {2}systemctl --user disable --now mailmover-bridge\.service$/m);
      expect(existsSync(join(unitDir, 'mailmover-bridge.service'))).toBe(false);
    }
  });
});
