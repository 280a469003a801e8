/**
 * mailmover through its CLI, as a child process, by default exactly as README tells users to
 * start it: `./mailmover-bridge migrate ... --json` in the repository (the launcher, whose
 * shebang starts node with NODE_FLAGS). Wall time is what the user waits for, CPU is the
 * process tree's, peak RSS the largest process's (GNU time reports the maximum over the
 * reaped children).
 *
 * `--cli npm` runs README's portable form instead, `npm run --silent bridge -- ...` (npm and
 * its shell in the measured tree; what Windows users type). `--cli bundle` runs the esbuild
 * bundle, `node <NODE_FLAGS> bridge/cli/load-bundle.mjs` (built here first): not what a user
 * types, only a figure that separates start-up cost from the engine. A run with node options
 * (the --cpu-prof profile) starts the bridge script's own node command line directly, so
 * only the migrating process is profiled.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { measureProcess, type ProcessMeasure, type RunOptions } from '../measure';
import { tail, withServerCpu, type AccountPair, type BenchServers, type ToolRun } from './common';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(REPO_ROOT, 'bridge', 'cli', 'main.ts');
const BUNDLE = join(REPO_ROOT, 'bridge', 'cli', 'load-bundle.mjs');
let bundled = false;

export type CliMode = 'readme' | 'npm' | 'bundle';
let cliMode: CliMode = 'readme';
/** Which command the bench's mailmover runs use (default: README's). */
export function setCliMode(mode: CliMode): void {
  cliMode = mode;
}

/** README's command, as a user types it in the repository. */
export const README_COMMAND = './mailmover-bridge';
/** README's portable form of the same command, through npm (Windows, where the launcher link is not executable). */
export const NPM_COMMAND = 'npm run --silent bridge --';
const LAUNCHER = join(REPO_ROOT, 'mailmover-bridge');
/** How each --cli mode starts mailmover, as the report and the JSON name it. */
export const CLI_COMMAND_TEXT: Record<CliMode, string> = { readme: README_COMMAND, npm: NPM_COMMAND, bundle: 'node <NODE_FLAGS> bridge/cli/load-bundle.mjs' };

/** The node arguments that start the bundled CLI (built once per bench run), or tsx with MAILMOVER_BENCH_CLI=tsx; with NODE_FLAGS. */
export function cliArgs(): string[] {
  if (process.env.MAILMOVER_BENCH_CLI === 'tsx') return [...NODE_FLAGS, '--import', 'tsx', CLI];
  if (!bundled) {
    execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
    bundled = true;
  }
  return [...NODE_FLAGS, BUNDLE];
}

/** The node arguments of package.json's `bridge` script (what `npm run bridge` runs after "node"). */
export function bridgeScriptNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.bridge ?? '').trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json "bridge" script does not start with node: ${pkg.scripts.bridge}`);
  return words.slice(1);
}

/** The command line of one CLI run: README's launcher, npm, the bundle, or the bridge script's node line with extra node options. */
export function cliCommand(cliArgsAfter: string[], opts: { nodeArgs?: string[]; mode?: CliMode } = {}): { cmd: string; args: string[] } {
  const mode = opts.mode ?? cliMode;
  if (opts.nodeArgs?.length) {
    const base = mode === 'bundle' ? cliArgs() : bridgeScriptNodeArgs();
    return { cmd: process.execPath, args: [...opts.nodeArgs, ...base, ...cliArgsAfter] };
  }
  if (mode === 'bundle') return { cmd: process.execPath, args: [...cliArgs(), ...cliArgsAfter] };
  if (mode === 'npm') return { cmd: 'npm', args: ['run', '--silent', 'bridge', '--', ...cliArgsAfter] };
  return { cmd: LAUNCHER, args: cliArgsAfter };
}

/** Runs the CLI in the repository with `args` (e.g. ['migrate', ...]), measured. */
export function measureCli(args: string[], opts: RunOptions & { nodeArgs?: string[]; mode?: CliMode } = {}): Promise<ProcessMeasure> {
  const { cmd, args: full } = cliCommand(args, opts);
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), npm_config_update_notifier: 'false', npm_config_fund: 'false' };
  return measureProcess(cmd, full, { cwd: REPO_ROOT, env, timeoutMs: opts.timeoutMs });
}

export interface MailmoverOptions {
  stateDir: string;
  /** more CLI options, e.g. ['--concurrency', '8', '--batch-messages', '500'] */
  extraArgs?: string[];
  /** node options, e.g. ['--cpu-prof', '--cpu-prof-dir', dir] */
  nodeArgs?: string[];
  timeoutMs?: number;
  /**
   * Queue mode: the accounts run on the workers of this queue (`--queue`, `--cluster-key-file`,
   * `--host-connections`, the cluster-wide cap per source host). The checkpoints are then the
   * workers' and the CLI takes no --state-dir.
   */
  queue?: { url: string; keyFile: string; hostConnections: number };
}

interface CliFolder {
  source: string;
  target: string;
}
export interface CliAccount {
  source: string;
  target: string;
  status: string;
  messagesCopied: number;
  messagesAlreadyPresent: number;
  folders: CliFolder[];
  error: { code: string; message: string } | null;
  /** with --queue: the worker that ran the account */
  worker?: string | null;
}

function url(servers: BenchServers, side: 'source' | 'target', user?: string): string {
  const s = servers[side];
  return `imap://${user ? `${encodeURIComponent(user)}@` : ''}${s.host}:${s.imapPort}`;
}

/**
 * One account (`pair`) or a CSV batch (`accountsCsv`, users and passwords in the file).
 * The mapping is the union of every account's folder list (the batch accounts share one
 * layout).
 */
export async function runMailmover(
  servers: BenchServers,
  who: { pair: AccountPair } | { accountsCsv: string },
  opts: MailmoverOptions,
): Promise<ToolRun & { accounts: CliAccount[] }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MAILMOVER_HOME: opts.stateDir, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const where = opts.queue
    ? ['--queue', opts.queue.url, '--cluster-key-file', opts.queue.keyFile, '--host-connections', String(opts.queue.hostConnections)]
    : ['--state-dir', opts.stateDir];
  // STARTTLS (imap://) like every tool in the bench; the harness's certificates are self-signed.
  const args = ['--insecure-tls', ...where, '--json', ...(opts.extraArgs ?? [])];
  if ('pair' in who) {
    env.BENCH_SOURCE_PW = who.pair.source.password;
    env.BENCH_TARGET_PW = who.pair.target.password;
    args.unshift(
      '--source', url(servers, 'source', who.pair.source.user),
      '--target', url(servers, 'target', who.pair.target.user),
      '--source-password-env', 'BENCH_SOURCE_PW',
      '--target-password-env', 'BENCH_TARGET_PW',
    );
  } else {
    args.unshift('--source', url(servers, 'source'), '--target', url(servers, 'target'), '--accounts', who.accountsCsv);
  }
  let accounts: CliAccount[] = [];
  const run = await withServerCpu(servers, async () => {
    const m = await measureCli(['migrate', ...args], { env, timeoutMs: opts.timeoutMs, nodeArgs: opts.nodeArgs });
    let error: string | undefined;
    try {
      accounts = (JSON.parse(m.stdout) as { accounts: CliAccount[] }).accounts;
    } catch {
      error = `no JSON report (exit ${m.exitCode}): ${tail(m.stderr)}`;
    }
    const failed = accounts.filter((a) => a.status !== 'done');
    if (!error && failed.length) error = failed.map((a) => `${a.source}: [${a.error?.code}] ${a.error?.message}`).join('; ');
    if (!error && m.exitCode !== 0) error = `exit ${m.exitCode}: ${tail(m.stderr)}`;
    const mapping = new Map<string, string>();
    for (const a of accounts) for (const f of a.folders) mapping.set(f.source, f.target);
    return {
      tool: 'mailmover' as const,
      measure: m,
      ok: !error,
      error,
      mapping,
      retries: m.stderr.split('\n').filter((l) => l.startsWith('Retry ')),
      copied: accounts.reduce((s, a) => s + a.messagesCopied, 0),
      alreadyPresent: accounts.reduce((s, a) => s + a.messagesAlreadyPresent, 0),
    };
  });
  return { ...run, accounts };
}

/** Process start and module loading alone: `migrate --help` (best of `n`), through the bench's CLI command. */
export async function cliStartSeconds(n = 3, mode?: CliMode): Promise<{ wallS: number; peakRssMB: number }> {
  let best = { wallS: Infinity, peakRssMB: 0 };
  for (let i = 0; i < n; i++) {
    const m = await measureCli(['migrate', '--help'], { mode });
    if (m.wallS < best.wallS) best = { wallS: m.wallS, peakRssMB: m.peakRssMB };
  }
  return best;
}

/**
 * `verify` of a finished migration (same account, same state dir): the independent check an
 * admin runs before switching MX. ok when the account is verified; `copied` is the number of
 * messages it matched (nothing is copied), so the record's msg/s is its checking rate.
 */
export async function runMailmoverVerify(servers: BenchServers, pair: AccountPair, opts: MailmoverOptions & { deep?: boolean }): Promise<ToolRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, MAILMOVER_HOME: opts.stateDir, NO_COLOR: '1', BENCH_SOURCE_PW: pair.source.password, BENCH_TARGET_PW: pair.target.password };
  delete env.FORCE_COLOR;
  const args = [
    '--source', url(servers, 'source', pair.source.user),
    '--target', url(servers, 'target', pair.target.user),
    '--source-password-env', 'BENCH_SOURCE_PW',
    '--target-password-env', 'BENCH_TARGET_PW',
    '--insecure-tls', '--state-dir', opts.stateDir, '--json',
    ...(opts.deep ? ['--deep'] : []),
  ];
  return withServerCpu(servers, async () => {
    const m = await measureCli(['verify', ...args], { env, timeoutMs: opts.timeoutMs, nodeArgs: opts.nodeArgs });
    let error: string | undefined;
    let matched = 0;
    try {
      const a = (JSON.parse(m.stdout) as { accounts: Array<{ status: string; totals: { matched: number; missing: number; extra: number; changed: number }; error?: { code: string; message: string } }> }).accounts[0]!;
      matched = a.totals.matched;
      if (a.status !== 'verified') error = a.error ? `[${a.error.code}] ${a.error.message}` : `${a.status}: ${JSON.stringify(a.totals)}`;
    } catch {
      error = `no JSON report (exit ${m.exitCode}): ${tail(m.stderr)}`;
    }
    if (!error && m.exitCode !== 0) error = `exit ${m.exitCode}: ${tail(m.stderr)}`;
    return { tool: 'mailmover' as const, measure: m, ok: !error, error, mapping: new Map<string, string>(), retries: [], copied: matched, alreadyPresent: 0 };
  });
}
