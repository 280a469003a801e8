import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workerSpec } from '../../bridge/cli/service-command';
import { applyPlan, describePlan, installPlan, statusCommand, uninstallPlan } from '../../bridge/service/install/install';
import { launchdPlist } from '../../bridge/service/install/launchd-plist';
import { workerServiceSpec } from '../../bridge/service/install/service-spec';
import { systemdUnit } from '../../bridge/service/install/systemd-unit';
import { parseUnitFile } from '../../bridge/service/install/unit-file-check';
import { windowsLauncherCmd } from '../../bridge/service/install/windows-task';
import { writeNewClusterKey } from '../../bridge/queue/cluster-key';

/**
 * `service install --worker --queue URL`: the queue worker as a systemd user unit, a launchd
 * agent or a Windows logon task. The Redis URL (which may hold the Redis password) is in the
 * service's environment, in a file only the user can read, never on its command line.
 */
const URL_WITH_PW = 'rediss://mm:Redis%24pw"x@redis.lan:6380/2';
const spec = workerServiceSpec({
  queue: URL_WITH_PW,
  clusterKeyFile: '/home/zhang san/.local/share/mailmover/cluster.key',
  stateDir: '/home/zhang san/.local/share/mailmover/worker-state',
  concurrency: 3,
  name: 'worker-a',
  node: '/usr/bin/node',
  launcher: '/opt/mm/bridge/cli/bin.mjs',
  projectRoot: '/opt/mm',
});
const scratch = mkdtempSync(join(tmpdir(), 'mm-worker-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('worker service', () => {
  it('systemd: runs `worker` with its state dir, the queue from an EnvironmentFile, no restart after a refusal', () => {
    const unit = parseUnitFile(systemdUnit(spec));
    expect(unit.execStart).toEqual(['/usr/bin/node', '--single-threaded', '--max-semi-space-size=2', '/opt/mm/bridge/cli/bin.mjs', 'worker', '--state-dir', '/home/zhang san/.local/share/mailmover/worker-state', '--concurrency', '3', '--name', 'worker-a']);
    expect(unit.sections.Service).toMatchObject({ KillSignal: 'SIGTERM', Restart: 'on-failure', RestartPreventExitStatus: '3', EnvironmentFile: '/home/zhang san/.local/share/mailmover/mailmover-worker.env' });
    expect(unit.sections.Unit!.Description).toBe('mailmover queue worker (mailbox migration)');
    expect(systemdUnit(spec)).not.toContain('Redis');

    const plan = installPlan(spec, { platform: 'linux', unitDir: '/u' });
    expect(plan.files.map((f) => [f.path, f.mode ?? 0o644])).toEqual([
      ['/u/mailmover-worker.service', 0o644],
      ['/home/zhang san/.local/share/mailmover/mailmover-worker.env', 0o600],
    ]);
    expect(plan.files[1]!.content).toBe(`MAILMOVER_QUEUE="rediss://mm:Redis%24pw\\"x@redis.lan:6380/2"\nMAILMOVER_CLUSTER_KEY_FILE="/home/zhang san/.local/share/mailmover/cluster.key"\n`);
    expect(plan.commands.at(-1)).toEqual(['systemctl', '--user', 'enable', '--now', 'mailmover-worker.service']);
    // --dry-run shows the unit but not the file with the password.
    const dry = describePlan(plan);
    expect(dry).toContain('ExecStart=');
    expect(dry).toContain('mailmover-worker.env (mode 600');
    expect(dry).not.toContain('Redis%24pw');
    expect(uninstallPlan(spec, { platform: 'linux', unitDir: '/u' }).remove).toEqual(['/u/mailmover-worker.service', '/home/zhang san/.local/share/mailmover/mailmover-worker.env']);
    expect(statusCommand({ platform: 'linux', spec })).toEqual(['systemctl', '--user', 'status', '--no-pager', 'mailmover-worker.service']);
  });

  it('launchd: its own label, the environment in a plist only the user reads', () => {
    const xml = launchdPlist(spec);
    expect(xml).toMatch(/<key>Label<\/key>\s*<string>com\.mailmover\.worker<\/string>/);
    expect(xml).toMatch(/<key>EnvironmentVariables<\/key>\s*<dict>\s*<key>MAILMOVER_QUEUE<\/key>\s*<string>rediss:\/\/mm:Redis%24pw&quot;x@redis\.lan:6380\/2<\/string>/);
    const opened = [...xml.matchAll(/<(dict|array|plist|key|string|integer)\b[^>]*>/g)].length;
    expect([...xml.matchAll(/<\/(dict|array|plist|key|string|integer)>/g)].length).toBe(opened);
    const plan = installPlan(spec, { platform: 'darwin', home: '/Users/a', uid: 501 });
    expect(plan.files[0]).toMatchObject({ path: '/Users/a/Library/LaunchAgents/com.mailmover.worker.plist', mode: 0o600, secret: true });
    expect(plan.commands[0]).toEqual(['launchctl', 'bootout', 'gui/501/com.mailmover.worker']);
  });

  it('Windows: a logon task of its own running a .cmd that sets the queue and runs `worker`', () => {
    const w = workerServiceSpec({ queue: 'redis://:p%w@q:6379/0', clusterKeyFile: 'C:\\mm\\cluster.key', stateDir: 'C:\\Users\\u\\AppData\\Local\\mailmover\\worker-state', node: 'C:\\node.exe', launcher: 'C:\\mm\\bin.mjs', projectRoot: 'C:\\mm' });
    const cmd = windowsLauncherCmd(w).split('\r\n');
    expect(cmd[1]).toBe('set "MAILMOVER_QUEUE=redis://:p%%w@q:6379/0"');
    expect(cmd.at(-2)).toContain('"C:\\mm\\bin.mjs" "worker" "--state-dir"');
    const plan = installPlan(w, { platform: 'win32' });
    expect(plan.commands[0]).toContain('mailmover-worker');
    expect(plan.commands[1]).toEqual(['schtasks', '/Run', '/TN', 'mailmover-worker']);
  });

  it('checks the queue URL and the key file before installing, and writes the secret file 0600', () => {
    const key = join(scratch, 'cluster.key');
    writeNewClusterKey(key);
    expect(() => workerSpec({ clusterKeyFile: key }, {})).toThrow(/--queue/);
    expect(() => workerSpec({ queue: 'http://x', clusterKeyFile: key }, {})).toThrow();
    expect(() => workerSpec({ queue: 'redis://q:6379', clusterKeyFile: join(scratch, 'missing.key') }, {})).toThrow();
    const s = workerSpec({ stateDir: join(scratch, 'ws'), clusterKeyFile: key }, { MAILMOVER_QUEUE: 'redis://:pw@q:6379/0' });
    expect(s.env).toEqual({ MAILMOVER_QUEUE: 'redis://:pw@q:6379/0', MAILMOVER_CLUSTER_KEY_FILE: key });
    const plan = installPlan(s, { platform: 'linux', unitDir: join(scratch, 'units') });
    const env = plan.files[1]!.path;
    writeFileSync(env, 'old', { mode: 0o644 });
    applyPlan({ ...plan, commands: [] }, () => undefined);
    expect(statSync(env).mode & 0o777).toBe(0o600);
    expect(readFileSync(env, 'utf8')).toContain('MAILMOVER_QUEUE="redis://:pw@q:6379/0"');
  });

  it('a private CA for a rediss:// queue goes into the environment as MAILMOVER_QUEUE_CA, checked before installing', () => {
    const key = join(scratch, 'cluster-tls.key');
    writeNewClusterKey(key);
    const ca = join(scratch, 'ca.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const s = workerSpec({ queue: 'rediss://:pw@q:6380/0', clusterKeyFile: key, queueCa: ca, stateDir: join(scratch, 'ws') }, {});
    expect(s.env).toEqual({ MAILMOVER_QUEUE: 'rediss://:pw@q:6380/0', MAILMOVER_CLUSTER_KEY_FILE: key, MAILMOVER_QUEUE_CA: ca });
    expect(() => workerSpec({ queue: 'redis://:pw@q:6379/0', clusterKeyFile: key, queueCa: ca }, {})).toThrow('--queue-ca goes with a rediss:// (TLS) queue URL');
    expect(() => workerSpec({ queue: 'rediss://q:6380/0', clusterKeyFile: key }, { MAILMOVER_QUEUE_CA: key })).toThrow(/MAILMOVER_QUEUE_CA: .* holds no PEM certificate/);
  });
});
