/**
 * Queue workers for the cluster scenario, as an admin starts them (and as `service install
 * --worker` runs them): `node bridge/cli/bin.mjs worker --queue URL --cluster-key-file F`, with
 * the package's node flags, one process each. Their CPU and peak RSS are read from /proc
 * (GNU time only reports when a process ends, and a worker outlives the run it serves).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processTreeCpuSeconds } from '../measure';
import { REPO_ROOT, bridgeScriptNodeArgs } from './mailmover';

export interface WorkerSpec {
  name: string;
  queueUrl: string;
  keyFile: string;
  /** the worker's --state-dir (and MAILMOVER_HOME) */
  dir: string;
  concurrency: number;
  /** this worker's own cap of connections to one source host */
  hostConnections: number;
}

export interface WorkerProcess {
  name: string;
  pid: number;
  /** its stderr so far (its log) */
  log(): string;
  /** user + system CPU seconds so far */
  cpu(): { total: number; user: number; sys: number };
  /** VmHWM: the process's peak resident set so far, MB */
  peakRssMB(): number;
  /** SIGTERM (running accounts go back to the queue), SIGKILL after `graceMs`; the exit code */
  stop(graceMs?: number): Promise<number | null>;
}

const READY = /Worker \S+ \(mailmover [^)]*\) takes up to/;

function vmHwmMB(pid: number): number {
  try {
    const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Starts one worker and resolves once it takes jobs (its "takes up to" line). */
export async function startWorker(spec: WorkerSpec, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  mkdirSync(spec.dir, { recursive: true });
  const args = [
    ...bridgeScriptNodeArgs(),
    'worker',
    '--queue', spec.queueUrl,
    '--cluster-key-file', spec.keyFile,
    '--name', spec.name,
    '--state-dir', join(spec.dir, 'state'),
    '--concurrency', String(spec.concurrency),
    '--host-connections', String(spec.hostConnections),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, MAILMOVER_HOME: spec.dir, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker ${spec.name} did not start within ${readyTimeoutMs / 1000} s:\n${stderr.slice(-2000)}`));
    }, readyTimeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      if (READY.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${spec.name} exited (${code}) before it took jobs:\n${stderr.slice(-2000)}`));
    });
  });
  const pid = child.pid!;
  return {
    name: spec.name,
    pid,
    log: () => stderr,
    cpu: () => processTreeCpuSeconds(pid),
    peakRssMB: () => vmHwmMB(pid),
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Starts `specs` at once; when one fails, the others are stopped again. Also returns how long it took. */
export async function startWorkers(specs: WorkerSpec[]): Promise<{ workers: WorkerProcess[]; seconds: number }> {
  const t0 = performance.now();
  const started = await Promise.allSettled(specs.map((s) => startWorker(s)));
  const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    throw failed.reason as Error;
  }
  return { workers, seconds: (performance.now() - t0) / 1000 };
}
