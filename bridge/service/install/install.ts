import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { launchdPlist } from './launchd-plist';
import type { ServiceSpec } from './service-spec';
import { environmentFile, environmentFilePath, systemdUnit } from './systemd-unit';
import { schtasksCreateArgs, windowsLauncherCmd, windowsLauncherPath } from './windows-task';

/**
 * `mailmover-bridge service install|uninstall|status` on each OS. A plan is the
 * files to write and the commands to run; `--dry-run` prints it, otherwise it is
 * carried out and each command's failure is reported with what to run by hand.
 */
export interface ServicePlan {
  platform: 'linux' | 'darwin' | 'win32';
  /** mode: 0644 unless given; secret: holds a password (the queue URL), so --dry-run does not print its content. */
  files: Array<{ path: string; content: string; mode?: number; secret?: boolean }>;
  remove: string[];
  commands: string[][];
  /** Commands that run after the files in `remove` are gone (systemd's daemon-reload). */
  commandsAfter?: string[][];
  notes: string[];
}

export function userUnitDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user');
}

function platformOf(p: NodeJS.Platform): ServicePlan['platform'] {
  if (p === 'darwin' || p === 'win32') return p;
  return 'linux';
}

export function installPlan(spec: ServiceSpec, opts: { platform?: NodeJS.Platform; unitDir?: string; home?: string; uid?: number } = {}): ServicePlan {
  const platform = platformOf(opts.platform ?? process.platform);
  const home = opts.home ?? homedir();
  const name = spec.serviceName;
  const secret = spec.env ? { mode: 0o600, secret: true } : {};
  if (platform === 'darwin') {
    const plist = join(home, 'Library', 'LaunchAgents', `${spec.launchdLabel}.plist`);
    const domain = `gui/${opts.uid ?? process.getuid?.() ?? 501}`;
    return {
      platform,
      files: [{ path: plist, content: launchdPlist(spec), ...secret }],
      remove: [],
      // bootout first so a reinstall replaces a loaded agent; its failure (not loaded) is fine.
      commands: [['launchctl', 'bootout', `${domain}/${spec.launchdLabel}`], ['launchctl', 'bootstrap', domain, plist]],
      notes: [`The agent starts at login; logs of the process itself go to ${spec.logDir}.`],
    };
  }
  if (platform === 'win32') {
    const cmd = windowsLauncherPath(spec);
    return {
      platform,
      files: [{ path: cmd, content: windowsLauncherCmd(spec), ...secret }],
      remove: [],
      commands: [['schtasks', ...schtasksCreateArgs(cmd, name)], ['schtasks', '/Run', '/TN', name]],
      notes: [`The task starts the ${spec.env ? 'worker' : 'bridge'} at every logon of this user.`],
    };
  }
  const unitDir = opts.unitDir ?? userUnitDir(process.env, home);
  const unit = join(unitDir, `${name}.service`);
  return {
    platform,
    files: [{ path: unit, content: systemdUnit(spec) }, ...(spec.env ? [{ path: environmentFilePath(spec), content: environmentFile(spec.env), ...secret }] : [])],
    remove: [],
    commands: [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', `${name}.service`]],
    notes: [
      'To keep it running after you log out: loginctl enable-linger "$USER".',
      `Logs: journalctl --user -u ${name} (and ${spec.logDir}).`,
    ],
  };
}

export function uninstallPlan(spec: ServiceSpec, opts: { platform?: NodeJS.Platform; unitDir?: string; home?: string; uid?: number } = {}): ServicePlan {
  const install = installPlan(spec, opts);
  const path = install.files[0]!.path;
  const name = spec.serviceName;
  if (install.platform === 'darwin') {
    return { ...install, files: [], remove: [path], commands: [install.commands[0]!], notes: [] };
  }
  if (install.platform === 'win32') {
    return { ...install, files: [], remove: [path], commands: [['schtasks', '/End', '/TN', name], ['schtasks', '/Delete', '/F', '/TN', name]], notes: [] };
  }
  return {
    ...install,
    files: [],
    remove: install.files.map((f) => f.path),
    commands: [['systemctl', '--user', 'disable', '--now', `${name}.service`]],
    commandsAfter: [['systemctl', '--user', 'daemon-reload']],
    notes: [],
  };
}

export function statusCommand(opts: { platform?: NodeJS.Platform; uid?: number; spec?: Pick<ServiceSpec, 'serviceName' | 'launchdLabel'> } = {}): string[] {
  const platform = platformOf(opts.platform ?? process.platform);
  const { serviceName, launchdLabel } = opts.spec ?? { serviceName: 'mailmover-bridge', launchdLabel: 'com.mailmover.bridge' };
  if (platform === 'darwin') return ['launchctl', 'print', `gui/${opts.uid ?? process.getuid?.() ?? 501}/${launchdLabel}`];
  if (platform === 'win32') return ['schtasks', '/Query', '/TN', serviceName, '/V', '/FO', 'LIST'];
  return ['systemctl', '--user', 'status', '--no-pager', `${serviceName}.service`];
}

export function describePlan(plan: ServicePlan): string {
  const lines: string[] = [];
  for (const f of plan.files) {
    if (f.secret) lines.push(`write ${f.path} (mode 600; holds the queue URL, not shown)`);
    else lines.push(`write ${f.path}:`, ...f.content.trimEnd().split(/\r?\n/).map((l) => `    ${l}`));
  }
  for (const c of plan.commands) lines.push(`run: ${c.join(' ')}`);
  for (const r of plan.remove) lines.push(`remove ${r}`);
  for (const c of plan.commandsAfter ?? []) lines.push(`run: ${c.join(' ')}`);
  return lines.join('\n');
}

/** Carries a plan out. Returns the commands that failed (the files are written regardless). */
export function applyPlan(plan: ServicePlan, out: (line: string) => void): { failed: string[] } {
  for (const f of plan.files) {
    mkdirSync(join(f.path, '..'), { recursive: true });
    writeFileSync(f.path, f.content, { mode: f.mode ?? 0o644 });
    // The mode of writeFileSync applies to a new file only: a reinstall over an older file sets it too.
    chmodSync(f.path, f.mode ?? 0o644);
    out(`wrote ${f.path}`);
  }
  const failed: string[] = [];
  const run = (cmd: string[], i: number) => {
    const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    const ok = r.status === 0;
    // launchctl bootout of an agent that is not loaded fails; that is the expected case on a first install.
    const tolerated = plan.platform === 'darwin' && i === 0 && plan.files.length > 0;
    if (ok || tolerated) out(`ran: ${cmd.join(' ')}`);
    else {
      failed.push(cmd.join(' '));
      out(`FAILED: ${cmd.join(' ')}${r.error ? ` (${r.error.message})` : ''}${r.stderr ? `\n    ${r.stderr.trim().split('\n').join('\n    ')}` : ''}`);
    }
  };
  plan.commands.forEach(run);
  for (const p of plan.remove) {
    if (existsSync(p)) {
      rmSync(p);
      out(`removed ${p}`);
    }
  }
  (plan.commandsAfter ?? []).forEach((cmd) => run(cmd, -1));
  return { failed };
}
