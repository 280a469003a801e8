/**
 * The link scenario: both servers behind a latency proxy (bench/latency-proxy.ts), as in a
 * migration between two providers across the internet: a round trip of --link-rtt-ms
 * (default 40 ms) on each side, once per bandwidth cap of --link-mbit (default unlimited and
 * 100 Mbit/s). The source is --link-messages (default 1,500, about 120 MB) of the main corpus's
 * generator, in the same folders.
 *
 * dsync writes the target in its own process (doveadm with the target's configuration), so
 * only its source side crosses the link; mailmover and mbsync cross it on both sides. The
 * proxies run in the bench process: their CPU is taken out of each run's "other load".
 *
 * Each round also runs mailmover with --compress (COMPRESS=DEFLATE, RFC 4978, which both
 * bench servers offer), recorded as its own scenario (`compressedLabel`): whether compression
 * pays at each bandwidth cap.
 */
import { BENCH_FOLDERS } from './corpus';
import { startLatencyProxy, type LatencyProxy, type LinkSpec } from './latency-proxy';
import { SOURCE_LINK, bytesOf, countOf, round, type Bench } from './scenarios';
import type { BenchServers, ToolName, ToolRun } from './tools/common';
import { compareSnapshots, snapshot } from './verify';

export const LINK_LOOPBACK = 'link corpus on loopback';

export function linkLabel(spec: LinkSpec): string {
  return `link ${spec.rttMs} ms${spec.mbit ? `, ${spec.mbit} Mbit/s` : ''}`;
}

/** The scenario of the mailmover --compress runs over a link (not side by side: only mailmover compresses here). */
export function compressedLabel(linkScenario: string): string {
  return `${linkScenario}, mailmover --compress`;
}

export async function linkScenario(bench: Bench): Promise<void> {
  const cfg = bench.cfg;
  const t0 = performance.now();
  bench.log(`Link: seeding ${cfg.linkMessages} messages for the link scenario`);
  await bench.seedAccount(SOURCE_LINK, BENCH_FOLDERS, cfg.linkMessages, 'main');
  const sourceSnap = await snapshot(bench.servers.source, SOURCE_LINK);
  bench.corpus.link = { messages: countOf(sourceSnap), bytes: bytesOf(sourceSnap) };
  bench.log(`  ${countOf(sourceSnap)} messages, ${(bytesOf(sourceSnap) / 1048576).toFixed(1)} MB, seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const tools = bench.comparedTools();
  // The same copy without the link: what the link scenario is measured against (its physical limit
  // is about this plus a handful of round trips).
  bench.scenarioNotes[LINK_LOOPBACK] = 'the link scenario\'s corpus on loopback, no proxy: the baseline the link runs add their round trips to';
  bench.log(`${LINK_LOOPBACK}: ${tools.join(', ')}`);
  for (const tool of tools) {
    const target = await bench.allocTarget();
    const args = tool === 'mailmover' ? cfg.mailmoverArgs : [];
    await bench.settle();
    const { run } = await bench.runTool(tool, bench.servers, { source: SOURCE_LINK, target }, { args });
    const check = compareSnapshots(sourceSnap, await snapshot(bench.servers.target, target), run.mapping);
    bench.record(LINK_LOOPBACK, 'no proxy', run, args, countOf(sourceSnap), bytesOf(sourceSnap), check);
    bench.freeTarget(bench.servers.target, target);
  }
  for (const mbit of cfg.linkMbit) {
    const spec: LinkSpec = { rttMs: cfg.linkRttMs, mbit: mbit || undefined };
    const scenario = linkLabel(spec);
    bench.scenarioNotes[scenario] =
      `both servers behind a proxy adding ${spec.rttMs} ms of round trip${spec.mbit ? ` and capping each direction at ${spec.mbit} Mbit/s` : ''}; ` +
      'dsync crosses the link on its source side only (it writes the target maildir locally), mailmover and mbsync on both sides';
    bench.log(`${scenario}: ${tools.join(', ')} in ${cfg.rounds} interleaved round(s)`);
    let proxies: LatencyProxy[] = [];
    try {
      proxies = await Promise.all([
        startLatencyProxy({ host: bench.servers.source.host, port: bench.servers.source.imapPort }, spec),
        startLatencyProxy({ host: bench.servers.target.host, port: bench.servers.target.imapPort }, spec),
      ]);
      // Same servers (pid, logs, dsync's configuration), reached through the proxies (also on 127.0.0.1).
      const servers: BenchServers = {
        source: { ...bench.servers.source, imapPort: proxies[0]!.port },
        target: { ...bench.servers.target, imapPort: proxies[1]!.port },
      };
      const compressed = compressedLabel(scenario);
      if (tools.includes('mailmover')) {
        bench.scenarioNotes[compressed] = `mailmover with --compress (COMPRESS=DEFLATE on both sides) over the same link, in the same rounds: compare with mailmover's runs of "${scenario}"`;
      }
      // mailmover's --compress run goes right after its plain run, so the two meet the same machine state.
      const runs = (r: number): Array<{ tool: ToolName; compress: boolean }> =>
        (r % 2 === 1 ? tools : [...tools].reverse()).flatMap((tool: ToolName) => [false, ...(tool === 'mailmover' ? [true] : [])].map((compress) => ({ tool, compress })));
      for (let r = 1; r <= cfg.rounds; r++) {
        for (const { tool, compress } of runs(r)) {
          const target = await bench.allocTarget();
          const args = tool === 'mailmover' ? [...cfg.mailmoverArgs, ...(compress ? ['--compress'] : [])] : [];
          await bench.settle();
          const cpu0 = process.cpuUsage();
          const down0 = proxies[0]!.bytes.down;
          const up0 = proxies[1]!.bytes.up;
          const { run } = await bench.runTool(tool, servers, { source: SOURCE_LINK, target }, { args });
          takeOutProxyCpu(run, process.cpuUsage(cpu0));
          bench.log(`    ${tool}${compress ? ' --compress' : ''}: ${((proxies[0]!.bytes.down - down0) / 1048576).toFixed(1)} MB crossed the link from the source, ${((proxies[1]!.bytes.up - up0) / 1048576).toFixed(1)} MB to the target`);
          const check = compareSnapshots(sourceSnap, await snapshot(bench.servers.target, target), run.mapping);
          bench.record(compress ? compressed : scenario, `round ${r}`, run, args, countOf(sourceSnap), bytesOf(sourceSnap), check);
          bench.freeTarget(bench.servers.target, target);
        }
      }
      bench.log(`  through the proxies, all runs together: ${(proxies[0]!.bytes.down / 1048576).toFixed(0)} MB from the source, ${(proxies[1]!.bytes.up / 1048576).toFixed(0)} MB to the target`);
    } finally {
      await Promise.all(proxies.map((p) => p.close()));
    }
  }
}

/** The bench process's CPU during the run (mostly the two proxies) is not other load. */
function takeOutProxyCpu(run: ToolRun, used: NodeJS.CpuUsage): void {
  const s = (used.user + used.system) / 1e6;
  run.otherCpuS = round(Math.max(0, run.otherCpuS - s), 2);
}
