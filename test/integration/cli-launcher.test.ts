/**
 * The launcher README's commands go through (bridge/cli/bin.mjs): it runs the bundle,
 * rebuilt when a source is newer than it, and the sources through tsx with MAILMOVER_TSX=1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { REPO_ROOT } from '../support/cli-runner';

const BIN = join(REPO_ROOT, 'bridge', 'cli', 'bin.mjs');

/** What the tests read of bundle.mjs (plain JavaScript, no types of its own). */
interface BundleModule {
  ENTRY: string;
  CODE_CACHE_DIR: string;
  BUILD_LINE: RegExp;
  sourceState(): string;
}
const bundleModule = async () => (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle.mjs'))) as BundleModule;
const run = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...NODE_FLAGS, BIN, '--help'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

/** Runs the launcher with `args`, a module of `lines` loaded first (node --import), and removes it after. */
function runWithProbe(name: string, lines: string[], args: string[], env: Record<string, string> = {}) {
  const probe = join(tmpdir(), `mailmover-${name}-probe-${process.pid}.mjs`);
  writeFileSync(probe, lines.join('\n'));
  try {
    return spawnSync(process.execPath, [...NODE_FLAGS, '--import', pathToFileURL(probe).href, BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  } finally {
    rmSync(probe, { force: true });
  }
}

describe('bin.mjs', () => {
  it('runs the bundle, and the bundle is up to date with the sources afterwards', async () => {
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Usage: mailmover-bridge/);
    const { sourceState, ENTRY } = await bundleModule();
    expect(readFileSync(join(REPO_ROOT, '.output', 'bridge', 'cli.inputs'), 'utf8')).toBe(sourceState());
    expect(readFileSync(ENTRY, 'utf8')).toMatch(/mailmover-bridge/);
  }, 180_000);

  it('writes the bundle in ASCII only (V8 then keeps its source as a one-byte string)', async () => {
    expect(run().status).toBe(0);
    const { ENTRY } = await bundleModule();
    const text = readFileSync(ENTRY, 'utf8');
    expect(text).toMatch(/^[\x00-\x7f]*$/);
    // the migration's code, the Chinese provider presets among it, is in it
    expect(text).toMatch(/\\u90AE|\\u90ae/);
    expect(text).toContain('UID FETCH');
  }, 180_000);

  it('the launcher runs the bundle from its code cache in .output/code-cache, named after the build', async () => {
    expect(run().status).toBe(0);
    const { ENTRY, CODE_CACHE_DIR, BUILD_LINE } = await bundleModule();
    expect(CODE_CACHE_DIR).toBe(join(REPO_ROOT, '.output', 'code-cache'));
    const build = BUILD_LINE.exec(readFileSync(ENTRY, 'latin1'))?.[1];
    const caches = readdirSync(CODE_CACHE_DIR).filter((f) => f.startsWith(`${build}-none-help-`) && f.endsWith('.bin'));
    expect(caches).toHaveLength(1);
    const file = join(CODE_CACHE_DIR, caches[0]!);
    utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(run().status).toBe(0);
    // read, not written again
    expect(statSync(file).mtime.getFullYear()).toBe(2020);
  }, 180_000);

  it("README's ./mailmover-bridge is this launcher, started by its own shebang (no npm)", () => {
    const launcher = join(REPO_ROOT, 'mailmover-bridge');
    expect(realpathSync(launcher)).toBe(realpathSync(BIN));
    const direct = spawnSync(launcher, ['--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout).toBe(run().stdout);
  }, 180_000);

  it('a rewritten package-lock.json (an upgrade of a package bundled in) makes the bundle stale', async () => {
    const { sourceState } = await bundleModule();
    const lock = join(REPO_ROOT, 'package-lock.json');
    const { atime, mtime } = statSync(lock);
    const before = sourceState();
    try {
      utimesSync(lock, atime, new Date(Date.now() + 60_000));
      expect(sourceState()).not.toBe(before);
    } finally {
      utimesSync(lock, atime, mtime);
    }
    expect(sourceState()).toBe(before);
  });

  it('a migration loads none of the packages the bundle loads on first use (pino, SOCKS, MIME part downloads, Japanese charsets) by its first connection', async () => {
    // Stops the run at its first connection attempt and says which of their files were loaded by then.
    const { ON_FIRST_USE } = (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle-trims.mjs'))) as { ON_FIRST_USE: Record<string, string[]> };
    const packages = [...new Set(Object.keys(ON_FIRST_USE).map((spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/')))];
    expect(packages).toEqual(expect.arrayContaining(['pino', 'socks', '@zone-eu/mailsplit', 'encoding-japanese']));
    const probe = [
      "import net from 'node:net';",
      "import { createRequire } from 'node:module';",
      'const cache = createRequire(import.meta.url).cache;',
      `const packages = ${JSON.stringify(packages)};`,
      'net.Socket.prototype.connect = function () {',
      "  const loaded = packages.filter((name) => Object.keys(cache).some((p) => p.split('\\\\').join('/').includes(`/node_modules/${name}/`)));",
      "  process.stdout.write(`CONNECTING loaded: ${JSON.stringify(loaded)}\\n`);",
      '  process.exit(0);',
      '};',
    ];
    const args = ['migrate', '--source', 'imap://a@127.0.0.1:1', '--target', 'imap://b@127.0.0.1:2', '--source-password-env', 'PW', '--target-password-env', 'PW'];
    const r = runWithProbe('on-first-use', probe, args, { PW: 'x' });
    expect(r.stdout, r.stderr).toContain('CONNECTING loaded: []');
  }, 180_000);

  describe("V8's code cache of the bundle (load-bundle.mjs)", () => {
    /** Node's arguments to run the bundle's program with `args` through loadBundle, its code cache in `cacheDir`; `first` runs before. */
    const loaderArgs = (cacheDir: string, args: string[], first = '') => [
      ...NODE_FLAGS,
      '--input-type=module',
      '-e',
      `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'bridge', 'cli', 'load-bundle.mjs')).href)});
       const { ENTRY } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'bridge', 'cli', 'bundle.mjs')).href)});
       const args = ${JSON.stringify(args)};
       ${first}
       process.exitCode = await loadBundle(ENTRY, args, ${JSON.stringify(cacheDir)}).main(args);`,
    ];
    const runLoaded = (cacheDir: string, args: string[], first = '') =>
      spawnSync(process.execPath, loaderArgs(cacheDir, args, first), { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });

    it('is written by the first run of a command, named after the build, and read, not rewritten, by the next', async () => {
      expect(run().status).toBe(0);
      const { ENTRY, BUILD_LINE } = await bundleModule();
      const build = BUILD_LINE.exec(readFileSync(ENTRY, 'latin1'))?.[1];
      expect(build).toMatch(/^[0-9a-f]{16}$/);
      const dir = mkdtempSync(join(tmpdir(), 'mailmover-code-cache-'));
      try {
        const first = runLoaded(dir, ['migrate', '--help']);
        expect(first.status, first.stderr).toBe(0);
        expect(first.stdout).toMatch(/--source/);
        const files = readdirSync(dir);
        expect(files).toHaveLength(1);
        expect(files[0]).toMatch(new RegExp(`^${build}-migrate-help-[0-9a-f]{8}\\.bin$`));
        const file = join(dir, files[0]!);
        const written = readFileSync(file);
        expect(written.length).toBeGreaterThan(10_000);
        // an old mtime shows whether the next run writes the file again
        utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1));
        const second = runLoaded(dir, ['migrate', '--help']);
        expect(second.status, second.stderr).toBe(0);
        expect(second.stdout).toBe(first.stdout);
        expect(statSync(file).mtime.getFullYear()).toBe(2020);
        // another command has a cache of its own
        expect(runLoaded(dir, ['verify', '--help']).status).toBe(0);
        const now = readdirSync(dir);
        expect(now).toHaveLength(2);
        expect(now).toEqual(expect.arrayContaining([files[0], expect.stringMatching(new RegExp(`^${build}-verify-help-`))]));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);

    it('a damaged cache (in its header, or in the code V8 does not check) is written anew, and the run is the same', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailmover-code-cache-'));
      try {
        const first = runLoaded(dir, ['--help']);
        expect(first.status, first.stderr).toBe(0);
        const [name] = readdirSync(dir);
        const file = join(dir, name!);
        const good = readFileSync(file);
        // bytes 32-96: V8's header; the middle: compiled code, which V8 would deserialize as it is and crash on
        for (const at of [40, Math.floor(good.length / 2)]) {
          const damaged = Buffer.from(good);
          damaged.fill(0x00, at, at + 4096);
          writeFileSync(file, damaged);
          const again = runLoaded(dir, ['--help']);
          expect(again.status, `damaged at ${at}: ${again.stderr}`).toBe(0);
          expect(again.stdout).toBe(first.stdout);
          expect(readFileSync(file).equals(damaged), `damaged at ${at}`).toBe(false);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);

    it('a long run writes its cache 2 s in, not only at its exit; one file per command and build', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailmover-code-cache-'));
      const state = mkdtempSync(join(tmpdir(), 'mailmover-code-cache-state-'));
      const args = ['start', '--port', '0', '--state-dir', state];
      const child = spawn(process.execPath, loaderArgs(dir, args), { cwd: REPO_ROOT, stdio: 'ignore' });
      try {
        const deadline = Date.now() + 60_000;
        while (readdirSync(dir).filter((f) => f.endsWith('.bin')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        // still serving: the cache came from the timer
        expect(child.exitCode).toBeNull();
        const [name] = readdirSync(dir).filter((f) => f.endsWith('.bin'));
        expect(name).toMatch(/^[0-9a-f]{16}-start-[0-9a-f]{8}\.bin$/);
        // an older cache of the same command and build for another node command line is replaced
        const other = name!.replace(/-[0-9a-f]{8}\.bin$/, '-00000000.bin');
        writeFileSync(join(dir, other), 'old');
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        const r = runLoaded(dir, ['start', '--help']);
        expect(r.status, r.stderr).toBe(0);
        expect(readdirSync(dir)).toContain(other);
        rmSync(join(dir, name!));
        // another node command line (this program's text is part of it), stopped after the cache is due
        const again = runLoaded(dir, args, "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 3000);");
        expect(again.status, again.stderr).toBe(0);
        const left = readdirSync(dir).filter((f) => /-start-[0-9a-f]{8}\.bin$/.test(f));
        expect(left).toHaveLength(1);
        expect(left[0]).not.toBe(other);
      } finally {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        rmSync(state, { recursive: true, force: true });
      }
    }, 180_000);

    it('a run that fails before the cache is due writes none (it compiled only part of its command)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailmover-code-cache-'));
      try {
        const r = runLoaded(dir, ['migrate', '--no-such-option']);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/required option '--source/);
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  });

  it('MAILMOVER_TSX=1 runs the sources through tsx, with the same help', () => {
    const bundled = run();
    const fromSources = run({ MAILMOVER_TSX: '1' });
    expect(fromSources.status, fromSources.stderr).toBe(0);
    expect(fromSources.stdout).toBe(bundled.stdout);
  }, 180_000);
});
