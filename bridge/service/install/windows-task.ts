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

/** `set "NAME=value"`: the quotes keep & | < > literal; % is doubled like in arguments. */
function setLine(name: string, value: string): string {
  if (/["\r\n]/.test(value)) throw new Error(`${name} cannot contain quotes or line breaks on Windows`);
  return `set "${name}=${value.replace(/%/g, '%%')}"`;
}

export function windowsLauncherCmd(spec: ServiceSpec): string {
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => setLine(k, v));
  return ['@echo off', ...env, `cd /d ${cmdQuote(spec.workingDirectory)}`, [spec.node, ...spec.args].map(cmdQuote).join(' '), ''].join('\r\n');
}

export function windowsLauncherPath(spec: ServiceSpec): string {
  return win32.join(spec.stateDir, '..', `${spec.serviceName}.cmd`);
}

/** schtasks arguments that create (or replace, /F) the logon task. */
export function schtasksCreateArgs(cmdPath: string, name: string = SERVICE_NAME): string[] {
  return ['/Create', '/F', '/TN', name, '/SC', 'ONLOGON', '/RL', 'LIMITED', '/TR', `"${cmdPath}"`];
}
