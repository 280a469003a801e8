/**
 * Measuring a child process (wall time, peak RSS, CPU) and the Dovecot servers' CPU.
 *
 * The child is run under GNU time (`/usr/bin/time`, Debian package `time`) when it is
 * installed: its rusage is the one of the measured process itself (for mailmover the node
 * process that runs the migration: it is spawned as `node --import tsx ...`, not through
 * npm or the tsx CLI, which would start a second node). Without GNU time, /proc/<pid> is
 * sampled every 20 ms (VmHWM is a high-water mark, so the last sample is the peak; CPU is
 * the last sample, an underestimate of at most one interval).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface ProcessMeasure {
  wallS: number;
  userS: number;
  sysS: number;
  cpuS: number;
  peakRssMB: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** how RSS/CPU were measured */
  method: 'gnu-time' | 'proc-sampling';
  /**
   * The highest RSS sampled in the first and in the second half of the run (the measured
   * process and its descendants, every 250 ms): memory that grows with the work done shows
   * as a second half well above the first. Undefined for a run too short to sample.
   */
  rssHalvesMB?: { first: number; second: number };
}

/** VmRSS of a process now, kB; 0 when it is gone. */
function currentRssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Samples the largest RSS in a process tree (GNU time, env and npm start the measured node
 * as a descendant) until stopped; returns the peaks of the first and second half.
 */
function sampleRssHalves(root: () => number | undefined, started: number): () => { first: number; second: number } | undefined {
  const samples: Array<{ at: number; kb: number }> = [];
  let tree: number[] = [];
  let ticks = 0;
  const timer = setInterval(() => {
    const pid = root();
    if (!pid) return;
    // The tree rarely changes after start: looked up again every 2 s.
    if (ticks++ % 8 === 0) tree = [pid, ...descendants(pid)];
    samples.push({ at: performance.now() - started, kb: Math.max(...tree.map(currentRssKb)) });
  }, 250);
  return () => {
    clearInterval(timer);
    if (samples.length < 4) return undefined;
    const half = (performance.now() - started) / 2;
    const peak = (xs: typeof samples) => Math.max(0, ...xs.map((x) => x.kb)) / 1024;
    return { first: peak(samples.filter((x) => x.at < half)), second: peak(samples.filter((x) => x.at >= half)) };
  };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    clkTck = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clkTck;
}

interface ProcTimes {
  /** user + system seconds of the process itself */
  self: number;
  /** of its reaped children */
  children: number;
  user: number;
  sys: number;
}

/** utime, stime, cutime, cstime (seconds) of a process, or undefined when it is gone. */
function procTimes(pid: number): ProcTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "(comm) ": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    const t = ticksPerSecond();
    const [ut, st, cut, cst] = [11, 12, 13, 14].map((i) => Number(f[i]) / t) as [number, number, number, number];
    return { self: ut + st, children: cut + cst, user: ut + cut, sys: st + cst };
  } catch {
    return undefined;
  }
}

function procPpid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** All live descendants of `root` (Linux /proc). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pp = procPpid(Number(e));
    if (pp !== undefined) parent.set(Number(e), pp);
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

/**
 * CPU seconds used so far by a Dovecot instance: the master's own time, the time of the
 * children it has reaped (imap processes that logged out: cutime/cstime), and the live
 * children's time. The difference of two readings is the server's CPU in between.
 */
export function processTreeCpuSeconds(rootPid: number): { total: number; user: number; sys: number } {
  const out = { total: 0, user: 0, sys: 0 };
  for (const pid of [rootPid, ...descendants(rootPid)]) {
    const t = procTimes(pid);
    if (!t) continue;
    out.total += t.self + t.children;
    out.user += t.user;
    out.sys += t.sys;
  }
  return out;
}

export interface MachineCpu {
  /** seconds of all CPUs together, from /proc/stat */
  busy: number;
  idle: number;
  iowait: number;
}

/** Machine-wide CPU time so far (all cores): busy, idle, and iowait (idle while waiting for the disk). */
export function machineCpu(): MachineCpu {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const t = ticksPerSecond();
    // user nice system idle iowait irq softirq steal
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
    return { busy: (user + nice + system + irq + softirq + steal) / t, idle: idle / t, iowait: iowait / t };
  } catch {
    return { busy: 0, idle: 0, iowait: 0 };
  }
}

/** Runs `cmd args` to completion and measures it. Never rejects for a non-zero exit. */
export async function measureProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<ProcessMeasure> {
  const useTime = existsSync(GNU_TIME);
  const scratch = mkdtempSync(join(tmpdir(), 'mailmover-bench-time-'));
  const timeFile = join(scratch, 'time.txt');
  const argv = useTime ? ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args] : args;
  const t0 = performance.now();
  const child = spawn(useTime ? GNU_TIME : cmd, argv, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 64 * 1024 * 1024) stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4 * 1024 * 1024) stderr += d;
  });
  const rssHalves = sampleRssHalves(() => child.pid, t0);
  // Fallback sampling of the child itself.
  let peakKb = 0;
  let cpu = 0;
  const sampler = useTime
    ? undefined
    : setInterval(() => {
        if (!child.pid) return;
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const m = /VmHWM:\s+(\d+) kB/.exec(status);
          if (m) peakKb = Math.max(peakKb, Number(m[1]));
          const t = procTimes(child.pid);
          if (t) cpu = t.self;
        } catch {
          /* exited */
        }
      }, 20);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 30 * 60_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const wallS = (performance.now() - t0) / 1000;
  const rssHalvesMB = rssHalves();
  clearTimeout(timer);
  if (sampler) clearInterval(sampler);
  if (timedOut) stderr += `\n[bench] killed after ${opts.timeoutMs} ms\n`;
  let userS = cpu;
  let sysS = 0;
  let exitCode = code;
  if (useTime) {
    let text = '';
    try {
      text = readFileSync(timeFile, 'utf8');
    } catch {
      /* time did not write: the command could not start */
    }
    // "Command exited with non-zero status N" may come first; the numbers are on the last line.
    const last = text.trim().split('\n').pop() ?? '';
    const [, u, s, m] = last.trim().split(/\s+/).map(Number);
    userS = u ?? 0;
    sysS = s ?? 0;
    peakKb = m ?? 0;
    const status = /exited with non-zero status (\d+)/.exec(text);
    exitCode = code === null ? null : status ? Number(status[1]) : code;
  }
  rmSync(scratch, { recursive: true, force: true });
  return {
    wallS,
    userS,
    sysS,
    cpuS: userS + sysS,
    peakRssMB: peakKb / 1024,
    exitCode,
    signal,
    stdout,
    stderr,
    method: useTime ? 'gnu-time' : 'proc-sampling',
    rssHalvesMB,
  };
}

/** Dirty + Writeback page cache, MB (/proc/meminfo). */
export function dirtyMB(): number {
  try {
    const text = readFileSync('/proc/meminfo', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return (kb('Dirty') + kb('Writeback')) / 1024;
  } catch {
    return 0;
  }
}

/**
 * Lets the machine come to rest before a measured run: `sync` writes back what earlier runs
 * left dirty in the page cache (otherwise the kernel's writeback of the previous run's
 * 400 MB, 30 s later, lands in the middle of the next run and costs it CPU), then a short
 * pause. Returns the seconds it took.
 */
export async function settle(): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const c = spawn('sync', [], { stdio: 'ignore' });
    c.once('error', () => resolve());
    c.once('close', () => resolve());
  });
  for (let i = 0; i < 50 && dirtyMB() > 16; i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 250));
  return (performance.now() - t0) / 1000;
}

/** Share of the machine's CPU (all cores) busy over the next `ms` milliseconds, 0..1. */
export async function busyShare(ms = 1000): Promise<number> {
  const a = machineCpu();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineCpu();
  const all = b.busy + b.idle - (a.busy + a.idle);
  return all > 0 ? (b.busy - a.busy) / all : 0;
}

/**
 * Waits (at most `maxWaitS`) until the machine is quiet: less than `threshold` of its CPU busy
 * over one second. On a shared machine other people's test suites would otherwise land in
 * the middle of a measured run. Returns how long it waited and the last reading.
 */
export async function waitQuiet(maxWaitS: number, threshold: number): Promise<{ waitedS: number; busyShare: number }> {
  const t0 = performance.now();
  let share = await busyShare(1000);
  while (share >= threshold && (performance.now() - t0) / 1000 < maxWaitS) share = await busyShare(1000);
  return { waitedS: (performance.now() - t0) / 1000, busyShare: share };
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  dovecot: string;
  mbsync: string | null;
  kernel: string;
  os: string;
  /** where the Dovecot maildirs were, and its file system type */
  mailStorage: { dir: string; fsType: string };
  measuredWith: string;
}

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim().split('\n')[0] ?? null;
}

export function fsType(dir: string): string {
  return firstLine('stat', ['-f', '-c', '%T', dir]) ?? 'unknown';
}

export function machineInfo(storageDir: string): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    /* not Linux */
  }
  let os = 'unknown';
  try {
    os = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    /* none */
  }
  return {
    nproc: cpus().length,
    cpuModel,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    dovecot: firstLine('/usr/sbin/dovecot', ['--version']) ?? 'unknown',
    mbsync: firstLine('mbsync', ['--version']),
    kernel: firstLine('uname', ['-r']) ?? 'unknown',
    os,
    mailStorage: { dir: storageDir, fsType: fsType(storageDir) },
    measuredWith: existsSync(GNU_TIME) ? 'GNU time (rusage of the measured process)' : '/proc sampling every 20 ms',
  };
}
