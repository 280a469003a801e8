/**
 * Runs the bridge CLI (`bridge/cli/main.ts migrate ...`) as a real child process for the
 * cli-*.test.ts integration tests, and checks its --json report; usage errors run in the
 * test's own process (runCliInProcess).
 *
 * The child is `node bridge/cli/bin.mjs ...`, the launcher `npm run bridge` runs (the bundled
 * build, rebuilt when a source is newer), spawned directly: not through npm, whose shell would
 * sit between the test and the CLI (so a SIGKILL to its pid would leave the migration running
 * as an orphan). Here the pid of the ChildProcess is the node process that runs the migration.
 * The bundle also spares each spawn tsx's transpiling of the sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { z } from 'zod';
import type { DovecotServer } from '../harness/dovecot';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_LAUNCHER = join(REPO_ROOT, 'bridge', 'cli', 'bin.mjs');

export interface CliResult {
  /** exit status, null when killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  /** extra environment variables (passwords, tokens); merged over a copy of process.env */
  env?: Record<string, string | undefined>;
  /** kill (SIGKILL) the child after this many ms; default 120 s */
  timeoutMs?: number;
  /** the subcommand; default 'migrate' */
  command?: string;
}

export interface RunningCli {
  child: ChildProcess;
  pid: number;
  done: Promise<CliResult>;
}

/** A scratch directory per test file: state dirs, password files, CSVs. MAILMOVER_HOME points into it. */
export function scratchDir(name: string): { dir: string; path: (...p: string[]) => string; write: (file: string, data: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `mailmover-cli-${name}-`));
  return {
    dir,
    path: (...p) => join(dir, ...p),
    write: (file, data) => {
      const p = join(dir, file);
      writeFileSync(p, data, { mode: 0o600 });
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The CLI's environment: a copy of process.env with `extra` merged over it. */
function cliEnv(extra: CliOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A stray default state dir must never be the developer's own (~/.local/share/mailmover);
  // a test that wants the default passes its own MAILMOVER_HOME in opts.env.
  env.MAILMOVER_HOME = join(tmpdir(), 'mailmover-cli-test-home');
  delete env.XDG_DATA_HOME;
  // Colours or a TTY progress bar would only make stderr harder to assert on.
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts `migrate <args>` (or `opts.command <args>`); stdout/stderr are collected. */
export function spawnCli(args: string[], opts: CliOptions = {}): RunningCli {
  const t0 = performance.now();
  const env = cliEnv(opts.env);
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI_LAUNCHER, opts.command ?? 'migrate', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn the CLI');
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timeoutMs = opts.timeoutMs ?? 120_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[cli-runner] killed after ${timeoutMs} ms\n`;
      resolvePromise({ code, signal, stdout, stderr, ms: Math.round(performance.now() - t0) });
    });
  });
  return { child, pid: child.pid, done };
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).done;
}

// Runs one at a time: each run swaps process.env, process.exitCode and the writes of
// process.stdout/stderr for its own, which two runs at once would mix up.
let inProcessQueue: Promise<unknown> = Promise.resolve();

/**
 * The same run as runCli, in this process through program.ts's main(): for usage errors, which
 * the CLI rejects before it connects anywhere, so a process of their own (seconds of tsx
 * start-up each) tests nothing more. A test file keeps a real spawn for the exit status of the
 * process itself. The result has the shape of runCli's (signal always null).
 */
export function runCliInProcess(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const run = inProcessQueue.then(() => runNow(args, opts));
  inProcessQueue = run.catch(() => undefined);
  return run;
}

async function runNow(args: string[], opts: CliOptions): Promise<CliResult> {
  const { main } = await import('../../bridge/cli/program');
  const t0 = performance.now();
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  const out = { stdout: '', stderr: '' };
  const restoreWrites = (['stdout', 'stderr'] as const).map((name) => captureWrites(name, (text) => (out[name] += text)));
  setEnv(cliEnv(opts.env));
  process.exitCode = undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`in-process CLI still running after ${timeoutMs} ms: ${args.join(' ')}`)), timeoutMs);
    });
    const code = await Promise.race([main([opts.command ?? 'migrate', ...args]), timeout]);
    return { code, signal: null, stdout: out.stdout, stderr: out.stderr, ms: Math.round(performance.now() - t0) };
  } finally {
    clearTimeout(timer);
    for (const restore of restoreWrites) restore();
    setEnv(savedEnv);
    process.exitCode = savedExitCode;
  }
}

/** Sends what is written to process[name] to `sink` until the returned function is called. */
function captureWrites(name: 'stdout' | 'stderr', sink: (text: string) => void): () => void {
  const stream = process[name];
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (callback) queueMicrotask(callback);
    return true;
  }) as typeof stream.write;
  return () => {
    stream.write = original;
  };
}

function setEnv(env: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
}

/** `imap://[user@]127.0.0.1:port` (a user with @ percent-encoded), or imaps:// on the TLS port. */
export function serverUrl(server: DovecotServer, opts: { user?: string; tls?: boolean } = {}): string {
  const scheme = opts.tls ? 'imaps' : 'imap';
  const port = opts.tls ? server.imapsPort : server.imapPort;
  const user = opts.user === undefined ? '' : `${encodeURIComponent(opts.user)}@`;
  return `${scheme}://${user}${server.host}:${port}`;
}

// ---------------------------------------------------------------------------------------------
// the --json report, as the spec describes it (checked independently of the engine's own schema)

const ErrorSchema = z.object({ code: z.string().min(1), message: z.string().min(1) });

export const CliFolderSchema = z.object({
  source: z.string(),
  target: z.string(),
  total: z.number().int().nonnegative(),
  copied: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  alreadyPresent: z.number().int().nonnegative(),
});

export const CliAccountSchema = z.object({
  source: z.string(),
  target: z.string(),
  status: z.enum(['done', 'failed']),
  messagesCopied: z.number().int().nonnegative(),
  messagesSkipped: z.number().int().nonnegative(),
  messagesAlreadyPresent: z.number().int().nonnegative(),
  bytesCopied: z.number().int().nonnegative(),
  folders: z.array(CliFolderSchema),
  skipped: z.array(z.object({ folder: z.string(), uid: z.number().int(), reason: z.string() })),
  error: ErrorSchema.nullable(),
});

export const CliReportSchema = z.object({ accounts: z.array(CliAccountSchema) });
export type CliAccount = z.infer<typeof CliAccountSchema>;
export type CliReport = z.infer<typeof CliReportSchema>;

/**
 * stdout must be exactly one JSON document (JSON.parse rejects two concatenated documents or
 * any progress text around it) with the fields of the spec; account status and error agree.
 */
export function parseReport(stdout: string): CliReport {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    throw new Error(`stdout is not exactly one JSON document (${(err as Error).message}):\n${stdout.slice(0, 2000)}`);
  }
  const report = CliReportSchema.parse(doc);
  for (const a of report.accounts) {
    if ((a.status === 'done') !== (a.error === null)) {
      throw new Error(`account ${a.source}: status ${a.status} with error ${JSON.stringify(a.error)}`);
    }
    const sum = (f: (x: z.infer<typeof CliFolderSchema>) => number) => a.folders.reduce((s, x) => s + f(x), 0);
    if (sum((f) => f.copied) !== a.messagesCopied || sum((f) => f.alreadyPresent) !== a.messagesAlreadyPresent || sum((f) => f.skipped) !== a.messagesSkipped) {
      throw new Error(`account ${a.source}: the folder counts do not add up to the account counts: ${JSON.stringify(a)}`);
    }
  }
  return report;
}

/** A description for assertion messages: exit status and both streams. */
export function describeRun(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\n--- stdout ---\n${r.stdout.slice(0, 4000)}\n--- stderr ---\n${r.stderr.slice(0, 4000)}`;
}

/**
 * Secrets that leaked into stdout or stderr (should be empty): as typed, JSON-escaped (a
 * password with a quote inside a JSON string) or percent-encoded (inside a URL).
 */
/**
 * The two ways a CLI test runs the command, each checking that no secret reached its output:
 * `cli` as its own process (runCli), `usage` for a usage error in this process (runCliInProcess).
 */
export function secretCheckedCli(secrets: string[]): {
  cli: (args: string[], env?: Record<string, string>) => Promise<CliResult>;
  usage: (args: string[], env?: Record<string, string>) => Promise<CliResult>;
} {
  const checked = async (run: Promise<CliResult>): Promise<CliResult> => {
    const r = await run;
    expect(leakedSecrets(r, secrets), describeRun(r)).toEqual([]);
    return r;
  };
  return {
    cli: (args, env = {}) => checked(runCli(args, { env })),
    usage: (args, env = {}) => checked(runCliInProcess(args, { env })),
  };
}

export function leakedSecrets(r: CliResult, secrets: string[]): string[] {
  const forms = (s: string) => [...new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])];
  return secrets.filter((s) => forms(s).some((f) => r.stdout.includes(f) || r.stderr.includes(f)));
}

/**
 * Runs the CLI and SIGKILLs it while `progress()` (messages on the target) is above
 * `above` and below `total`: a crash in the middle of a copy. `killedAt` is undefined
 * when the run ended before it could be caught.
 */
export async function runAndKillMidCopy(
  args: string[],
  opts: CliOptions & { progress: () => Promise<number>; above: number; total: number; pollMs: number },
): Promise<{ killedAt: number | undefined; result: CliResult; pid: number }> {
  const run = spawnCli(args, opts);
  let exited = false;
  run.child.once('exit', () => (exited = true));
  let killedAt: number | undefined;
  const deadline = Date.now() + 60_000;
  while (!exited && Date.now() < deadline) {
    const n = await opts.progress();
    if (n > opts.above && n < opts.total && !exited) {
      process.kill(run.pid, 'SIGKILL');
      killedAt = n;
      break;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
  return { killedAt, result: await run.done, pid: run.pid };
}
