/**
 * `npm run bench [-- options]`: mailmover, started as README says, against dsync and mbsync
 * (and imapsync when IMAPSYNC is set) on two local Dovecot servers. Markdown on stdout,
 * progress on stderr, JSON in bench/results/latest.json (or --json-out). `--check` runs a
 * tiny corpus through every scenario and fails unless all is correct (bench/check.ts).
 * See README "Performance" and docs/BENCH.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfCheck } from './check';
import { resolveConfig, buildProgram, type BenchOptionsInput } from './options';
import { renderMarkdown, verdicts, comparison } from './report';
import { batchScenario } from './scenario-batch';
import { bulkScenario } from './scenario-bulk';
import { clusterScenario } from './scenario-cluster';
import { linkScenario } from './scenario-link';
import { startupScenario } from './scenario-startup';
import { Bench, type BenchResult } from './scenarios';

export interface BenchOutput {
  result: BenchResult;
  markdown: string;
  jsonPath: string;
}

export interface BenchIo {
  /** progress lines; default stderr */
  log?: (line: string) => void;
  /** the Markdown report; default stdout */
  out?: (text: string) => void;
}

/** Runs the whole bench with `input` options (as the CLI would pass them) and writes the JSON. */
export async function main(input: BenchOptionsInput = {}, io: BenchIo = {}): Promise<BenchOutput> {
  const cfg = resolveConfig(input);
  const t0 = Date.now();
  const log = io.log ?? ((line: string) => process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(0)}s] ${line}\n`));
  const startedAt = new Date();
  const bench = new Bench(cfg, log);
  try {
    await bench.start();
    await bench.seed();
    const s = cfg.scenarios;
    if (s.includes('startup')) await startupScenario(bench);
    if (s.includes('full')) await bench.full();
    if (cfg.compareFsync) await bench.compareFsync();
    if (cfg.sweep) await bench.sweep();
    if (cfg.profile) await bench.profileRun(dirname(resolve(cfg.jsonOut)));
    if (s.includes('no-change')) await bench.noChange();
    if (s.includes('verify')) await bench.verify();
    if (s.includes('incremental')) await bench.incremental();
    if (s.includes('link')) await linkScenario(bench);
    if (s.includes('100k')) await bulkScenario(bench);
    if (s.includes('batch')) await batchScenario(bench);
    if (s.includes('big-message')) await bench.bigMessage();
    if (s.includes('cluster')) await clusterScenario(bench);
  } catch (err) {
    log(`failed: ${(err as Error).message}\n${bench.logTails()}`);
    throw err;
  } finally {
    log('Stopping the servers');
    await bench.stop();
  }
  const result = bench.result(startedAt);
  const jsonPath = resolve(cfg.jsonOut);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify({ ...result, comparison: summaryOf(result), targets: verdicts(result) }, null, 2) + '\n');
  const markdown = renderMarkdown(result);
  (io.out ?? ((t: string) => process.stdout.write(t)))(markdown + '\n');
  log(`JSON written to ${jsonPath}`);
  return { result, markdown, jsonPath };
}

function summaryOf(r: BenchResult) {
  const c = comparison(r);
  return {
    ratios: c.ratios,
    best: Object.fromEntries(Object.entries(c.best).map(([k, v]) => [k, { wallS: v.wallS, msgsPerS: v.msgsPerS, mbPerS: v.mbPerS, peakRssMB: v.peakRssMB, label: v.label }])),
  };
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const program = buildProgram(async (opts) => {
    const out = await main(opts);
    if (out.result.config.check) {
      const failures = await selfCheck(out);
      if (failures.length) {
        process.stderr.write(`bench --check: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`bench --check: every scenario ran, every run is correct and its figures are printed (${out.result.runs.length} runs)\n`);
      }
    }
  });
  try {
    await program.parseAsync(process.argv.slice(2), { from: 'user' });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
