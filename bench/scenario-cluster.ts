/**
 * The cluster scenario: queue mode (BullMQ on Redis) on this one machine. A private
 * redis-server (the test harness's: loopback, its own dir, AUTH, append-only file) and a
 * cluster key written by `cluster init`; then --cluster-accounts (default 20) small accounts
 * of --account-messages each, as in the batch scenario, go through the queue the way users
 * run it: `migrate --accounts F.csv --queue URL --json` (README's command) enqueues them and
 * waits, while 1, 2 and 4 (--cluster-workers) worker processes (`node bridge/cli/bin.mjs worker
 * --queue URL --cluster-key-file F`, started and ready before the clock starts) run them. A
 * baseline row runs the same accounts in-process (`migrate --accounts`, no --queue) at the
 * workers' --account-concurrency.
 *
 * Second part, queue mode's overhead: one account of --cluster-one-messages migrated with
 * `migrate` in-process and with `migrate --queue` and one worker, interleaved, --repeat times.
 *
 * Every run is checked per message on every account, as the other scenarios are.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER_BIN, startRedis, type RedisServer } from '../test/harness/redis';
import { checkAccounts, snapshotSources, writeSmallAccount } from './accounts';
import { processTreeCpuSeconds } from './measure';
import { SOURCE_CLUSTER_ONE, bytesOf, clusterSource, countOf, round, type Bench, type ClusterRunDetails } from './scenarios';
import type { AccountPair, ToolRun } from './tools/common';
import { measureCli, runMailmover, type CliAccount } from './tools/mailmover';
import { startWorkers, type WorkerProcess } from './tools/queue-workers';
import { compareSnapshots, snapshot, type CheckResult } from './verify';

export const CLUSTER_SCENARIO = 'cluster';
export const CLUSTER_ONE_SCENARIO = 'cluster: one account';
export const ONE_LOCAL_LABEL = 'migrate (in-process)';
export const ONE_QUEUE_LABEL = 'migrate --queue, 1 worker';

/** Connections per side of one account when --mailmover-args does not say (the CLI's default). */
const CLI_DEFAULT_CONCURRENCY = 4;

export function clusterLabel(workers: number, concurrency: number): string {
  return workers === 0 ? `no queue: in-process batch, ${concurrency} at a time` : `${workers} worker${workers > 1 ? 's' : ''} x ${concurrency} accounts`;
}

interface Ctx {
  bench: Bench;
  redis: RedisServer;
  keyFile: string;
  /** connections per side of one account */
  perAccount: number;
}

/** What a run measured beyond the CLI process: its workers and Redis. */
interface Extra {
  details: Omit<ClusterRunDetails, 'accounts' | 'perAccountMs'>;
}

export async function clusterScenario(bench: Bench): Promise<void> {
  const cfg = bench.cfg;
  if (!existsSync(REDIS_SERVER_BIN)) {
    bench.log(`Cluster: left out, ${REDIS_SERVER_BIN} is missing (Debian package redis-server; npx tsx scripts/ensure-test-deps.ts as root)`);
    bench.scenarioNotes[CLUSTER_SCENARIO] = `left out: ${REDIS_SERVER_BIN} is missing`;
    return;
  }
  const t0 = performance.now();
  const n = cfg.clusterAccounts;
  const per = cfg.accountMessages;
  bench.log(`Cluster: writing ${n} accounts x ${per} messages and one account of ${cfg.clusterOneMessages} into the source maildirs`);
  const sources = Array.from({ length: n }, (_, i) => clusterSource(i + 1));
  for (const [i, s] of sources.entries()) writeSmallAccount(bench, s, per, `cluster${i + 1}`);
  writeSmallAccount(bench, SOURCE_CLUSTER_ONE, cfg.clusterOneMessages, 'one');
  const sourceSnaps = await snapshotSources(bench, sources);
  const oneSnap = await snapshot(bench.servers.source, SOURCE_CLUSTER_ONE);
  const messages = sourceSnaps.reduce((t, s) => t + countOf(s), 0);
  const bytes = sourceSnaps.reduce((t, s) => t + bytesOf(s), 0);
  bench.corpus.cluster = { accounts: n, messagesPerAccount: per, bytes, oneAccountMessages: countOf(oneSnap), oneAccountBytes: bytesOf(oneSnap) };
  bench.log(`  ${messages} messages, ${(bytes / 1048576).toFixed(1)} MB; one account: ${countOf(oneSnap)} messages, ${(bytesOf(oneSnap) / 1048576).toFixed(1)} MB; in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const redis = await startRedis({ name: 'bench', password: randomBytes(12).toString('hex') });
  try {
    const keyFile = join(bench.scratch, 'cluster.key');
    // As an admin makes it (this also brings the CLI's bundle up to date before workers start).
    const init = await measureCli(['cluster', 'init', '--out', keyFile]);
    if (init.exitCode !== 0) throw new Error(`cluster init failed (exit ${init.exitCode}): ${init.stderr.slice(-500)}`);
    const perAccount = concurrencyOf(cfg.mailmoverArgs);
    const ctx: Ctx = { bench, redis, keyFile, perAccount };
    const c = cfg.workerConcurrency;
    bench.scenarioNotes[CLUSTER_SCENARIO] =
      `${n} accounts of ${per} messages from one CSV through the queue: \`migrate --accounts F.csv --queue URL --json\` (README's command) enqueues and waits while N worker processes ` +
      `(\`node bridge/cli/bin.mjs worker\`, --concurrency ${c}, started and ready before the clock starts) run them; one private redis-server on loopback (AUTH, append-only file); ` +
      `the cluster-wide cap per source host (--host-connections) is set to workers x ${c} x ${perAccount} connections so that it does not bound the run (a real provider's cap would). ` +
      `The baseline runs the same accounts in-process (no --queue, --account-concurrency ${c}). CPU = the CLI's plus all workers'; peak RSS = the largest worker's; ms/account = wall / accounts`;
    bench.scenarioNotes[CLUSTER_ONE_SCENARIO] = `one account of ${countOf(oneSnap)} small messages: \`migrate\` in-process vs \`migrate --queue\` with one worker already running; the difference is queue mode's overhead (CLI start is paid by both)`;

    const settings = [0, ...cfg.clusterWorkers];
    for (let r = 1; r <= cfg.rounds; r++) {
      for (const workers of r % 2 === 1 ? settings : [...settings].reverse()) {
        const label = clusterLabel(workers, c) + (cfg.rounds > 1 ? `, round ${r}` : '');
        bench.log(`${CLUSTER_SCENARIO}: ${label}`);
        await clusterRun(ctx, workers, label, sources, sourceSnaps, messages, bytes);
      }
    }
    await overheadRuns(ctx, oneSnap);
    bench.corpus.cluster.redis = redisFootprint(redis);
    const f = bench.corpus.cluster.redis;
    bench.log(`  Redis now: ${f.usedMemoryMB} MB used, ${f.jobs} job records of ${f.bytesPerJob} bytes on average`);
  } finally {
    await redis.stop();
  }
}

/** --concurrency of --mailmover-args, else the CLI's default. */
function concurrencyOf(args: string[]): number {
  const i = args.indexOf('--concurrency');
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isInteger(v) && v > 0 ? v : CLI_DEFAULT_CONCURRENCY;
}

function workerSpecs(ctx: Ctx, count: number, concurrency: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-${tag}-w${i + 1}`,
    queueUrl: ctx.redis.url,
    keyFile: ctx.keyFile,
    dir: ctx.bench.stateDir(),
    concurrency,
    hostConnections: concurrency * ctx.perAccount,
  }));
}

/**
 * Runs `fn` (one CLI run) with `workers` serving the queue, and folds the workers' CPU and
 * peak RSS and Redis's CPU into its figures (see ClusterRunDetails).
 */
async function measured(
  ctx: Ctx,
  workers: WorkerProcess[],
  workerStartS: number,
  concurrency: number,
  fn: () => Promise<ToolRun & { accounts: CliAccount[] }>,
): Promise<ToolRun & { accounts: CliAccount[] } & Extra> {
  const loadAvg1 = loadavg()[0] ?? 0;
  const w0 = workers.map((w) => w.cpu());
  const r0 = processTreeCpuSeconds(ctx.redis.pid);
  const logFrom = workers.map((w) => w.log().length);
  const run = await fn();
  const w1 = workers.map((w) => w.cpu());
  const r1 = processTreeCpuSeconds(ctx.redis.pid);
  const peaks = workers.map((w) => round(w.peakRssMB(), 1));
  const cpu = workers.map((_, i) => ({ total: w1[i]!.total - w0[i]!.total, user: w1[i]!.user - w0[i]!.user, sys: w1[i]!.sys - w0[i]!.sys }));
  const sum = (k: 'total' | 'user' | 'sys') => cpu.reduce((t, x) => t + x[k], 0);
  const redisCpuS = Math.max(0, r1.total - r0.total);
  const cli = run.measure;
  const perWorker: Record<string, number> = {};
  for (const a of run.accounts) perWorker[a.worker ?? '(none)'] = (perWorker[a.worker ?? '(none)'] ?? 0) + 1;
  // The engine's retries happen on the workers: their "Retry" lines belong to this run.
  const retries = workers.flatMap((w, i) => w.log().slice(logFrom[i]).split('\n').filter((l) => / Retry \d+ for /.test(l)));
  return {
    ...run,
    measure: { ...cli, cpuS: cli.cpuS + sum('total'), userS: cli.userS + sum('user'), sysS: cli.sysS + sum('sys'), peakRssMB: workers.length ? Math.max(...peaks) : cli.peakRssMB },
    otherCpuS: Math.max(0, run.otherCpuS - sum('total') - redisCpuS),
    retries: [...(run.retries ?? []), ...retries],
    details: {
      workers: workers.length,
      concurrency,
      workerPeakRssMB: peaks,
      workerCpuS: cpu.map((x) => round(x.total, 2)),
      workerStartS: round(workerStartS, 2),
      cliPeakRssMB: round(cli.peakRssMB, 1),
      cliCpuS: round(cli.cpuS, 2),
      redisCpuS: round(redisCpuS, 2),
      accountsPerWorker: perWorker,
      loadAvg1: round(loadAvg1, 2),
    },
  };
}

async function clusterRun(
  ctx: Ctx,
  workerCount: number,
  label: string,
  sources: ReturnType<typeof clusterSource>[],
  sourceSnaps: Awaited<ReturnType<typeof snapshotSources>>,
  messages: number,
  bytes: number,
): Promise<void> {
  const { bench } = ctx;
  const cfg = bench.cfg;
  const c = cfg.workerConcurrency;
  const pairs: AccountPair[] = [];
  for (const s of sources) pairs.push({ source: s, target: await bench.allocTarget() });
  const csv = join(bench.stateDir(), 'accounts.csv');
  writeFileSync(
    csv,
    ['source,target,source_password,target_password', ...pairs.map((p) => [p.source.user, p.target.user, p.source.password, p.target.password].join(','))].join('\r\n') + '\r\n',
    { mode: 0o600 },
  );
  const { workers, seconds } = workerCount > 0 ? await startWorkers(workerSpecs(ctx, workerCount, c, `${workerCount}x${c}`)) : { workers: [], seconds: 0 };
  if (workerCount > 0) bench.log(`  ${workerCount} worker(s) ready in ${seconds.toFixed(1)} s`);
  const timeoutMs = Math.max(10 * 60_000, sources.length * 10_000);
  const args = workerCount > 0 ? [...cfg.mailmoverArgs] : [...cfg.mailmoverArgs, '--account-concurrency', String(c)];
  let run: Awaited<ReturnType<typeof measured>>;
  try {
    await bench.settle();
    run = await measured(ctx, workers, seconds, c, () =>
      runMailmover(
        bench.servers,
        { accountsCsv: csv },
        workerCount > 0
          ? { stateDir: bench.stateDir(), extraArgs: args, timeoutMs, queue: { url: ctx.redis.url, keyFile: ctx.keyFile, hostConnections: workerCount * c * ctx.perAccount } }
          : { stateDir: bench.stateDir(), extraArgs: args, timeoutMs },
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  if (!run.ok && workers.length) run.error = `${run.error}\n${workers.map((w) => `--- ${w.name} ---\n${w.log().split('\n').slice(-8).join('\n')}`).join('\n')}`;
  const check = await checkAccounts(bench, pairs, sourceSnaps, run.accounts);
  const rec = bench.record(CLUSTER_SCENARIO, label, run, args, messages, bytes, check);
  rec.cluster = { ...run.details, accounts: pairs.length, perAccountMs: round((rec.wallS * 1000) / pairs.length, 1) };
  bench.log(
    `    ${(rec.wallS * 1000 / pairs.length).toFixed(0)} ms/account; workers' peak RSS ${run.details.workerPeakRssMB.join(', ') || '–'} MB, CPU ${run.details.workerCpuS.join(', ') || '–'} s; ` +
      `CLI ${run.details.cliPeakRssMB} MB, ${run.details.cliCpuS} s; Redis ${run.details.redisCpuS} s; accounts per worker ${JSON.stringify(run.details.accountsPerWorker)}`,
  );
  for (const p of pairs) bench.freeTarget(bench.servers.target, p.target);
}

/** One account with and without the queue, interleaved, --repeat times each. */
async function overheadRuns(ctx: Ctx, oneSnap: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  const { bench } = ctx;
  const cfg = bench.cfg;
  bench.log(`${CLUSTER_ONE_SCENARIO}: ${countOf(oneSnap)} messages, in-process and through the queue, ${cfg.repeat} time(s) each`);
  const { workers, seconds } = await startWorkers(workerSpecs(ctx, 1, cfg.workerConcurrency, 'one'));
  try {
    for (let i = 1; i <= cfg.repeat; i++) {
      const order = i % 2 === 1 ? (['local', 'queue'] as const) : (['queue', 'local'] as const);
      for (const mode of order) {
        const target = await bench.allocTarget();
        const pair = { source: SOURCE_CLUSTER_ONE, target };
        const args = cfg.mailmoverArgs;
        await bench.settle();
        const served = mode === 'queue' ? workers : [];
        const run = await measured(ctx, served, mode === 'queue' ? seconds : 0, mode === 'queue' ? cfg.workerConcurrency : 1, () =>
          runMailmover(
            bench.servers,
            { pair },
            mode === 'queue'
              ? { stateDir: bench.stateDir(), extraArgs: args, queue: { url: ctx.redis.url, keyFile: ctx.keyFile, hostConnections: ctx.perAccount } }
              : { stateDir: bench.stateDir(), extraArgs: args },
          ),
        );
        const check: CheckResult = compareSnapshots(oneSnap, await snapshot(bench.servers.target, target), run.mapping);
        const rec = bench.record(CLUSTER_ONE_SCENARIO, `${mode === 'queue' ? ONE_QUEUE_LABEL : ONE_LOCAL_LABEL}, run ${i}`, run, args, countOf(oneSnap), bytesOf(oneSnap), check);
        rec.cluster = { ...run.details, accounts: 1, perAccountMs: round(rec.wallS * 1000, 1) };
        bench.freeTarget(bench.servers.target, target);
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** What the queue holds in Redis after the runs: for sizing Redis (docs/SCALING.md). */
function redisFootprint(redis: RedisServer): { usedMemoryMB: number; jobs: number; bytesPerJob: number } {
  const used = Number(/^used_memory:(\d+)/m.exec(redis.cli(['INFO', 'memory']))?.[1] ?? 0);
  // A job is one hash, mailmover:accounts:<job id> (payload with the sealed credentials, progress, result).
  const jobs = redis
    .cli(['--scan', '--pattern', 'mailmover:accounts:acct-*'])
    .split('\n')
    .map((k) => k.trim())
    .filter((k) => /^mailmover:accounts:acct-[0-9a-f]+$/.test(k));
  const sample = jobs.slice(0, 50);
  const sizes = sample.map((k) => Number(redis.cli(['MEMORY', 'USAGE', k, 'SAMPLES', '0']).trim()) || 0);
  return {
    usedMemoryMB: round(used / 1048576, 2),
    jobs: jobs.length,
    bytesPerJob: sizes.length ? Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) : 0,
  };
}
