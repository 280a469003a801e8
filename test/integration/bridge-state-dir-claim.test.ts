import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStatus } from '../../bridge/cli/status-command';
import { getFreePort } from '../harness/free-port';
import { describeRun, runCli, scratchDir, spawnCli, type RunningCli } from '../support/cli-runner';

/**
 * One bridge per state dir: a second `start` on the same dir (another terminal, the service
 * beside a manual start) is refused, naming the running one, and the running one keeps its
 * port record (the second's stop used to remove it, and `status` and `pair` then pointed at
 * the default port). A bridge killed with SIGKILL leaves no claim behind: the next start
 * works, and `status` says where the killed one listened. Real bridge processes.
 */
describe('one bridge per state dir', () => {
  const scratch = scratchDir('state-dir-claim');
  const started: RunningCli[] = [];
  afterAll(async () => {
    for (const b of started) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGTERM');
    await Promise.all(started.map((b) => b.done));
    scratch.cleanup();
  });

  /** A bridge started as README says, once it prints its address. */
  async function startBridge(stateDir: string, port: number): Promise<RunningCli> {
    const b = spawnCli(['--port', String(port), '--state-dir', stateDir], { command: 'start', timeoutMs: 90_000 });
    started.push(b);
    // Its signal handlers are in place once it says how to stop it.
    let out = '';
    const ready = new Promise<void>((resolve) => b.child.stdout!.on('data', (d: Buffer | string) => (out += String(d)).includes('Press Ctrl+C to stop.') && resolve()));
    await Promise.race([ready, b.done]);
    const record = join(stateDir, 'bridge-port.json');
    const recorded = () => existsSync(record) && (JSON.parse(readFileSync(record, 'utf8')) as { pid: number }).pid === b.pid;
    for (let i = 0; i < 400 && !recorded(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(recorded()).toBe(true);
    return b;
  }
  const statusLines = async (port: number, stateDir: string) => {
    const lines: string[] = [];
    const code = await runStatus(port, stateDir, (l) => lines.push(l));
    return { code, lines };
  };

  it('a second start on the same state dir is refused, naming the running bridge; the first keeps running and recorded', async () => {
    const dir = scratch.path('shared');
    const [p1, p2] = [await getFreePort(), await getFreePort()];
    const first = await startBridge(dir, p1);
    const second = await runCli(['--port', String(p2), '--state-dir', dir], { command: 'start', timeoutMs: 60_000 });
    expect(second.code, describeRun(second)).toBe(1);
    expect(second.stderr).toContain(`a bridge already runs on the state dir ${dir} (process ${first.pid}, listening on 127.0.0.1:${p1})`);
    expect(second.stderr).toContain('give this one another --state-dir');
    expect(second.stdout).not.toContain('listening on');
    expect(JSON.parse(readFileSync(join(dir, 'bridge-port.json'), 'utf8'))).toEqual({ port: p1, pid: first.pid });
    const s = await statusLines(7878, dir);
    expect(s.code).toBe(0);
    expect(s.lines[0]).toMatch(new RegExp(`is running on http://127\\.0\\.0\\.1:${p1} with this state dir$`));
  });

  it('after a SIGKILL the state dir is free again, and status names the port the killed bridge listened on', async () => {
    const dir = scratch.path('killed');
    const [p1, p2, asked] = [await getFreePort(), await getFreePort(), await getFreePort()];
    const killed = await startBridge(dir, p1);
    killed.child.kill('SIGKILL');
    await killed.done;
    const s = await statusLines(asked, dir);
    expect(s.code).toBe(3);
    expect(s.lines[0]).toBe(`No bridge is running with this state dir: the last one (process ${killed.pid}) listened on http://127.0.0.1:${p1} and did not stop cleanly; none answers on http://127.0.0.1:${asked} either`);
    const next = await startBridge(dir, p2);
    expect(JSON.parse(readFileSync(join(dir, 'bridge-port.json'), 'utf8'))).toEqual({ port: p2, pid: next.pid });
    next.child.kill('SIGTERM');
    const stopped = await next.done;
    expect(stopped.code, describeRun(stopped)).toBe(0);
    expect(stopped.stdout).toContain('Bridge stopped.');
  });
});
