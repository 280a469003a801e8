import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { launchdPlist } from './launchd-plist';
import { LAUNCHD_LABEL, SERVICE_NAME, type ServiceSpec } from './service-spec';
import { systemdUnit } from './systemd-unit';
import { schtasksCreateArgs, windowsLauncherCmd, windowsLauncherPath } from './windows-task';

/**
 * `mailmover-bridge service install|uninstall|status` on each OS. A plan is the
 * files to write and the commands to run; `--dry-run` prints it, otherwise it is
 * carried out and each command's failure is reported with what to run by hand.
 */
export interface ServicePlan {
  platform: 'linux' | 'darwin' | 'win32';
  files: Array<{ path: string; content: string }>;
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
  if (platform === 'darwin') {
    const plist = join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    const domain = `gui/${opts.uid ?? process.getuid?.() ?? 501}`;
    return {
      platform,
      files: [{ path: plist, content: launchdPlist(spec) }],
      remove: [],
      // bootout first so a reinstall replaces a loaded agent; its failure (not loaded) is fine.
      commands: [['launchctl', 'bootout', `${domain}/${LAUNCHD_LABEL}`], ['launchctl', 'bootstrap', domain, plist]],
      notes: [`The agent starts at login; logs of the process itself go to ${spec.logDir}.`],
    };
  }
  if (platform === 'win32') {
    const cmd = windowsLauncherPath(spec);
    return {
      platform,
      files: [{ path: cmd, content: windowsLauncherCmd(spec) }],
      remove: [],
      commands: [['schtasks', ...schtasksCreateArgs(cmd)], ['schtasks', '/Run', '/TN', SERVICE_NAME]],
      notes: ['The task starts the bridge at every logon of this user.'],
    };
  }
  const unitDir = opts.unitDir ?? userUnitDir(process.env, home);
  const unit = join(unitDir, `${SERVICE_NAME}.service`);
  return {
    platform,
    files: [{ path: unit, content: systemdUnit(spec) }],
    remove: [],
    commands: [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', `${SERVICE_NAME}.service`]],
    notes: [
      'To keep it running after you log out: loginctl enable-linger "$USER".',
      `Logs: journalctl --user -u ${SERVICE_NAME} (and ${spec.logDir}).`,
    ],
  };
}

export function uninstallPlan(spec: ServiceSpec, opts: { platform?: NodeJS.Platform; unitDir?: string; home?: string; uid?: number } = {}): ServicePlan {
  const install = installPlan(spec, opts);
  const path = install.files[0]!.path;
  if (install.platform === 'darwin') {
    return { ...install, files: [], remove: [path], commands: [install.commands[0]!], notes: [] };
  }
  if (install.platform === 'win32') {
    return { ...install, files: [], remove: [path], commands: [['schtasks', '/End', '/TN', SERVICE_NAME], ['schtasks', '/Delete', '/F', '/TN', SERVICE_NAME]], notes: [] };
  }
  return {
    ...install,
    files: [],
    remove: [path],
    commands: [['systemctl', '--user', 'disable', '--now', `${SERVICE_NAME}.service`]],
    commandsAfter: [['systemctl', '--user', 'daemon-reload']],
    notes: [],
  };
}

export function statusCommand(opts: { platform?: NodeJS.Platform; uid?: number } = {}): string[] {
  const platform = platformOf(opts.platform ?? process.platform);
  if (platform === 'darwin') return ['launchctl', 'print', `gui/${opts.uid ?? process.getuid?.() ?? 501}/${LAUNCHD_LABEL}`];
  if (platform === 'win32') return ['schtasks', '/Query', '/TN', SERVICE_NAME, '/V', '/FO', 'LIST'];
  return ['systemctl', '--user', 'status', '--no-pager', `${SERVICE_NAME}.service`];
}

export function describePlan(plan: ServicePlan): string {
  const lines: string[] = [];
  for (const f of plan.files) lines.push(`write ${f.path}:`, ...f.content.trimEnd().split(/\r?\n/).map((l) => `    ${l}`));
  for (const c of plan.commands) lines.push(`run: ${c.join(' ')}`);
  for (const r of plan.remove) lines.push(`remove ${r}`);
  for (const c of plan.commandsAfter ?? []) lines.push(`run: ${c.join(' ')}`);
  return lines.join('\n');
}

/** Carries a plan out. Returns the commands that failed (the files are written regardless). */
export function applyPlan(plan: ServicePlan, out: (line: string) => void): { failed: string[] } {
  for (const f of plan.files) {
    mkdirSync(join(f.path, '..'), { recursive: true });
    writeFileSync(f.path, f.content, { mode: 0o644 });
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
