/**
 * The launcher README's commands go through (bridge/cli/bin.mjs): it runs the bundle,
 * rebuilt when a source is newer than it, and the sources through tsx with MAILMOVER_TSX=1.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { REPO_ROOT } from '../support/cli-runner';

const BIN = join(REPO_ROOT, 'bridge', 'cli', 'bin.mjs');
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
    const { sourceState, ENTRY } = (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle.mjs'))) as { sourceState(): string; ENTRY: string };
    expect(readFileSync(join(REPO_ROOT, '.output', 'bridge', 'cli.inputs'), 'utf8')).toBe(sourceState());
    expect(readFileSync(ENTRY, 'utf8')).toMatch(/mailmover-bridge/);
  }, 180_000);

  it('writes the bundle in ASCII only, every chunk it can load (V8 then keeps their sources as one-byte strings)', async () => {
    expect(run().status).toBe(0);
    const { ENTRY } = (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle.mjs'))) as { ENTRY: string };
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(dirname(ENTRY), file), 'utf8');
      expect(text, file).toMatch(/^[\x00-\x7f]*$/);
      for (const m of text.matchAll(/(?:from |import\()"\.\/(chunk-[A-Z0-9]+\.js)"/g)) visit(m[1]!);
    };
    visit(basename(ENTRY));
    // the migration's code, the Chinese provider presets among it, is reached
    expect(seen.size).toBeGreaterThan(20);
  }, 180_000);

  it("README's ./mailmover-bridge is this launcher, started by its own shebang (no npm)", () => {
    const launcher = join(REPO_ROOT, 'mailmover-bridge');
    expect(realpathSync(launcher)).toBe(realpathSync(BIN));
    const direct = spawnSync(launcher, ['--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout).toBe(run().stdout);
  }, 180_000);

  it('a rewritten package-lock.json (an upgrade of a package bundled in) makes the bundle stale', async () => {
    const { sourceState } = (await import(join(REPO_ROOT, 'bridge', 'cli', 'bundle.mjs'))) as { sourceState(): string };
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

  it("asks node to keep the bundle's compiled code in .output/compile-cache before it loads the bundle", () => {
    // Node 22.1+ has module.enableCompileCache; here a stand-in records the call (on Node 20
    // the launcher finds none and goes on), and the help printed after it shows the order.
    const probe = [
      "import module from 'node:module';",
      'module.enableCompileCache = (dir) => {',
      '  process.stdout.write(`COMPILE CACHE ${dir}\\n`);',
      '  return { status: 0 };',
      '};',
    ];
    const r = runWithProbe('cache', probe, ['--help']);
    expect(r.status, r.stderr).toBe(0);
    const [first, ...rest] = r.stdout.split('\n');
    expect(first).toBe(`COMPILE CACHE ${join(REPO_ROOT, '.output', 'compile-cache')}`);
    expect(rest.join('\n')).toBe(run().stdout);
  }, 180_000);

  it('MAILMOVER_TSX=1 runs the sources through tsx, with the same help', () => {
    const bundled = run();
    const fromSources = run({ MAILMOVER_TSX: '1' });
    expect(fromSources.status, fromSources.stderr).toBe(0);
    expect(fromSources.stdout).toBe(bundled.stdout);
  }, 180_000);
});
