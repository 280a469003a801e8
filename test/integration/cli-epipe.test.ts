/**
 * The CLI's output piped into a reader that stops early (`status | head -2`, `pair | head -1`):
 * the launcher drops the rest of the output without a word, and the command ends with its own
 * exit status, where it printed node's `Error: write EPIPE` stack and exited 1.
 *
 * The real launcher runs in a child process whose stdout pipe the test closes right after the
 * spawn, before node has even started: its first write then fails with EPIPE every time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openServiceDb } from '../../bridge/service/db';
import { getFreePorts } from '../harness/free-port';
import { describeRun, scratchDir, spawnCli, type CliResult } from '../support/cli-runner';

const scratch = scratchDir('epipe');
afterAll(() => scratch.cleanup());

/** Runs `command args` with its stdout (and with `stderrToo` its stderr) closed from the start. */
async function withClosedOutput(command: string, args: string[], stderrToo = false): Promise<CliResult> {
  const run = spawnCli(args, { command, env: { MAILMOVER_HOME: scratch.path('home') } });
  run.child.stdout!.destroy();
  if (stderrToo) run.child.stderr!.destroy();
  return run.done;
}

describe('cli output into a closed pipe', () => {
  it('status: no EPIPE stack, and the exit status is still 3 (no bridge running)', async () => {
    const [port] = await getFreePorts(1);
    const r = await withClosedOutput('status', ['--port', String(port), '--state-dir', scratch.path('status-state')]);
    expect(r.stderr, describeRun(r)).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.signal).toBeNull();
  });

  it('pair: no EPIPE stack, exit 0 (the code was made; only its printing was cut off)', async () => {
    // pair refuses a state dir without a store: give it one, as a bridge started there leaves.
    openServiceDb(scratch.path('pair-state')).close();
    const r = await withClosedOutput('pair', ['--state-dir', scratch.path('pair-state')]);
    expect(r.stderr, describeRun(r)).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.code, describeRun(r)).toBe(0);
  });

  it('stdout and stderr both closed (`status 2>&1 | head -1`): the exit status is still the command\'s own', async () => {
    const [port] = await getFreePorts(1);
    const r = await withClosedOutput('status', ['--port', String(port), '--state-dir', scratch.path('status2-state')], true);
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.signal).toBeNull();
  });
});
