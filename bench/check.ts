/**
 * `npm run bench -- --check`: the bench's self-check. A tiny corpus goes through every
 * scenario (run.ts with the --check sizes), then this asserts what makes the bench worth
 * reading: every tool that ran is correct where it should be (mailmover and dsync exact,
 * mbsync's known changes named rather than hidden), the re-runs copied nothing, and every
 * scenario's figures are in the JSON and the Markdown. No timing is asserted: it runs on
 * shared machines. It replaces the quick bench that used to run inside `npm test`.
 */
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { startLatencyProxy } from './latency-proxy';
import type { BenchOutput } from './run';
import { BATCH_RERUN_SCENARIO, BATCH_SCENARIO } from './scenario-batch';
import { BULK_RERUN_SCENARIO, BULK_SCENARIO } from './scenario-bulk';
import { CLUSTER_ONE_SCENARIO, CLUSTER_SCENARIO, ONE_LOCAL_LABEL, ONE_QUEUE_LABEL } from './scenario-cluster';
import { LINK_LOOPBACK, compressedLabel, linkLabel } from './scenario-link';
import { STARTUP_SCENARIO } from './scenario-startup';
import type { BenchResult, RunRecord } from './scenarios';
import type { ToolName } from './tools/common';
import { CLI_COMMAND_TEXT } from './tools/mailmover';
import { compareSnapshots } from './verify';
import { duplicateCase, mappedCopyCase } from './verify-cases';

/** What mbsync is known to change: it adds X-TUID to every message it copies and drops keywords. */
const MBSYNC_KNOWN = (reason: string) => reason === 'header X-TUID added' || /^keyword .* not copied$/.test(reason);

/** Scenarios each tool must have run in the self-check (when the tool is part of the run). */
function expectedScenarios(r: BenchResult): Record<ToolName, string[]> {
  const s = r.config.scenarios;
  const has = (x: (typeof s)[number]) => s.includes(x);
  const links = has('link') ? [LINK_LOOPBACK, ...r.config.linkMbit.map((mbit) => linkLabel({ rttMs: r.config.linkRttMs, mbit: mbit || undefined }))] : [];
  const shared = [
    ...(has('full') ? ['full'] : []),
    ...(has('no-change') ? ['no-change'] : []),
    ...(has('incremental') ? ['incremental'] : []),
    ...links,
    ...(has('100k') ? [BULK_SCENARIO, BULK_RERUN_SCENARIO] : []),
  ];
  return {
    mailmover: [
      ...shared,
      ...links.filter((x) => x !== LINK_LOOPBACK).map(compressedLabel),
      ...(has('startup') ? [STARTUP_SCENARIO] : []),
      ...(has('verify') ? ['verify', 'verify --deep'] : []),
      ...(has('batch') ? [BATCH_SCENARIO, BATCH_RERUN_SCENARIO] : []),
      ...(has('big-message') ? ['big-message'] : []),
      ...(has('cluster') ? [CLUSTER_SCENARIO, CLUSTER_ONE_SCENARIO] : []),
    ],
    dsync: [...shared, ...(has('batch') ? [BATCH_SCENARIO, BATCH_RERUN_SCENARIO] : [])],
    mbsync: shared,
    imapsync: has('full') ? ['full'] : [],
  };
}

/** The checks of the correctness comparison itself, on hand-made snapshots. */
function checkTheChecker(fail: (msg: string) => void): void {
  const mapped = mappedCopyCase();
  const c = compareSnapshots(mapped.source, mapped.target, mapped.mapping);
  const sorted = (r: Record<string, number>) => JSON.stringify(Object.fromEntries(Object.entries(r).sort()));
  if (c.exact || sorted(c.reasons) !== sorted(mapped.reasons) || c.differing !== mapped.differing || c.missing !== mapped.missing) {
    fail(`the correctness check does not name each difference through the folder mapping: ${JSON.stringify(c)}`);
  }
  if (!compareSnapshots(mapped.source, mapped.source).exact) fail('the correctness check finds a snapshot different from itself');
  const { twice, once, twiceRenumbered } = duplicateCase();
  const lost = compareSnapshots(twice, once);
  if (lost.exact || lost.missing !== 1) fail('the correctness check does not count duplicates (two identical source messages need two copies)');
  if (!compareSnapshots(twice, twiceRenumbered).exact) fail('the correctness check compares UIDs, which a copy may change');
}

/** Sends `bytes` through a proxy to an echo server and back; ms until all came back. */
async function echoThrough(rttMs: number, mbit: number | undefined, bytes: number): Promise<number> {
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  const proxy = await startLatencyProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port }, { rttMs, mbit });
  try {
    const sock = connect({ host: proxy.host, port: proxy.port });
    await new Promise<void>((r, j) => sock.once('connect', () => r()).once('error', j));
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      let got = 0;
      sock.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= bytes) resolve();
      });
      sock.once('error', reject);
      sock.write(Buffer.alloc(bytes, 1));
    });
    sock.destroy();
    return performance.now() - t0;
  } finally {
    await proxy.close();
    echo.close();
  }
}

/** The latency proxy adds what it is told: a round trip per exchange, and no more than the cap. */
async function checkTheLink(fail: (msg: string) => void): Promise<void> {
  // The connection's own round trip (the handshake) has passed; one byte there and back costs one RTT.
  const rtt = await echoThrough(40, undefined, 1);
  if (rtt < 39 || rtt > 400) fail(`latency proxy: one echo took ${rtt.toFixed(0)} ms, expected about 40`);
  // 1 MB each way at 8 Mbit/s: at least 1 s to send it, the echo back shares nothing with it (own direction).
  const capped = await echoThrough(0, 8, 1_000_000);
  if (capped < 990) fail(`latency proxy: 1 MB at 8 Mbit/s came back after ${capped.toFixed(0)} ms, expected at least 1000`);
}

/** Every failed assertion of the self-check, as a sentence; empty when the bench is sound. */
export async function selfCheck(out: BenchOutput): Promise<string[]> {
  const failures: string[] = [];
  const fail = (m: string) => failures.push(m);
  checkTheChecker(fail);
  await checkTheLink(fail);

  const r = out.result;
  const json = JSON.parse(readFileSync(out.jsonPath, 'utf8')) as BenchResult;
  if (json.version !== 2) fail(`JSON version ${json.version}, expected 2`);
  if (json.runs.length !== r.runs.length) fail(`JSON has ${json.runs.length} runs, the bench made ${r.runs.length}`);
  if (!(json.machine.nproc > 0) || !json.machine.cpuModel) fail('JSON lacks the machine description');
  if (!json.cli?.startsWith(CLI_COMMAND_TEXT[r.config.cli])) fail(`JSON names the CLI command as ${json.cli}`);

  const ran = new Set(r.runs.map((x) => x.tool));
  const expected = expectedScenarios(r);
  for (const tool of ran) {
    for (const scenario of expected[tool]) {
      const runs = r.runs.filter((x) => x.tool === tool && x.scenario === scenario);
      if (!runs.length) fail(`${tool} did not run the ${scenario} scenario`);
      if (!out.markdown.includes(scenario)) fail(`the report does not show the ${scenario} scenario`);
    }
  }
  for (const tool of ['dsync', 'mbsync'] as const) if (r.config.tools.includes(tool) && !ran.has(tool)) fail(`${tool} was asked for and never ran`);

  const byTool = (tool: ToolName) => r.runs.filter((x) => x.tool === tool && x.scenario !== 'setup');
  for (const x of r.runs) {
    const what = `${x.tool} ${x.scenario} ${x.label}`;
    if (!(x.wallS > 0)) fail(`${what}: no wall time`);
    if (!(x.peakRssMB > 0)) fail(`${what}: no peak RSS`);
    if (!x.ok) fail(`${what} failed: ${x.error}`);
  }
  for (const x of [...byTool('mailmover'), ...byTool('dsync')]) {
    if (!x.check.exact) fail(`${x.tool} ${x.scenario} ${x.label} is not exact: ${JSON.stringify(x.check.reasons)}`);
    if (x.check.identical !== x.check.sourceMessages) fail(`${x.tool} ${x.scenario}: ${x.check.identical} of ${x.check.sourceMessages} identical`);
  }
  for (const x of byTool('mbsync')) {
    // Not exact, but only in the ways mbsync is known for; nothing missing or extra.
    if (x.check.missing || x.check.extra) fail(`mbsync ${x.scenario}: ${x.check.missing} missing, ${x.check.extra} extra`);
    const unknown = Object.keys(x.check.reasons).filter((k) => !MBSYNC_KNOWN(k));
    if (unknown.length) fail(`mbsync ${x.scenario}: unexpected differences ${unknown.join(', ')}`);
    if (x.check.sourceMessages > 0 && (x.check.reasons['header X-TUID added'] ?? 0) !== x.check.differing) fail(`mbsync ${x.scenario}: X-TUID not reported on every differing message`);
  }
  const copied = (scenario: string) => r.runs.filter((x) => x.tool === 'mailmover' && x.scenario === scenario).map((x) => x.copied);
  for (const scenario of ['no-change', BULK_RERUN_SCENARIO, BATCH_RERUN_SCENARIO]) {
    for (const n of copied(scenario)) if (n !== 0) fail(`mailmover copied ${n} messages in ${scenario}`);
  }
  for (const n of copied('incremental')) if (n !== r.config.increment) fail(`mailmover copied ${n} messages in incremental, expected ${r.config.increment}`);
  for (const scenario of ['verify', 'verify --deep']) for (const n of copied(scenario)) if (n !== r.corpus.messages) fail(`${scenario} matched ${n} of ${r.corpus.messages} messages`);
  const bulk = r.runs.find((x) => x.scenario === BULK_SCENARIO && x.tool === 'mailmover');
  if (bulk && bulk.check.sourceMessages !== r.config.folderMessages) fail(`100k: ${bulk.check.sourceMessages} messages checked, ${r.config.folderMessages} written`);
  // RSS is sampled every 250 ms: a run of 2 s or more has samples in both halves.
  if (bulk && bulk.wallS >= 2 && !bulk.rssHalvesMB) fail('100k: no RSS sampled in the first and second half of the run');
  if (bulk?.rssHalvesMB && !out.markdown.includes('memory does not grow')) fail('the report lacks the 100k memory verdict');
  const batch = r.runs.find((x) => x.scenario === BATCH_SCENARIO && x.tool === 'mailmover');
  if (batch && batch.check.sourceMessages !== r.config.accounts * r.config.accountMessages) fail(`batch: ${batch.check.sourceMessages} messages checked, ${r.config.accounts * r.config.accountMessages} written`);

  if (r.config.scenarios.includes('cluster')) checkCluster(r, out.markdown, fail);

  for (const head of ['| tool | wall s | msg/s | MB/s | peak RSS MB | CPU s |', '### Side by side', '### Targets']) {
    if (r.config.scenarios.includes('full') && !out.markdown.includes(head)) fail(`the report lacks "${head}"`);
  }
  if (r.config.scenarios.includes('full') && !/mailmover\/dsync = \*\*\d+\.\d\d\*\*/.test(out.markdown)) fail('the report lacks the mailmover/dsync ratio');
  if (r.config.scenarios.includes('batch') && !/\| ms\/account \|/.test(out.markdown)) fail('the report lacks the per-account figure of the batch');
  return failures;
}

/** The cluster scenario: every worker count ran, every account ran on a worker of its run, and the figures are printed. */
function checkCluster(r: BenchResult, markdown: string, fail: (msg: string) => void): void {
  const cfg = r.config;
  const runs = r.runs.filter((x) => x.scenario === CLUSTER_SCENARIO);
  for (const workers of [0, ...cfg.clusterWorkers]) {
    const mine = runs.filter((x) => x.cluster?.workers === workers);
    if (!mine.length) fail(`cluster: no run with ${workers} worker(s)`);
    for (const x of mine) {
      const d = x.cluster!;
      const want = cfg.clusterAccounts * cfg.accountMessages;
      if (x.check.sourceMessages !== want) fail(`cluster ${x.label}: ${x.check.sourceMessages} messages checked, ${want} written`);
      if (d.accounts !== cfg.clusterAccounts) fail(`cluster ${x.label}: ${d.accounts} accounts, expected ${cfg.clusterAccounts}`);
      if (workers === 0) continue;
      if (d.workerPeakRssMB.length !== workers || d.workerPeakRssMB.some((v) => !(v > 0))) fail(`cluster ${x.label}: worker peak RSS ${JSON.stringify(d.workerPeakRssMB)}`);
      const names = Object.keys(d.accountsPerWorker);
      const ran = Object.values(d.accountsPerWorker).reduce((a, b) => a + b, 0);
      if (ran !== cfg.clusterAccounts || names.some((n) => !n.startsWith(`bench-${workers}x`))) fail(`cluster ${x.label}: accounts per worker ${JSON.stringify(d.accountsPerWorker)} (every account on a worker of this run)`);
    }
  }
  for (const label of [ONE_LOCAL_LABEL, ONE_QUEUE_LABEL]) {
    if (!r.runs.some((x) => x.scenario === CLUSTER_ONE_SCENARIO && x.label.startsWith(label))) fail(`${CLUSTER_ONE_SCENARIO}: no "${label}" run`);
  }
  if (!/### Queue mode \(BullMQ on Redis\)/.test(markdown)) fail('the report lacks the queue mode section');
  if (!/Queue mode's overhead for one account: \*\*[+-]?\d+\.\d\d s\*\*/.test(markdown)) fail("the report lacks queue mode's overhead for one account");
  if (!markdown.includes(`This machine has ${r.machine.nproc} core`)) fail('the queue mode section does not say how many cores the machine has');
}
