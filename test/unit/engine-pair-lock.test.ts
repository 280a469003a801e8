/**
 * One run per mailbox pair across processes (bridge/engine/pair-lock.ts, taken by migrate()):
 * real processes hold and ask for the lock (test/support/pair-lock-holder.ts), nothing of the lock
 * is mocked. Acquire; a second acquire refused with the holder's pid; other pairs (a second source
 * into the same target) not held back; one pair however its host and login are written; a holder
 * killed with -9, or dying of an exception, leaves nothing that blocks; a record that does not
 * parse or is of a process that is gone names no holder; migrate() releases on a failed and a
 * stopped run, refuses a locked pair before any connection, and lets a dry run through.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquirePairLock, lockNameOf, pairLockDir, pairLockName, PairLockDirError, PairLockRecordSchema, type PairSide } from '../../bridge/engine/pair-lock';
import { addressPairText } from '../../bridge/engine/pair-lock-keys';
import { mailboxPairText } from '../../shared/csv/same-mailbox';
import { migrate } from '../../bridge/engine/migrate';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { REPO_ROOT } from '../support/cli-runner';
import { startCountingServer, type CountingServer } from '../support/counting-server';
import { job, tempStore } from '../support/engine-fixtures';

const HOLDER_SOURCE = join(REPO_ROOT, 'test', 'support', 'pair-lock-holder.ts');
/**
 * The holder bundled once (packages left to node_modules, hence a place inside the project) and
 * run by plain node: about 30 holders are started, and each one under tsx spent ~0.8 s of CPU
 * compiling the same sources.
 */
const HOLDER = join(REPO_ROOT, '.output', 'test', `pair-lock-holder-${process.pid}.mjs`);

interface Holder {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  /** The attempt the process printed. */
  attempt: { ok: boolean; file: string; holder?: unknown };
  send(line: string): void;
  /** The next line the process prints. */
  next(): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

/** A process of its own that asks for the pair's lock (the default directory when `dir` is left out). */
async function holder(source: PairSide, target: PairSide, dir?: string): Promise<Holder> {
  const child = spawn(process.execPath, [HOLDER, JSON.stringify({ source, target, ...(dir ? { dir } : {}) })], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => (waiting.length ? waiting.shift()!(line) : queue.push(line)));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (queue.length) return resolve(queue.shift()!);
      waiting.push(resolve);
      void exited.then((e) => reject(new Error(`holder exited (${e.code ?? e.signal}) without a line; stderr: ${stderr}`)));
    });
  const attempt = JSON.parse(await next()) as Holder['attempt'];
  return { child, pid: child.pid!, attempt, send: (line) => child.stdin.write(`${line}\n`), next, exited };
}

/** A pid no process has now: one that ran and ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

let dir: string;
let n = 0;
/** A pair of its own per test, so tests never share a lock. */
function pair(): { source: PairSide; target: PairSide } {
  n++;
  return { source: { host: 'imap.old.example', port: 993, user: `alice${n}@old.example` }, target: { host: 'imap.new.example', port: 993, user: `alice${n}@new.example` } };
}

beforeAll(async () => {
  dir = join(mkdtempSync(join(tmpdir(), 'mailmover-pair-lock-')), 'locks');
  await build({ entryPoints: [HOLDER_SOURCE], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: HOLDER, logLevel: 'warning' });
});
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
});
afterAll(() => {
  rmSync(join(dir, '..'), { recursive: true, force: true });
  rmSync(HOLDER, { force: true });
});

describe('the mailbox pair lock, between processes', () => {
  it('a second process is refused while the first holds the pair, with the holder\'s pid, since when and the pair; free again once released', async () => {
    const { source, target } = pair();
    const before = Date.now();
    const a = await holder(source, target, dir);
    expect(a.attempt.ok).toBe(true);
    expect(a.attempt.file).toBe(join(dir, `${pairLockName(source, target)}.lock`));
    const b = await holder(source, target, dir);
    expect(b.attempt.ok).toBe(false);
    const held = PairLockRecordSchema.parse(b.attempt.holder);
    expect(held).toMatchObject({ pid: a.pid, source, target });
    expect(Date.parse(held.since)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(held.since)).toBeLessThanOrEqual(Date.now());
    // The record on disk: pid, start time, the pair; owner-only.
    const record = JSON.parse(readFileSync(join(dir, `${pairLockName(source, target)}.json`), 'utf8'));
    expect(Object.keys(record).sort()).toEqual(['pid', 'since', 'source', 'target']);
    a.send('release');
    expect(await a.next()).toBe('released');
    const c = await holder(source, target, dir);
    expect(c.attempt.ok).toBe(true);
  });

  it('one pair however its host and login are written; another target login, or another source into the same target (unified storage), is another pair', async () => {
    const { source, target } = pair();
    const a = await holder(source, target, dir);
    expect(a.attempt.ok).toBe(true);
    const [shouting, starttls, otherTarget, otherSource, otherPort] = await Promise.all([
      holder({ ...source, host: source.host.toUpperCase(), user: source.user.toUpperCase() }, { ...target, host: 'IMAP.New.Example' }, dir),
      // The same server's other standard mail port (STARTTLS on 143 instead of 993): the same mailbox.
      holder({ ...source, port: 110 }, { ...target, port: 143 }, dir),
      holder(source, { ...target, user: `archive${n}@new.example` }, dir),
      holder({ ...source, user: `bob${n}@old.example` }, target, dir),
      holder(source, { ...target, port: 10143 }, dir),
    ]);
    expect(shouting.attempt).toMatchObject({ ok: false, holder: { pid: a.pid } });
    expect(starttls.attempt).toMatchObject({ ok: false, holder: { pid: a.pid } });
    expect([otherTarget, otherSource, otherPort].map((h) => h.attempt.ok)).toEqual([true, true, true]);
  });

  it('one server named localhost by one process and 127.0.0.1 by the other is one pair; the refused one lets go of every file it took', async () => {
    const named = (host: string): { source: PairSide; target: PairSide } => ({ source: { host, port: 993, user: `alias${n}@old.example` }, target: { host, port: 143, user: `alias${n}@new.example` } });
    // Logins for which 127.0.0.1's own file comes before the address file in the locking order: the
    // refused process has then taken one file before it meets the held one, and must let it go.
    const first = (): boolean => {
      const p = named('127.0.0.1');
      return lockNameOf(mailboxPairText(p.source, p.target)) < lockNameOf(addressPairText(p.source, p.target));
    };
    do n++;
    while (!first());
    const a = await holder(named('localhost').source, named('localhost').target, dir);
    expect(a.attempt.ok).toBe(true);
    const b = await holder(named('127.0.0.1').source, named('127.0.0.1').target, dir);
    expect(b.attempt).toMatchObject({ ok: false, holder: { pid: a.pid, source: { host: 'localhost' } } });
    // Another address is another server: not held back.
    const other = await holder(named('127.0.0.2').source, named('127.0.0.2').target, dir);
    expect(other.attempt.ok).toBe(true);
    // An unresolvable name still locks (its name alone): a resolver failure never blocks a run.
    const unresolved = await holder(named('no-such-host.invalid').source, named('no-such-host.invalid').target, dir);
    expect(unresolved.attempt.ok).toBe(true);
    a.send('release');
    expect(await a.next()).toBe('released');
    // b, still running, was refused: it holds none of the pair's files, so the pair is free under either name.
    const c = await holder(named('127.0.0.1').source, named('127.0.0.1').target, dir);
    expect(c.attempt.ok).toBe(true);
    c.send('release');
    expect(await c.next()).toBe('released');
    expect((await holder(named('localhost').source, named('localhost').target, dir)).attempt.ok).toBe(true);
  });

  it('a holder killed with -9 leaves no lock behind: the next process takes it, and its record replaces the dead one', async () => {
    const { source, target } = pair();
    const a = await holder(source, target, dir);
    expect(a.attempt.ok).toBe(true);
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    // What the killed holder left: its record, naming a process that is gone.
    const recordFile = join(dir, `${pairLockName(source, target)}.json`);
    expect(PairLockRecordSchema.parse(JSON.parse(readFileSync(recordFile, 'utf8'))).pid).toBe(a.pid);
    const b = await holder(source, target, dir);
    expect(b.attempt.ok).toBe(true);
    expect(PairLockRecordSchema.parse(JSON.parse(readFileSync(recordFile, 'utf8'))).pid).toBe(b.pid);
    const c = await holder(source, target, dir);
    expect(c.attempt).toMatchObject({ ok: false, holder: { pid: b.pid } });
  });

  it('a holder that dies of an exception, or ends without releasing, unlocks', async () => {
    const { source, target } = pair();
    const a = await holder(source, target, dir);
    expect(a.attempt.ok).toBe(true);
    a.send('throw');
    expect((await a.exited).code).not.toBe(0);
    const b = await holder(source, target, dir);
    expect(b.attempt.ok).toBe(true);
    b.send('exit');
    expect((await b.exited).code).toBe(0);
    expect((await holder(source, target, dir)).attempt.ok).toBe(true);
  });

  it('a record that does not parse, or of a process that is gone, names no holder: the lock itself still refuses', async () => {
    const { source, target } = pair();
    const a = await holder(source, target, dir);
    expect(a.attempt.ok).toBe(true);
    const recordFile = join(dir, `${pairLockName(source, target)}.json`);
    writeFileSync(recordFile, '{"pid": "not a pid", trailing garbage');
    expect((await holder(source, target, dir)).attempt).toMatchObject({ ok: false, holder: null });
    writeFileSync(recordFile, JSON.stringify({ pid: await deadPid(), since: new Date().toISOString(), source, target }));
    expect((await holder(source, target, dir)).attempt).toMatchObject({ ok: false, holder: null });
  });

  it('a lock file with stray content is still a lock', async () => {
    const { source, target } = pair();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, `${pairLockName(source, target)}.lock`), 'not an SQLite file '.repeat(20));
    const a = await holder(source, target, dir);
    expect(a.attempt.ok).toBe(true);
    expect((await holder(source, target, dir)).attempt).toMatchObject({ ok: false, holder: { pid: a.pid } });
  });
});

describe('the lock in this process', () => {
  it('two attempts of one process at the same pair (a batch listing it twice): the second is refused', async () => {
    const { source, target } = pair();
    const first = await acquirePairLock(source, target, { dir });
    expect(first.ok).toBe(true);
    const second = await acquirePairLock(source, target, { dir });
    expect(second).toMatchObject({ ok: false, holder: { pid: process.pid } });
    if (first.ok) first.lock.release();
    const third = await acquirePairLock(source, target, { dir });
    expect(third.ok).toBe(true);
    if (third.ok) third.lock.release();
  });

  it("the directory is the user's own: one open to others is refused, not used", async () => {
    const open = join(dir, '..', 'open-to-all');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const { source, target } = pair();
    await expect(acquirePairLock(source, target, { dir: open })).rejects.toBeInstanceOf(PairLockDirError);
    expect(pairLockDir('linux', 1000)).toBe('/tmp/mailmover-locks-1000');
    expect(pairLockDir('win32', undefined)).toBe(join(tmpdir(), 'mailmover-locks'));
  });
});

describe('migrate() holds the pair for the run', () => {
  let server: CountingServer;
  beforeAll(async () => {
    server = await startCountingServer();
  });
  afterAll(() => server.close());

  const endpoint = (user: string): Endpoint => ({ host: '127.0.0.1', port: server.port, security: 'plain', user, auth: { kind: 'password', password: 'Pw-never-print-4711' }, allowPlaintext: true, insecureTls: false });
  const side = (e: Endpoint): PairSide => ({ host: e.host, port: e.port, user: e.user });

  it('a locked pair fails as ALREADY_RUNNING at once, naming both mailboxes, the pid and since when, without a connection', async () => {
    const source = endpoint(`carol${++n}@old.example`);
    const target = endpoint(`carol${n}@new.example`);
    const other = await holder(side(source), side(target));
    expect(other.attempt.ok).toBe(true);
    const { store, cleanup } = tempStore();
    try {
      server.reset();
      const phases: string[] = [];
      const result = await migrate(job(source, target, { maxAttempts: 1 }), store, { onProgress: (p) => phases.push(p.phase) });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('ALREADY_RUNNING');
      expect(result.error?.message).toContain(`process ${other.pid}`);
      expect(result.error?.message).toContain(`${source.user} on 127.0.0.1:${server.port} to ${target.user} on 127.0.0.1:${server.port}`);
      expect(result.error?.message).toMatch(/running since \d{4}-\d\d-\d\dT/);
      expect(result.error?.message).toMatch(/wait for that run to finish, or stop it \(process \d+\)/);
      expect(result.error?.message).not.toContain('Pw-never-print-4711');
      expect(result.error?.facts).toMatchObject({ kind: 'already-running', pid: other.pid });
      expect(phases).toEqual(['failed']);
      expect(server.connections).toBe(0);
      // A dry run writes nothing: it is neither held back by the lock nor takes it.
      const dry = await migrate(job(source, target, { maxAttempts: 1, dryRun: true }), store);
      expect(dry.error?.code).not.toBe('ALREADY_RUNNING');
      expect(server.connections).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });

  it('a run that fails, and one that is stopped, release the pair', async () => {
    const source = endpoint(`dave${++n}@old.example`);
    const target = endpoint(`dave${n}@new.example`);
    const { store, cleanup } = tempStore();
    try {
      const failed = await migrate(job(source, target, { maxAttempts: 1 }), store);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).not.toBe('ALREADY_RUNNING');
      const after = await holder(side(source), side(target));
      expect(after.attempt.ok).toBe(true);
      after.send('release');
      expect(await after.next()).toBe('released');
      // Held while it runs: a process asking meanwhile is refused with this process's pid.
      const stop = new AbortController();
      const run = migrate(job(source, target, { maxAttempts: 5, retryBaseMs: 60_000 }), store, { signal: stop.signal });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const meanwhile = await holder(side(source), side(target));
      expect(meanwhile.attempt).toMatchObject({ ok: false, holder: { pid: process.pid } });
      stop.abort();
      await run;
      expect((await holder(side(source), side(target))).attempt.ok).toBe(true);
    } finally {
      cleanup();
    }
  });
});
