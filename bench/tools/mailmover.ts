/**
 * mailmover through its CLI, as a child process: `node .output/bridge/cli.js migrate ...
 * --json`, the CLI bundled by `npm run build:cli` (built here first). The bundle spares
 * the ~40 MB and ~0.2 s that tsx costs to compile TypeScript at start; MAILMOVER_BENCH_CLI=tsx
 * measures `node --import tsx bridge/cli/main.ts` instead. Spawned directly (not through
 * npm), so the measured process is the one that migrates.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { measureProcess } from '../measure';
import { tail, withServerCpu, type AccountPair, type BenchServers, type ToolRun } from './common';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(REPO_ROOT, 'bridge', 'cli', 'main.ts');
const BUNDLE = join(REPO_ROOT, '.output', 'bridge', 'cli.js');
let bundled = false;

/** The node arguments that start the CLI, with the node flags of every entry point (NODE_FLAGS): the bundle (built once per bench run) or tsx. */
export function cliArgs(): string[] {
  if (process.env.MAILMOVER_BENCH_CLI === 'tsx') return [...NODE_FLAGS, '--import', 'tsx', CLI];
  if (!bundled) {
    execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
    bundled = true;
  }
  return [...NODE_FLAGS, BUNDLE];
}

export interface MailmoverOptions {
  stateDir: string;
  /** more CLI options, e.g. ['--concurrency', '8', '--batch-messages', '500'] */
  extraArgs?: string[];
  /** node options, e.g. ['--cpu-prof', '--cpu-prof-dir', dir] */
  nodeArgs?: string[];
  timeoutMs?: number;
}

interface CliFolder {
  source: string;
  target: string;
}
interface CliAccount {
  source: string;
  target: string;
  status: string;
  messagesCopied: number;
  messagesAlreadyPresent: number;
  folders: CliFolder[];
  error: { code: string; message: string } | null;
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
  const args = ['--allow-plaintext', '--state-dir', opts.stateDir, '--json', ...(opts.extraArgs ?? [])];
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
    const m = await measureProcess(process.execPath, [...(opts.nodeArgs ?? []), ...cliArgs(), 'migrate', ...args], {
      cwd: REPO_ROOT,
      env,
      timeoutMs: opts.timeoutMs,
    });
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

/** Process start and module loading alone: `migrate --help` (best of `n`). */
export async function cliStartSeconds(n = 3): Promise<{ wallS: number; peakRssMB: number }> {
  let best = { wallS: Infinity, peakRssMB: 0 };
  for (let i = 0; i < n; i++) {
    const m = await measureProcess(process.execPath, [...cliArgs(), 'migrate', '--help'], { cwd: REPO_ROOT });
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
    '--allow-plaintext', '--state-dir', opts.stateDir, '--json',
    ...(opts.deep ? ['--deep'] : []),
  ];
  return withServerCpu(servers, async () => {
    const m = await measureProcess(process.execPath, [...(opts.nodeArgs ?? []), ...cliArgs(), 'verify', ...args], { cwd: REPO_ROOT, env, timeoutMs: opts.timeoutMs });
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
