import { win32 } from 'node:path';
import { SERVICE_NAME, type ServiceSpec } from './service-spec';

/**
 * Windows: a scheduled task that starts the bridge at logon, for the user only
 * (no administrator rights, unlike a Windows service). schtasks limits /TR to
 * 261 characters, so the task runs a small .cmd file in the data folder that
 * holds the real command line.
 */
export function cmdQuote(arg: string): string {
  if (/["\r\n]/.test(arg)) throw new Error(`a Windows service argument cannot contain quotes or line breaks: ${arg}`);
  // In a .cmd file % starts a variable; doubling it keeps it literal.
  return `"${arg.replace(/%/g, '%%')}"`;
}

export function windowsLauncherCmd(spec: ServiceSpec): string {
  return ['@echo off', `cd /d ${cmdQuote(spec.workingDirectory)}`, [spec.node, ...spec.args].map(cmdQuote).join(' '), ''].join('\r\n');
}

export function windowsLauncherPath(spec: ServiceSpec): string {
  return win32.join(spec.stateDir, '..', `${SERVICE_NAME}.cmd`);
}

/** schtasks arguments that create (or replace, /F) the logon task. */
export function schtasksCreateArgs(cmdPath: string): string[] {
  return ['/Create', '/F', '/TN', SERVICE_NAME, '/SC', 'ONLOGON', '/RL', 'LIMITED', '/TR', `"${cmdPath}"`];
}
