/**
 * What every tool runner shares: the servers, an account pair, and the measurement of one
 * run (the tool process plus both Dovecot servers' CPU while it ran).
 */
import type { DovecotServer, DovecotUser } from '../../test/harness/dovecot';
import { readFileSync, statSync } from 'node:fs';
import { machineCpu, processTreeCpuSeconds, type ProcessMeasure } from '../measure';

export type ToolName = 'mailmover' | 'dsync' | 'mbsync' | 'imapsync';

export interface BenchServers {
  source: DovecotServer;
  target: DovecotServer;
}

export interface AccountPair {
  source: DovecotUser;
  target: DovecotUser;
}

export interface ToolRun {
  tool: ToolName;
  measure: ProcessMeasure;
  /** CPU seconds the Dovecot servers spent while the tool ran */
  sourceServerCpuS: number;
  targetServerCpuS: number;
  /** of which in the kernel (system time): socket I/O, file writes, fsync */
  targetServerSysS: number;
  /** the whole machine while the tool ran: CPU busy share of all cores (0..1), iowait seconds */
  machineBusyShare: number;
  machineIowaitS: number;
  /**
   * CPU seconds the machine spent on anything else while the tool ran: busy time of all cores
   * minus the tool's and both servers' CPU (kernel writeback, the bench itself, other users'
   * processes on a shared machine). Large values mean a disturbed run.
   */
  otherCpuS: number;
  /** "Panic:" / "Fatal:" lines the two Dovecot servers logged while the tool ran (e.g. an imap process that died) */
  serverPanics: string[];
  /** the tool reported success (exit 0, and for mailmover every account done) */
  ok: boolean;
  error?: string;
  /** source folder -> target folder, as the tool mapped them (empty: same names) */
  mapping: Map<string, string>;
  /** mailmover only: the "Retry ..." lines it printed (transient failures it recovered from) */
  retries?: string[];
  /** mailmover only: messages it reported copied / already there */
  copied?: number;
  alreadyPresent?: number;
}

/** Runs `fn` and adds the servers' CPU seconds spent meanwhile. */
type Measured = 'sourceServerCpuS' | 'targetServerCpuS' | 'targetServerSysS' | 'machineBusyShare' | 'machineIowaitS' | 'otherCpuS' | 'serverPanics';

function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Panic/Fatal lines a server logged after byte offset `from`. */
function panicsSince(path: string, from: number): string[] {
  try {
    const text = readFileSync(path).subarray(from).toString('utf8');
    return text.split('\n').filter((l) => /: (Panic|Fatal): /.test(l)).map((l) => l.slice(0, 300));
  } catch {
    return [];
  }
}

export async function withServerCpu(servers: BenchServers, fn: () => Promise<Omit<ToolRun, Measured>>): Promise<ToolRun> {
  const s0 = processTreeCpuSeconds(servers.source.pid);
  const t0 = processTreeCpuSeconds(servers.target.pid);
  const m0 = machineCpu();
  const logs0 = [logSize(servers.source.logPath), logSize(servers.target.logPath)] as const;
  const run = await fn();
  const m1 = machineCpu();
  // The imap processes exit right after the client's LOGOUT: let the master reap them.
  await new Promise((r) => setTimeout(r, 300));
  const s1 = processTreeCpuSeconds(servers.source.pid);
  const t1 = processTreeCpuSeconds(servers.target.pid);
  const all = m1.busy + m1.idle - (m0.busy + m0.idle);
  const sourceServerCpuS = Math.max(0, s1.total - s0.total);
  const targetServerCpuS = Math.max(0, t1.total - t0.total);
  return {
    ...run,
    sourceServerCpuS,
    targetServerCpuS,
    targetServerSysS: Math.max(0, t1.sys - t0.sys),
    machineBusyShare: all > 0 ? (m1.busy - m0.busy) / all : 0,
    machineIowaitS: Math.max(0, m1.iowait - m0.iowait),
    otherCpuS: Math.max(0, m1.busy - m0.busy - run.measure.cpuS - sourceServerCpuS - targetServerCpuS),
    serverPanics: [...panicsSince(servers.source.logPath, logs0[0]).map((l) => `source: ${l}`), ...panicsSince(servers.target.logPath, logs0[1]).map((l) => `target: ${l}`)],
  };
}

export function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
