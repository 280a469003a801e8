/**
 * The bench's Markdown report (stdout) and the target verdicts, both computed from the JSON
 * result so that a stored run (bench/results/*.json) can be printed again.
 */
import { BULK_SCENARIO } from './scenario-bulk';
import { CLUSTER_ONE_SCENARIO, CLUSTER_SCENARIO, ONE_LOCAL_LABEL, ONE_QUEUE_LABEL } from './scenario-cluster';
import { compressedLabel } from './scenario-link';
import type { BenchResult, RunRecord } from './scenarios';
import type { ToolName } from './tools/common';
import { summarizeCheck } from './verify';

export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean | null;
  /** how far from the target, when missed */
  margin?: string;
}

export interface Comparison {
  best: Partial<Record<ToolName, RunRecord>>;
  ratios: { dsync?: number; mbsync?: number; imapsync?: number };
}

/** Better: undisturbed before disturbed, then faster. */
function better(a: RunRecord, b: RunRecord | undefined): boolean {
  if (!b) return true;
  if (!!a.disturbed !== !!b.disturbed) return !a.disturbed;
  return a.wallS < b.wallS;
}

/** Each tool's best full-migration run: the fastest undisturbed one (the fastest of all when every run was disturbed). */
export function comparison(r: BenchResult): Comparison {
  const best: Comparison['best'] = {};
  for (const run of r.runs.filter((x) => x.scenario === 'full' && x.ok)) {
    if (better(run, best[run.tool])) best[run.tool] = run;
  }
  const mm = best.mailmover;
  const ratio = (t: ToolName) => (mm && best[t] ? Math.round((mm.msgsPerS / best[t]!.msgsPerS) * 100) / 100 : undefined);
  return { best, ratios: { dsync: ratio('dsync'), mbsync: ratio('mbsync'), imapsync: ratio('imapsync') } };
}

function bestOf(r: BenchResult, scenario: string): RunRecord | undefined {
  let best: RunRecord | undefined;
  for (const x of r.runs) if (x.scenario === scenario && x.tool === 'mailmover' && better(x, best)) best = x;
  return best;
}

/** A link scenario proper ("link 40 ms", "link 40 ms, 100 Mbit/s"), not its loopback baseline. */
const isLinkRun = (scenario: string) => /^link \d/.test(scenario);

/** Scenarios run by several tools side by side, in the order the report shows them. */
export function sideBySideScenarios(r: BenchResult): string[] {
  const names = [...new Set(r.runs.map((x) => x.scenario))];
  const order = (n: string) => (n === 'no-change' ? 0 : n === 'incremental' ? 1 : n.startsWith('link corpus') ? 2 : n.startsWith('link') ? 3 : n.startsWith('100k') ? 4 : n.startsWith('batch') ? 5 : 9);
  return names.filter((n) => order(n) < 9).sort((a, b) => order(a) - order(b) || names.indexOf(a) - names.indexOf(b));
}

/** The best run of each tool in `scenario` (undisturbed and ok first, then fastest). */
export function bestByTool(r: BenchResult, scenario: string): Partial<Record<ToolName, RunRecord>> {
  const out: Partial<Record<ToolName, RunRecord>> = {};
  for (const x of r.runs.filter((y) => y.scenario === scenario)) {
    const cur = out[x.tool];
    if (!cur || (x.ok && !cur.ok) || (x.ok === cur.ok && better(x, cur))) out[x.tool] = x;
  }
  return out;
}

/** How many times faster mailmover is than `tool` (wall time of the best runs): > 1 = mailmover faster. */
export function speedRatio(best: Partial<Record<ToolName, RunRecord>>, tool: ToolName): number | undefined {
  const mm = best.mailmover;
  const other = best[tool];
  if (!mm || !other || !mm.ok || !other.ok || mm.wallS <= 0) return undefined;
  return Math.round((other.wallS / mm.wallS) * 100) / 100;
}

function atLeast(target: string, measured: number | undefined, goal: number, detail: string): TargetVerdict | undefined {
  if (measured === undefined) return undefined;
  return { target, measured: `${measured.toFixed(2)}x (${detail})`, met: measured >= goal, margin: measured >= goal ? undefined : `${Math.round((1 - measured / goal) * 100)}% short` };
}

function atMost(target: string, measuredS: number | undefined, goalS: number): TargetVerdict | undefined {
  if (measuredS === undefined) return undefined;
  return { target, measured: `${measuredS.toFixed(2)} s`, met: measuredS <= goalS, margin: measuredS <= goalS ? undefined : `${(measuredS - goalS).toFixed(2)} s over` };
}

/** The goals of issue 14, measured as ratios within this one run. */
export function verdicts(r: BenchResult): TargetVerdict[] {
  const c = comparison(r);
  const out: Array<TargetVerdict | undefined> = [];
  const mm = c.best.mailmover;
  if (mm && c.best.dsync) out.push(atLeast('full migration >= 1.0x dsync (msg/s, best runs)', c.ratios.dsync, 1.0, `${mm.msgsPerS} vs ${c.best.dsync.msgsPerS} msg/s`));
  if (mm && c.best.mbsync) out.push(atLeast('full migration >= 1.3x mbsync', c.ratios.mbsync, 1.3, `${mm.msgsPerS} vs ${c.best.mbsync.msgsPerS} msg/s`));
  for (const scenario of sideBySideScenarios(r).filter(isLinkRun)) {
    const best = bestByTool(r, scenario);
    const w = (t: ToolName) => `${best.mailmover?.wallS.toFixed(2)} vs ${best[t]?.wallS.toFixed(2)} s`;
    out.push(atLeast(`${scenario}: >= 1.2x dsync`, speedRatio(best, 'dsync'), 1.2, w('dsync')));
    out.push(atLeast(`${scenario}: >= 1.5x mbsync`, speedRatio(best, 'mbsync'), 1.5, w('mbsync')));
    const packed = bestOf(r, compressedLabel(scenario));
    if (packed && best.mailmover) {
      const gain = best.mailmover.wallS / packed.wallS;
      out.push({ target: `${scenario}: mailmover --compress (reported)`, measured: `${packed.wallS.toFixed(2)} vs ${best.mailmover.wallS.toFixed(2)} s without: ${gain.toFixed(2)}x${packed.ok ? '' : `, FAILED: ${packed.error}`}`, met: null });
    }
  }
  out.push(atMost('no-change re-run <= 1 s', bestOf(r, 'no-change')?.wallS, 1));
  const inc = bestOf(r, 'incremental');
  out.push(atMost(`+${inc?.messages ?? 100} incremental <= 0.5 s`, inc?.wallS, 0.5));
  const startup = r.runs.find((x) => x.scenario === 'startup' && x.tool === 'mailmover' && x.label.includes("README's command"));
  out.push(atMost("--help through README's command <= 0.3 s", startup?.wallS, 0.3));
  const batch = bestByTool(r, 'batch');
  if (batch.mailmover && batch.dsync) {
    const per = (x: RunRecord) => perAccountMs(r, x);
    const a = per(batch.mailmover);
    const b = per(batch.dsync);
    out.push({ target: 'batch: per-account overhead <= dsync at the same concurrency', measured: `${a.toFixed(0)} vs ${b.toFixed(0)} ms per account`, met: a <= b, margin: a <= b ? undefined : `${(a - b).toFixed(0)} ms over` });
  }
  const bulk = r.runs.find((x) => x.tool === 'mailmover' && x.scenario === BULK_SCENARIO && x.ok);
  if (bulk?.rssHalvesMB) {
    // Messages are copied at an even pace, so a per-message structure held for the whole
    // folder would put the second half's peak well above the first's.
    const { first, second } = bulk.rssHalvesMB;
    const grew = second - first;
    out.push({
      target: `${bulk.label}: memory does not grow with the messages copied (second half's peak RSS <= first half's + 10%)`,
      measured: `${first.toFixed(0)} MB in the first half, ${second.toFixed(0)} MB in the second (peak ${bulk.peakRssMB.toFixed(0)} MB)`,
      met: second <= first * 1.1,
      margin: second <= first * 1.1 ? undefined : `${grew.toFixed(0)} MB more`,
    });
  }
  const ver = bestOf(r, 'verify');
  const fullBest = bestOf(r, 'full');
  if (ver && fullBest) {
    // Issue 18: a metadata verify must cost well under the migration it checks (half at most).
    const ratio = ver.wallS / fullBest.wallS;
    // A ratio against a disturbed run (or of one) says nothing: then the target is not claimed as met.
    const disturbed = fullBest.disturbed || ver.disturbed;
    out.push({
      target: 'metadata verify < 0.5 x full migration',
      measured: `${ver.wallS.toFixed(2)} s (${ratio.toFixed(2)} x the full migration's ${fullBest.wallS.toFixed(2)} s${disturbed ? '; a disturbed run, not comparable' : ''})${ver.ok ? '' : `, FAILED: ${ver.error}`}`,
      met: ver.ok && !disturbed && ratio < 0.5,
      margin: ratio < 0.5 && !disturbed ? undefined : disturbed ? 'disturbed' : `${ratio.toFixed(2)} x`,
    });
  }
  const fullRuns = r.runs.filter((x) => x.tool === 'mailmover' && x.scenario === 'full');
  if (fullRuns.length) {
    const worst = fullRuns.reduce((a, b) => (b.peakRssMB > a.peakRssMB ? b : a));
    out.push({ target: 'full migration peak RSS <= 150 MB', measured: `max ${worst.peakRssMB.toFixed(0)} MB`, met: worst.peakRssMB <= 150, margin: worst.peakRssMB <= 150 ? undefined : `${(worst.peakRssMB - 150).toFixed(0)} MB over` });
  }
  const mmRuns = r.runs.filter((x) => x.tool === 'mailmover' && x.scenario !== 'sweep' && x.scenario !== 'profile' && !x.scenario.includes('fsync off'));
  if (mmRuns.length) {
    const worst = mmRuns.reduce((a, b) => (b.peakRssMB > a.peakRssMB ? b : a));
    out.push({ target: 'peak RSS in every scenario (reported)', measured: `max ${worst.peakRssMB.toFixed(0)} MB (${worst.scenario} ${worst.label})`, met: null });
    const inexact = mmRuns.filter((x) => !x.check.exact || !x.ok);
    out.push({
      target: 'mailmover exact in every scenario (counts, hashes, flags, dates)',
      measured: inexact.length ? inexact.map((x) => `${x.scenario} ${x.label}: ${x.ok ? summarizeCheck(x.check) : x.error}`).join('; ') : `${mmRuns.length} runs exact`,
      met: inexact.length === 0,
    });
  }
  return out.filter((x): x is TargetVerdict => x !== undefined);
}

/**
 * How far each tool's link run is from the same copy on loopback, in round trips of the link:
 * the physical limit is the loopback time plus a handful of them.
 */
export function linkOverhead(r: BenchResult, scenario: string): string | undefined {
  const loop = bestByTool(r, 'link corpus on loopback');
  const link = bestByTool(r, scenario);
  const rtt = r.config.linkRttMs;
  const parts = (Object.keys(link) as ToolName[])
    .filter((t) => loop[t]?.ok && link[t]?.ok)
    .map((t) => {
      const extra = link[t]!.wallS - loop[t]!.wallS;
      return `${t} ${f2(extra)} s${rtt > 0 ? ` (${Math.round((extra * 1000) / rtt)} round trips)` : ''}`;
    });
  return parts.length ? `Over the same copy on loopback the link added: ${parts.join(', ')}.` : undefined;
}

/** Wall time per account of a batch run, ms. */
export function perAccountMs(r: BenchResult, x: RunRecord): number {
  const accounts = r.corpus.batch.accounts || 1;
  return (x.wallS * 1000) / accounts;
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function correctness(run: RunRecord): string {
  const notes: string[] = [];
  if (run.retries?.length) notes.push(`${run.retries.length} retr${run.retries.length > 1 ? 'ies' : 'y'} after a transient error`);
  if (run.serverPanics?.length) notes.push(`Dovecot logged ${run.serverPanics.length} Panic/Fatal line(s)`);
  const extra = notes.length ? ` [${notes.join('; ')}]` : '';
  if (!run.ok) return `FAILED: ${run.error ?? '?'}${extra}`;
  return summarizeCheck(run.check) + extra;
}

export function renderMarkdown(r: BenchResult): string {
  const c = comparison(r);
  const out: string[] = [];
  const m = r.machine;
  out.push(`## mailmover bench — ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(
    `Machine: ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Dovecot ${m.dovecot}${m.mbsync ? `, ${m.mbsync}` : ''}; ` +
      `maildirs on ${m.mailStorage.fsType} (${m.mailStorage.dir}), fsync ${r.config.fsync ? 'on' : 'off'}; ${m.measuredWith}. ` +
      `"other load" = CPU the machine spent on anything but the tool and the two servers during the run (kernel writeback, other processes): high values mark disturbed runs.`,
  );
  out.push(
    `Corpus: ${r.corpus.messages} messages, ${mb(r.corpus.bytes)} MB, ${r.corpus.folders.length} folders (${r.corpus.bigMessages} over 1 MB), seed ${r.corpus.seed}. ` +
      `CLI start alone (\`migrate --help\`): ${f2(r.cliStart.wallS)} s, ${r.cliStart.peakRssMB.toFixed(0)} MB RSS.`,
  );
  out.push('');
  out.push(`mailmover was started as \`${r.cli ?? 'node bridge/cli/load-bundle.mjs migrate ...'}\`: wall time, CPU and peak RSS are those of the whole command (npm and its shell included when it is started through npm).`);
  out.push('');
  const startup = r.runs.filter((x) => x.scenario === 'startup');
  if (startup.length) {
    out.push('### startup (`--help`, best run)');
    out.push('');
    out.push(table(['command', 'wall s', 'peak RSS MB', 'CPU s', 'result'], startup.map((x) => [x.label, f2(x.wallS), x.peakRssMB.toFixed(0), f2(x.cpuS), x.ok ? 'ok' : `FAILED: ${x.error}`])));
    out.push('');
  }

  const full = r.runs.filter((x) => x.scenario === 'full');
  if (full.length) {
    out.push(`### Full migration to an empty target (best of ${r.config.rounds} interleaved run${r.config.rounds > 1 ? 's' : ''} per tool)`);
    out.push('');
    const tools = [...new Set(full.map((x) => x.tool))];
    out.push(
      table(
        ['tool', 'wall s', 'msg/s', 'MB/s', 'peak RSS MB', 'CPU s', 'source server CPU s', 'target server CPU s', 'other load CPU s', 'all runs (wall s)', 'correctness'],
        tools.map((t) => {
          const runs = full.filter((x) => x.tool === t);
          const b = c.best[t] ?? runs[0]!;
          return [
            t,
            f2(b.wallS),
            f1(b.msgsPerS),
            f1(b.mbPerS),
            b.peakRssMB.toFixed(0),
            f2(b.cpuS),
            f2(b.sourceServerCpuS),
            t === 'dsync' ? `${f2(b.targetServerCpuS)} (writes in-process)` : f2(b.targetServerCpuS),
            f2(b.otherCpuS),
            runs.map((x) => `${f2(x.wallS)}${x.disturbed ? '*' : ''}`).join(', '),
            runs.every((x) => x.ok && x.check.exact) ? correctness(b) : runs.map(correctness).filter((s, i, a) => a.indexOf(s) === i).join(' / '),
          ];
        }),
      ),
    );
    out.push('');
    const ratios = Object.entries(c.ratios)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `mailmover/${k} = **${v!.toFixed(2)}**`);
    if (full.some((x) => x.disturbed)) out.push('\\* disturbed: other load took over 10% of the machine during the run; such a run was repeated and is not used as the best while an undisturbed one exists.', '');
    if (ratios.length) out.push(`Throughput ratios (msg/s, best runs): ${ratios.join(', ')}.`, '');
    out.push('CPU budget of the best runs (what bounds them on this machine):', '');
    out.push(
      table(
        ['tool', 'wall s', 'tool CPU s (user+sys)', 'tool CPU / wall', 'servers CPU s (target sys)', 'tool + servers / (cores × wall)', 'machine busy'],
        tools.map((t) => {
          const b = c.best[t] ?? full.find((x) => x.tool === t)!;
          const servers = b.sourceServerCpuS + b.targetServerCpuS;
          return [
            t,
            f2(b.wallS),
            `${f2(b.cpuS)} (${f2(b.userS)}+${f2(b.sysS)})`,
            `${Math.round((b.cpuS / b.wallS) * 100)}%`,
            `${f2(servers)} (${f2(b.targetServerSysS)})`,
            `${Math.round(((b.cpuS + servers) / (m.nproc * b.wallS)) * 100)}%`,
            `${Math.round(b.machineBusyShare * 100)}%`,
          ];
        }),
      ),
    );
    out.push('');
  }

  const shown = new Set([...sideBySideScenarios(r), 'startup', 'full', 'sweep', 'profile', 'setup', CLUSTER_SCENARIO, CLUSTER_ONE_SCENARIO]);
  const scen = r.runs.filter((x) => x.tool === 'mailmover' && !shown.has(x.scenario) && !x.scenario.includes('fsync off'));
  const fullMm = c.best.mailmover;
  if (fullMm || scen.length) {
    out.push('### mailmover scenarios');
    out.push('');
    const rows: RunRecord[] = [...(fullMm ? [fullMm] : []), ...scen];
    out.push(
      table(
        ['scenario', 'run', 'messages', 'MB', 'wall s', 'msg/s', 'MB/s', 'peak RSS MB', 'CPU s', 'source server CPU s', 'target server CPU s', 'other load CPU s', 'correctness'],
        rows.map((x) => [
          x.scenario,
          `${x.label}${x.disturbed ? '*' : ''}`,
          String(x.messages),
          mb(x.bytes),
          f2(x.wallS),
          x.messages ? f1(x.msgsPerS) : '–',
          x.bytes ? f1(x.mbPerS) : '–',
          x.peakRssMB.toFixed(0),
          f2(x.cpuS),
          f2(x.sourceServerCpuS),
          f2(x.targetServerCpuS),
          f2(x.otherCpuS),
          correctness(x),
        ]),
      ),
    );
    out.push('');
  }

  const sbs = sideBySideScenarios(r);
  if (sbs.length) {
    out.push('### Side by side (same run; best run per tool)');
    out.push('');
    out.push('"mailmover ×" = the tool\'s wall time / mailmover\'s: above 1, mailmover is faster.');
    out.push('');
    for (const scenario of sbs) {
      const best = bestByTool(r, scenario);
      const rows = (Object.keys(best) as ToolName[]).map((t) => best[t]!);
      const isBatch = scenario.startsWith('batch');
      out.push(`**${scenario}**${r.scenarioNotes?.[scenario] ? `: ${r.scenarioNotes[scenario]}` : ''}`);
      out.push('');
      out.push(
        table(
          ['tool', 'run', 'messages moved / on source', 'MB moved', 'wall s', ...(isBatch ? ['ms/account'] : ['msg/s']), 'peak RSS MB', 'CPU s', 'source / target server CPU s', 'other load CPU s', 'mailmover ×', 'all runs (wall s)', 'correctness'],
          rows.map((x) => {
            const ratio = x.tool === 'mailmover' ? undefined : speedRatio(best, x.tool);
            const all = r.runs.filter((y) => y.scenario === scenario && y.tool === x.tool);
            return [
              x.tool,
              `${x.label}${x.disturbed ? '*' : ''}`,
              `${x.messages} / ${x.check.sourceMessages}`,
              mb(x.bytes),
              f2(x.wallS),
              isBatch ? perAccountMs(r, x).toFixed(0) : x.messages ? f1(x.msgsPerS) : '–',
              x.peakRssMB.toFixed(0),
              f2(x.cpuS),
              `${f2(x.sourceServerCpuS)} / ${f2(x.targetServerCpuS)}${x.tool === 'dsync' ? ' (writes in-process)' : ''}`,
              f2(x.otherCpuS),
              ratio === undefined ? '–' : f2(ratio),
              all.map((y) => `${f2(y.wallS)}${y.disturbed ? '*' : ''}`).join(', '),
              correctness(x),
            ];
          }),
        ),
      );
      out.push('');
      const limit = isLinkRun(scenario) ? linkOverhead(r, scenario) : undefined;
      if (limit) out.push(limit, '');
    }
  }

  out.push(...clusterSection(r));

  const extra = r.runs.filter((x) => x.scenario === 'sweep' || x.scenario === 'profile' || x.scenario.includes('fsync off'));
  if (extra.length) {
    out.push('### Diagnostics');
    out.push('');
    out.push(
      table(
        ['scenario', 'tool', 'run', 'wall s', 'msg/s', 'peak RSS MB', 'CPU s', 'source server CPU s', 'target server CPU s', 'other load CPU s', 'correctness'],
        extra.map((x) => [x.scenario, x.tool, x.label, f2(x.wallS), f1(x.msgsPerS), x.peakRssMB.toFixed(0), f2(x.cpuS), f2(x.sourceServerCpuS), f2(x.targetServerCpuS), f2(x.otherCpuS), correctness(x)]),
      ),
    );
    out.push('');
  }

  if (r.profile) {
    const p = r.profile;
    out.push(`### CPU profile of a full migration (node --cpu-prof)`);
    out.push('');
    out.push(`Sampled ${f2(p.totalMs / 1000)} s: main thread idle (waiting for the servers) ${f2(p.idleMs / 1000)} s, busy ${f2((p.totalMs - p.idleMs) / 1000)} s, of which GC ${f2(p.gcMs / 1000)} s.`);
    out.push('');
    out.push(table(['area', 'ms', 'share'], p.byArea.map((a) => [a.area, String(a.ms), `${a.share}%`])));
    out.push('');
    out.push(table(['function (self time)', 'where', 'ms', 'share of busy'], p.topFunctions.slice(0, 12).map((f) => [f.fn, f.where, String(f.ms), `${f.share}%`])));
    out.push('');
  }

  const v = verdicts(r);
  if (v.length) {
    out.push('### Targets');
    out.push('');
    out.push(table(['target', 'measured', 'result'], v.map((x) => [x.target, x.measured, x.met === null ? '–' : x.met ? 'met' : `MISSED${x.margin ? ` (${x.margin})` : ''}`])));
    out.push('');
  }
  return out.join('\n');
}

/** The best run of each worker count of the cluster scenario (0 = in-process), fewest workers first. */
export function clusterBest(r: BenchResult): RunRecord[] {
  const best = new Map<number, RunRecord>();
  for (const x of r.runs.filter((y) => y.scenario === CLUSTER_SCENARIO && y.cluster)) {
    const w = x.cluster!.workers;
    const cur = best.get(w);
    if (!cur || (x.ok && !cur.ok) || (x.ok === cur.ok && better(x, cur))) best.set(w, x);
  }
  return [...best.entries()].sort(([a], [b]) => a - b).map(([, x]) => x);
}

/** Queue mode's cost for one account: best in-process and best queued run, and the difference. */
export function clusterOverhead(r: BenchResult): { local?: RunRecord; queue?: RunRecord; extraS?: number } {
  const pick = (prefix: string) => {
    let best: RunRecord | undefined;
    for (const x of r.runs) if (x.scenario === CLUSTER_ONE_SCENARIO && x.label.startsWith(prefix) && (!best || (x.ok && !best.ok) || (x.ok === best.ok && better(x, best)))) best = x;
    return best;
  };
  const local = pick(ONE_LOCAL_LABEL);
  const queue = pick(ONE_QUEUE_LABEL);
  return { local, queue, extraS: local?.ok && queue?.ok ? Math.round((queue.wallS - local.wallS) * 100) / 100 : undefined };
}

function clusterSection(r: BenchResult): string[] {
  const best = clusterBest(r);
  const { local, queue, extraS } = clusterOverhead(r);
  if (!best.length && !local && !queue) return [];
  const out: string[] = [];
  const nproc = r.machine.nproc;
  const c = r.corpus.cluster;
  out.push(`### Queue mode (BullMQ on Redis) on this machine: ${c?.accounts ?? '?'} accounts x ${c?.messagesPerAccount ?? '?'} messages`);
  out.push('');
  if (r.scenarioNotes?.[CLUSTER_SCENARIO]) out.push(`**${CLUSTER_SCENARIO}**: ${r.scenarioNotes[CLUSTER_SCENARIO]}.`, '');
  const most = Math.max(0, ...best.map((x) => x.cluster!.workers));
  out.push(
    `This machine has ${nproc} core${nproc > 1 ? 's' : ''}, shared by every worker, both Dovecot servers, Redis and the CLI` +
      (most > nproc
        ? `: ${most} worker processes cannot run ${most} times as fast as one here, they take turns on the same ${nproc} cores. `
        : '. ') +
      'These rows show what the queue costs and how far more processes help on one machine; a real cluster scales by machines, each with its own cores and source IP. ' +
      '"load" is the 1-minute load average when the run started (other users of the machine included).',
  );
  out.push('');
  const one = best.find((x) => x.cluster!.workers === 1);
  const inProc = best.find((x) => x.cluster!.workers === 0);
  if (best.length) {
    out.push(
      table(
        ['run', 'wall s', 'ms/account', '× 1 worker', '× in-process', 'CPU s (CLI + workers)', 'worker peak RSS MB (each)', 'workers CPU s (each)', 'CLI RSS MB / CPU s', 'Redis CPU s', 'accounts per worker', 'machine busy', 'other load CPU s', 'load', 'all runs (wall s)', 'correctness'],
        best.map((x) => {
          const d = x.cluster!;
          const all = r.runs.filter((y) => y.scenario === CLUSTER_SCENARIO && y.cluster?.workers === d.workers);
          const ratio = (base: RunRecord | undefined) => (base?.ok && x.ok && x !== base ? f2(base.wallS / x.wallS) : '–');
          return [
            x.label.replace(/, round \d+$/, ''),
            f2(x.wallS),
            d.perAccountMs.toFixed(0),
            ratio(one),
            ratio(inProc),
            f2(x.cpuS),
            d.workerPeakRssMB.length ? d.workerPeakRssMB.map((v) => v.toFixed(0)).join(', ') : '–',
            d.workerCpuS.length ? d.workerCpuS.map(f2).join(', ') : '–',
            `${d.cliPeakRssMB.toFixed(0)} / ${f2(d.cliCpuS)}`,
            f2(d.redisCpuS),
            d.workers ? Object.entries(d.accountsPerWorker).map(([w, n]) => `${w.replace(/^bench-[^-]+-/, '')}: ${n}`).join(', ') : '–',
            `${Math.round(x.machineBusyShare * 100)}%`,
            f2(x.otherCpuS),
            f2(d.loadAvg1),
            all.map((y) => `${f2(y.wallS)}${y.disturbed ? '*' : ''}`).join(', '),
            correctness(x),
          ];
        }),
      ),
    );
    out.push('');
    out.push('"× 1 worker" and "× in-process" = that run\'s wall time / this row\'s: above 1, this row is faster. Workers were started and ready before each run (their start is not in the wall time).');
    out.push('');
  }
  if (local || queue) {
    out.push(`**${CLUSTER_ONE_SCENARIO}**${r.scenarioNotes?.[CLUSTER_ONE_SCENARIO] ? `: ${r.scenarioNotes[CLUSTER_ONE_SCENARIO]}` : ''}`);
    out.push('');
    out.push(
      table(
        ['mode', 'messages', 'wall s', 'msg/s', 'peak RSS MB', 'CPU s', 'Redis CPU s', 'all runs (wall s)', 'correctness'],
        [local, queue]
          .filter((x): x is RunRecord => !!x)
          .map((x) => {
            const prefix = x.label.replace(/, run \d+$/, '');
            const all = r.runs.filter((y) => y.scenario === CLUSTER_ONE_SCENARIO && y.label.startsWith(prefix));
            return [prefix, String(x.messages), f2(x.wallS), f1(x.msgsPerS), x.peakRssMB.toFixed(0), f2(x.cpuS), x.cluster ? f2(x.cluster.redisCpuS) : '–', all.map((y) => `${f2(y.wallS)}${y.disturbed ? '*' : ''}`).join(', '), correctness(x)];
          }),
      ),
    );
    out.push('');
    if (extraS !== undefined && local) {
      const lowestCpu = (x: RunRecord) => Math.min(...r.runs.filter((y) => y.scenario === CLUSTER_ONE_SCENARIO && y.ok && y.label.startsWith(x.label.replace(/, run \d+$/, ''))).map((y) => y.cpuS));
      const disturbed = local.disturbed || queue!.disturbed;
      out.push(
        `Queue mode's overhead for one account: **${extraS >= 0 ? '+' : ''}${f2(extraS)} s** (${f2(queue!.wallS / local.wallS)} × the in-process run; best runs)` +
          `${disturbed ? ', but other load disturbed these runs (*), so the difference is within the noise of this machine' : ''}. ` +
          `CPU, lowest run of each: ${f2(lowestCpu(queue!))} s (CLI + worker) vs ${f2(lowestCpu(local))} s in-process. Peak RSS of the queued run is the worker's.`,
      );
      out.push('');
    }
  }
  if (c?.redis) {
    out.push(`Redis after the scenario: ${c.redis.usedMemoryMB} MB used, ${c.redis.jobs} job records (finished jobs are kept 24 h, failed ones 7 days) of ${(c.redis.bytesPerJob / 1024).toFixed(1)} KB each on average.`);
    out.push('');
  }
  return out;
}
