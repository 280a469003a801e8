/**
 * The startup scenario: `--help` through README's command (`./mailmover-bridge --help`),
 * what every CLI run and every batch pays before any mail moves; best of --repeat. A second
 * line is README's portable form through npm (`npm run --silent bridge -- --help`), which
 * adds npm's own start; a third, labelled, starts the esbuild bundle directly (`node
 * bridge/cli/load-bundle.mjs --help`): not what README tells users to type, it shows how much of
 * the start is the launcher's staleness check rather than mailmover's own loading.
 */
import type { Bench } from './scenarios';
import type { ToolRun } from './tools/common';
import { NPM_COMMAND, README_COMMAND, measureCli, type CliMode } from './tools/mailmover';
import { compareSnapshots } from './verify';

export const STARTUP_SCENARIO = 'startup';
export const STARTUP_LABELS: Record<CliMode, string> = {
  readme: `${README_COMMAND} --help (README's command)`,
  npm: `${NPM_COMMAND} --help (README's portable form, through npm)`,
  bundle: 'node bridge/cli/load-bundle.mjs --help (the bundle; not what README tells users to type)',
};

export async function startupScenario(bench: Bench): Promise<void> {
  bench.log('Startup: --help');
  bench.scenarioNotes[STARTUP_SCENARIO] = 'process start and module loading alone, best run; the npm line adds npm\'s own start, the bundle line is for comparison only';
  for (const mode of ['readme', 'npm', 'bundle'] as const) {
    let best: ToolRun | undefined;
    for (let i = 1; i <= bench.cfg.repeat; i++) {
      await bench.settle();
      const m = await measureCli(['--help'], { mode });
      const ok = m.exitCode === 0 && /migrate/.test(m.stdout);
      const run: ToolRun = {
        tool: 'mailmover',
        measure: m,
        sourceServerCpuS: 0,
        targetServerCpuS: 0,
        targetServerSysS: 0,
        machineBusyShare: 0,
        machineIowaitS: 0,
        otherCpuS: 0,
        serverPanics: [],
        ok,
        error: ok ? undefined : `exit ${m.exitCode}, no command list in the help: ${m.stderr.slice(-300)}`,
        mapping: new Map(),
      };
      if (!best || !run.ok || run.measure.wallS < best.measure.wallS) best = run;
      if (!run.ok) break;
    }
    // Nothing is copied: the correctness column is that of an empty mailbox, the run's own check is `ok`.
    bench.record(STARTUP_SCENARIO, STARTUP_LABELS[mode], best!, ['--help'], 0, 0, compareSnapshots(new Map(), new Map()));
  }
}
