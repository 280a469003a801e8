import { describe, expect, it } from 'vitest';
import { describePlan, installPlan, uninstallPlan } from '../../bridge/service/install/install';
import { launchdPlist } from '../../bridge/service/install/launchd-plist';
import { serviceSpec } from '../../bridge/service/install/service-spec';
import { quoteExecArg, systemdUnit } from '../../bridge/service/install/systemd-unit';
import { parseUnitFile, splitExecLine } from '../../bridge/service/install/unit-file-check';
import { cmdQuote, schtasksCreateArgs, windowsLauncherCmd } from '../../bridge/service/install/windows-task';

const spec = serviceSpec({ port: 7878, stateDir: '/home/zhang san/.local/share/mailmover/state', node: '/usr/bin/node', launcher: '/opt/mail mover/bridge/cli/bin.mjs', projectRoot: '/opt/mail mover' });

describe('systemd user unit', () => {
  it('is strictly valid and runs `start` with the port and state dir', () => {
    const unit = parseUnitFile(systemdUnit(spec));
    expect(unit.execStart).toEqual(['/usr/bin/node', '--single-threaded', '--max-semi-space-size=2', '/opt/mail mover/bridge/cli/bin.mjs', 'start', '--port', '7878', '--state-dir', '/home/zhang san/.local/share/mailmover/state']);
    expect(unit.sections.Service).toMatchObject({ Type: 'simple', KillSignal: 'SIGTERM', Restart: 'on-failure', UMask: '0077', WorkingDirectory: '/opt/mail mover' });
    expect(Number(unit.sections.Service!.TimeoutStopSec)).toBeGreaterThanOrEqual(60);
    expect(unit.sections.Install).toEqual({ WantedBy: 'default.target' });
    // User units cannot order against system targets such as network-online.target.
    expect(unit.sections.Unit!.After).toBeUndefined();
  });

  it('quotes specifiers, variables, quotes and backslashes so systemd reads them back unchanged', () => {
    for (const s of ['100%', '$HOME', 'a"b', 'c\\d', 'é 中文']) expect(splitExecLine(quoteExecArg(s))).toEqual([s]);
    expect(() => quoteExecArg('a\nb')).toThrow();
    const odd = serviceSpec({ port: 1, stateDir: '/tmp/100%/$x', node: '/usr/bin/node', launcher: '/l.mjs', projectRoot: '/p%' });
    expect(parseUnitFile(systemdUnit(odd)).execStart.at(-1)).toBe('/tmp/100%/$x');
  });

  it('the checker rejects what systemd would misread', () => {
    const good = systemdUnit(spec);
    expect(() => parseUnitFile(good.replace('[Install]', '[Instal]'))).toThrow(/section/);
    expect(() => parseUnitFile(good.replace('Restart=on-failure', 'Restart=on-failure\nRestart=always'))).toThrow(/twice/);
    expect(() => parseUnitFile(good.replace('Type=simple', 'Typo=simple'))).toThrow(/unexpected key/);
    expect(() => parseUnitFile(good.replace('"start"', '"100%"'))).toThrow(/specifier/);
    expect(() => parseUnitFile(good.replace('ExecStart="/usr/bin/node"', 'ExecStart="node"'))).toThrow(/absolute/);
  });

  it('install and uninstall plans', () => {
    const plan = installPlan(spec, { platform: 'linux', unitDir: '/u' });
    expect(plan.files[0]!.path).toBe('/u/mailmover-bridge.service');
    expect(plan.commands).toEqual([['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', 'mailmover-bridge.service']]);
    const un = uninstallPlan(spec, { platform: 'linux', unitDir: '/u' });
    expect(un.remove).toEqual(['/u/mailmover-bridge.service']);
    expect(un.commandsAfter).toEqual([['systemctl', '--user', 'daemon-reload']]);
    expect(describePlan(plan)).toContain('ExecStart=');
  });
});

describe('launchd agent', () => {
  it('is a well-formed plist with escaped arguments', () => {
    const s = serviceSpec({ port: 7878, stateDir: '/Users/a&b/state', node: '/usr/local/bin/node', launcher: '/x/<bin>.mjs', projectRoot: '/x' });
    const xml = launchdPlist(s);
    expect(xml).toContain('<string>/Users/a&amp;b/state</string>');
    expect(xml).toContain('<string>/x/&lt;bin&gt;.mjs</string>');
    expect(xml).toMatch(/<key>Label<\/key>\s*<string>com\.mailmover\.bridge<\/string>/);
    expect(xml).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    // Balanced tags: every opened element is closed.
    const opened = [...xml.matchAll(/<(dict|array|plist|key|string|integer)\b[^>]*>/g)].length;
    const closed = [...xml.matchAll(/<\/(dict|array|plist|key|string|integer)>/g)].length;
    expect(opened).toBe(closed);
    const plan = installPlan(s, { platform: 'darwin', home: '/Users/a', uid: 501 });
    expect(plan.files[0]!.path).toBe('/Users/a/Library/LaunchAgents/com.mailmover.bridge.plist');
    expect(plan.commands.at(-1)).toEqual(['launchctl', 'bootstrap', 'gui/501', '/Users/a/Library/LaunchAgents/com.mailmover.bridge.plist']);
  });
});

describe('Windows logon task', () => {
  it('runs a .cmd with the quoted command line at logon', () => {
    const s = serviceSpec({ port: 7878, stateDir: 'C:\\Users\\u\\AppData\\Local\\mailmover\\state', node: 'C:\\Program Files\\nodejs\\node.exe', launcher: 'C:\\mm\\bridge\\cli\\bin.mjs', projectRoot: 'C:\\mm' });
    const cmd = windowsLauncherCmd(s);
    expect(cmd).toContain('"C:\\Program Files\\nodejs\\node.exe" "--single-threaded" "--max-semi-space-size=2" "C:\\mm\\bridge\\cli\\bin.mjs" "start" "--port" "7878"');
    expect(cmd.split('\r\n')[0]).toBe('@echo off');
    expect(cmdQuote('50%')).toBe('"50%%"');
    expect(() => cmdQuote('a"b')).toThrow();
    expect(schtasksCreateArgs('C:\\x.cmd')).toEqual(['/Create', '/F', '/TN', 'mailmover-bridge', '/SC', 'ONLOGON', '/RL', 'LIMITED', '/TR', '"C:\\x.cmd"']);
  });
});
