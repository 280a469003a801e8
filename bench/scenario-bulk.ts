/**
 * The 100k scenario: one INBOX of --folder-messages (default 100,000) small messages,
 * written as a maildir straight into the source Dovecot (bench/maildir-writer.ts) and opened
 * once before any tool runs, so no tool pays for Dovecot indexing the folder. Each tool
 * copies it into an empty target (time, peak RSS: does memory grow with the message count?),
 * then runs again on its finished copy with nothing new (the re-run).
 */
import { writeMaildirFolder, smallMessages } from './maildir-writer';
import { SOURCE_BULK, bytesOf, countOf, type Bench, type RunPlace } from './scenarios';
import type { DovecotUser } from '../test/harness/dovecot';
import type { ToolName } from './tools/common';
import { compareSnapshots, snapshot } from './verify';

export const BULK_SCENARIO = '100k';
export const BULK_RERUN_SCENARIO = '100k re-run';

export async function bulkScenario(bench: Bench): Promise<void> {
  const cfg = bench.cfg;
  const n = cfg.folderMessages;
  bench.log(`${BULK_SCENARIO}: writing one INBOX of ${n} small messages into the source maildir`);
  const t0 = performance.now();
  const written = writeMaildirFolder(bench.servers.source, SOURCE_BULK.user, 'INBOX', smallMessages(n, cfg.seed, 'bulk'));
  const writeSeconds = (performance.now() - t0) / 1000;
  // The first snapshot opens the folder: Dovecot assigns the UIDs and builds its index here.
  const sourceSnap = await snapshot(bench.servers.source, SOURCE_BULK);
  if (countOf(sourceSnap) !== n) throw new Error(`${BULK_SCENARIO}: the source shows ${countOf(sourceSnap)} messages, ${n} written`);
  bench.corpus.bulk = { messages: written.messages, bytes: written.bytes, writeSeconds: Math.round(writeSeconds * 10) / 10 };
  bench.log(`  ${n} messages, ${(written.bytes / 1048576).toFixed(1)} MB written in ${writeSeconds.toFixed(1)} s, indexed and read back in ${((performance.now() - t0) / 1000 - writeSeconds).toFixed(1)} s`);
  bench.scenarioNotes[BULK_SCENARIO] = `one INBOX of ${n} messages of 0.8-3 KB into an empty target; watch peak RSS against the message count`;
  bench.scenarioNotes[BULK_RERUN_SCENARIO] = `each tool again on its finished copy of the ${n}-message folder, nothing new`;

  const tools = bench.comparedTools();
  const done: Array<{ tool: ToolName; target: DovecotUser; place: Required<RunPlace>; mapping: Map<string, string> }> = [];
  for (const tool of tools) {
    const target = await bench.allocTarget();
    const args = tool === 'mailmover' ? cfg.mailmoverArgs : [];
    await bench.settle();
    const { run, place } = await bench.runTool(tool, bench.servers, { source: SOURCE_BULK, target }, { args });
    const check = compareSnapshots(sourceSnap, await snapshot(bench.servers.target, target), run.mapping);
    bench.record(BULK_SCENARIO, `${n} messages`, run, args, countOf(sourceSnap), bytesOf(sourceSnap), check);
    if (run.ok) done.push({ tool, target, place, mapping: run.mapping });
  }
  for (const { tool, target, place, mapping } of done) {
    const args = tool === 'mailmover' ? cfg.mailmoverArgs : [];
    await bench.settle();
    const { run } = await bench.runTool(tool, bench.servers, { source: SOURCE_BULK, target }, { args, place });
    if (tool === 'mailmover' && run.ok && run.copied !== 0) {
      run.ok = false;
      run.error = `copied ${run.copied} messages on a re-run with nothing new`;
    }
    const check = compareSnapshots(sourceSnap, await snapshot(bench.servers.target, target), run.mapping.size ? run.mapping : mapping);
    bench.record(BULK_RERUN_SCENARIO, 'nothing new', run, args, 0, 0, check);
    bench.freeTarget(bench.servers.target, target);
  }
}
