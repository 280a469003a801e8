import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { seedFolder } from '../harness/mailbox';
import { CLI_LAUNCHER, REPO_ROOT, describeRun, runCli, scratchDir, serverUrl, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { terminalScreen } from '../support/terminal-screen';

/**
 * `migrate` with stderr on a real terminal (a pseudo-terminal from util-linux `script`): the
 * lines between the bars (the header, dry-run folder counts, Failed … explanations, Warning
 * lines) must reach the terminal, each once, in order, without breaking the bars. They once
 * sat in cli-progress's log buffer, which only a later redraw wrote out and stop() dropped,
 * so on a terminal they vanished while the same run piped to a file showed them all.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Tty-src-pw-R7m2Kq' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Tty-tgt-pw-W3n8Zx' };
const carol: DovecotUser = { user: 'carol@new.example.com', password: 'Tty-tgt-pw-C5p1Jd' };
/** a source to stop with Ctrl+C while it copies, through a slow link */
const dora: DovecotUser = { user: 'dora@old.example.com', password: 'Tty-src-pw-D8f4Hs' };
const erik: DovecotUser = { user: 'erik@new.example.com', password: 'Tty-tgt-pw-E2g6Lt' };
const COLUMNS = 110;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `migrate <args>` with stdout and stderr on a pseudo-terminal; returns what the terminal
 * received. `type(shown, keys)` is called with the output so far as it arrives; what it passes
 * to `keys` is typed on the terminal (a Ctrl+C there is the terminal's SIGINT, as a user's is).
 */
function runOnTerminal(args: string[], env: Record<string, string>, type?: (shown: string, keys: (k: string) => void) => void): Promise<CliResult> {
  const command = [process.execPath, ...NODE_FLAGS, CLI_LAUNCHER, 'migrate', ...args].map(shellQuote).join(' ');
  const t0 = performance.now();
  // The size is set inside the terminal: without a terminal on its own stdin, script's pty has
  // none. No echo: a typed ^C would otherwise show on the screen among the lines.
  const child = spawn('script', ['-qec', `stty cols ${COLUMNS} rows 50 -echo; exec ${command}`, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { ...process.env, MAILMOVER_HOME: scratch.path('home'), NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    type?.(stdout, (k) => child.stdin.write(k));
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - t0) });
    });
  });
}

/** The rows equal to `line`: one for a line the user sees once. */
const count = (rows: string[], line: string) => rows.filter((r) => r === line).length;
const describeScreen = (rows: string[], r: CliResult) => `${describeRun(r)}\n--- screen ---\n${rows.join('\n')}`;

let scratch: ReturnType<typeof scratchDir>;

describe('cli migrate on a terminal: the lines between the bars', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let slow: SlowProxy;
  const env = { SRC_PW: alice.password, TGT_PW: bob.password, CAROL_PW: carol.password, WRONG_PW: 'Wrong-pw-Tty-9Lx', DORA_PW: dora.password, ERIK_PW: erik.password };
  const args = (target: DovecotUser, passwordEnv: string, extra: string[]) => [
    '--source', serverUrl(src, { user: alice.user }), '--source-password-env', passwordEnv,
    '--target', serverUrl(tgt, { user: target.user }), '--target-password-env', target === bob ? 'TGT_PW' : 'CAROL_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), ...extra,
  ];
  // One folder filter matches nothing: a Warning line, printed after the account's run.
  const filters = ['--include-folder', 'INBOX', '--include-folder', '客户/**', '--include-folder', 'Sent Items'];
  const warning = `Warning [FOLDER_FILTER_UNMATCHED] ${alice.user}: The folder filter "Sent Items" (include) matches no folder`;

  beforeAll(async () => {
    scratch = scratchDir('progress-tty');
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'cli-progress-tty-src', users: [alice, dora] }),
      startDovecot({ name: 'cli-progress-tty-tgt', users: [bob, carol, erik], prefix: 'INBOX.', separator: '.' }),
    ]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(3, 41));
    await seedFolder(src, alice, '客户/北京', bulkMessages(5, 42, { prefix: 'bj' }));
    await seedFolder(src, dora, 'INBOX', bulkMessages(60, 43, { prefix: 'do', minBody: 8000, maxBody: 9000 }));
    slow = await startSlowProxy(tgt.imapPort, 60 * 1024);
  });

  afterAll(async () => {
    await slow?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch?.cleanup();
  });

  /** The piped run's stderr lines that start with one of `starts`, each there once, in that order. */
  function pipedLines(r: CliResult, starts: string[]): string[] {
    const all = r.stderr.split('\n');
    return starts.map((start) => {
      const found = all.filter((l) => l.startsWith(start));
      expect(found, `${start}\n${describeRun(r)}`).toHaveLength(1);
      return found[0]!;
    });
  }

  /** Each line on the screen once (whole: not cut at the terminal's width), in the order given. */
  function expectShownInOrder(rows: string[], lines: string[], why: string): void {
    for (const line of lines) expect(count(rows, line), `${line}\n${why}`).toBe(1);
    const at = lines.map((line) => rows.indexOf(line));
    expect(at, why).toEqual([...at].sort((a, b) => a - b));
  }

  it('--dry-run shows its header, each folder with its count and the Warning line, as piped output does', async () => {
    const piped = await runCli(args(bob, 'SRC_PW', ['--dry-run', ...filters]), { env });
    expect(piped.code, describeRun(piped)).toBe(0);
    expect(piped.stderr, describeRun(piped)).not.toMatch(/\x1b\[/);
    const lines = pipedLines(piped, [
      'Dry run imap://',
      warning,
      '  INBOX -> INBOX: 3 messages',
      '  客户 -> INBOX.客户: 0 messages',
      '  客户/北京 -> INBOX.客户.北京: 5 messages',
    ]);
    expect(lines.slice(2), describeRun(piped)).toEqual(['  INBOX -> INBOX: 3 messages', '  客户 -> INBOX.客户: 0 messages', '  客户/北京 -> INBOX.客户.北京: 5 messages']);

    const r = await runOnTerminal(args(bob, 'SRC_PW', ['--dry-run', ...filters]), env);
    const rows = terminalScreen(r.stdout, COLUMNS);
    const why = describeScreen(rows, r);
    expect(r.code, why).toBe(0);
    expectShownInOrder(rows, lines, why);
  });

  it('a wrong password: the Failed line that explains AUTH_FAILED, not only the summary', async () => {
    const piped = await runCli(args(bob, 'WRONG_PW', []), { env });
    expect(piped.code, describeRun(piped)).toBe(1);
    const lines = pipedLines(piped, ['Migrating imap://', `Failed ${alice.user}: [AUTH_FAILED] `]);
    expect(lines[1], describeRun(piped)).toMatch(/Login failed/);

    const r = await runOnTerminal(args(bob, 'WRONG_PW', []), env);
    const rows = terminalScreen(r.stdout, COLUMNS);
    const why = describeScreen(rows, r);
    expect(r.code, why).toBe(1);
    expectShownInOrder(rows, lines, why);
    // The summary's own FAILED row as well, below the explanation.
    const summary = rows.findIndex((row) => /FAILED.*AUTH_FAILED/.test(row) && !row.startsWith('Failed '));
    expect(summary, why).toBeGreaterThan(rows.indexOf(lines[1]!));
    expect(r.stdout).not.toContain(env.WRONG_PW);
  });

  it('a copy with a bar: the header and the Warning line above it, whole, and the bar ends at done', async () => {
    const piped = await runCli(args(bob, 'SRC_PW', filters), { env });
    expect(piped.code, describeRun(piped)).toBe(0);
    const lines = pipedLines(piped, ['Migrating imap://', warning]);

    const r = await runOnTerminal(args(carol, 'SRC_PW', filters), env);
    const rows = terminalScreen(r.stdout, COLUMNS);
    const why = describeScreen(rows, r);
    expect(r.code, why).toBe(0);
    expectShownInOrder(rows, [lines[0]!.replace(encodeURIComponent(bob.user), encodeURIComponent(carol.user)), lines[1]!], why);
    // One bar, whole, below both lines: nothing of a line left on its row, nothing of it on theirs.
    const bars = rows.filter((row) => row.includes('|'));
    expect(bars, why).toHaveLength(1);
    expect(bars[0], why).toMatch(/^alice@old\.example\.com \|[█░]+\| 100% 8\/8 [\d.]+ MB \d+\/s ETA -- done$/);
    expect(rows.indexOf(bars[0]!), why).toBeGreaterThan(rows.indexOf(lines[1]!));
  });

  it('Ctrl+C while the bar runs: the Stopping and Stopped lines show, above the stopped bar', async () => {
    const stopArgs = [
      '--source', serverUrl(src, { user: dora.user }), '--source-password-env', 'DORA_PW',
      '--target', `imap://${encodeURIComponent(erik.user)}@127.0.0.1:${slow.port}`, '--target-password-env', 'ERIK_PW',
      '--allow-plaintext', '--batch-messages', '10', '--state-dir', scratch.path('state'),
    ];
    let typed = false;
    const r = await runOnTerminal(stopArgs, env, (shown, keys) => {
      // Once a message is on the target: the Ctrl+C comes in the middle of the copy.
      if (!typed && /\| \d+% [1-9]\d*\/60 [^\x1b]* copying/.test(shown)) {
        typed = true;
        keys('\x03');
      }
    });
    const rows = terminalScreen(r.stdout, COLUMNS);
    const why = describeScreen(rows, r);
    expect(typed, why).toBe(true);
    expect(r.code, why).toBe(130);
    const lines = [
      'Stopping: letting in-flight APPENDs finish; the next run resumes from the checkpoint.',
      `Stopped ${dora.user}: the same command carries on from its checkpoint.`,
    ];
    expectShownInOrder(rows, lines, why);
    const bars = rows.filter((row) => row.includes('|'));
    expect(bars, why).toHaveLength(1);
    expect(bars[0], why).toMatch(/^dora@old\.example\.com \|[█░]+\| \d+% \d+\/60 .* stopped$/);
    expect(rows.indexOf(bars[0]!), why).toBeGreaterThan(rows.indexOf(lines[1]!));
  });
});
