/**
 * imapsync, only when the environment variable IMAPSYNC points at an imapsync script (the
 * bench does not install it). Plain IMAP on loopback, internal dates and flags kept (its
 * defaults), no log file, no release check.
 */
import { accessSync, constants } from 'node:fs';
import { measureProcess } from '../measure';
import { tail, withServerCpu, type AccountPair, type BenchServers, type ToolRun } from './common';

export function imapsyncPath(): string | undefined {
  const p = process.env.IMAPSYNC;
  if (!p) return undefined;
  try {
    accessSync(p, constants.R_OK);
    return p;
  } catch {
    return undefined;
  }
}

export async function runImapsync(servers: BenchServers, pair: AccountPair, script: string, opts: { timeoutMs?: number } = {}): Promise<ToolRun> {
  const side = (n: 1 | 2, s: 'source' | 'target') => [
    `--host${n}`, servers[s].host,
    `--port${n}`, String(servers[s].imapPort),
    `--user${n}`, pair[s].user,
    `--password${n}`, pair[s].password,
    `--tls${n}`, // STARTTLS, like every tool in the bench (imapsync does not verify the certificate by default)
  ];
  const args = [...side(1, 'source'), ...side(2, 'target'), '--nolog', '--noreleasecheck', '--syncinternaldates'];
  let executable = true;
  try {
    accessSync(script, constants.X_OK);
  } catch {
    executable = false;
  }
  return withServerCpu(servers, async () => {
    const m = await measureProcess(executable ? script : 'perl', executable ? args : [script, ...args], { timeoutMs: opts.timeoutMs });
    const ok = m.exitCode === 0;
    return { tool: 'imapsync' as const, measure: m, ok, error: ok ? undefined : `imapsync exit ${m.exitCode}: ${tail(m.stdout + m.stderr)}`, mapping: new Map() };
  });
}
