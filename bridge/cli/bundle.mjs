#!/usr/bin/env node
// The bridge's bundled build (.output/bridge/cli.cjs, esbuild), and the check the launcher
// (bin.mjs) makes before every run: rebuilt when a source under bridge/ or shared/
// changed, so README's `npm run bridge` never runs stale code and pays neither tsx's
// on-the-fly compilation nor its loader (about 0.5-1 s of every start).
//
// One CommonJS file, not ES modules: node can start a CommonJS file's compiled code from
// a V8 code cache (load-bundle.mjs), which Node 20 cannot for ES modules.
//
// Plain JavaScript: it runs before anything can compile TypeScript.
//
//   node bridge/cli/bundle.mjs           build if stale (npm's "prepare", at install)
//   node bridge/cli/bundle.mjs --force   build now ("build:cli")
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Two levels below the project root, like the sources' own modules: code that finds
 * package.json with createRequire(import.meta.url)('../../package.json') finds it here too.
 */
export const OUT_DIR = join(ROOT, '.output', 'bridge');
export const ENTRY = join(OUT_DIR, 'cli.cjs');
/** V8's compiled code of the bundle, per build and command (load-bundle.mjs). */
export const CODE_CACHE_DIR = join(ROOT, '.output', 'code-cache');
/**
 * The bundle's first line names its build (a hash of the code under it). V8 accepts a code
 * cache for any source of the same length, so a cache is only read for the build it names.
 */
export const BUILD_LINE = /^\/\/ mailmover build ([0-9a-f]{16})\n/;
const STAMP = join(OUT_DIR, 'cli.inputs');
const SOURCE_DIRS = ['bridge', 'shared'];
/** ES module chunks of builds before the single file are kept this long: a bridge started from one may still import them lazily. */
const KEEP_OLD_CHUNKS_MS = 30 * 24 * 3600_000;

/**
 * Packages bundled into the chunks that use them, with what they import. Node loads one
 * bundled chunk much faster than a package's many files (each resolved, read and compiled
 * as its own module): imapflow alone took 240-280 ms to import from node_modules and
 * 120-145 ms bundled, and a migration's start (process start to its first connection) went
 * from 470-500 to 390-420 ms with these inlined. What they import for features the bridge
 * never uses at start stays out (bundle-trims.mjs).
 */
const INLINED_PACKAGES = new Set(['imapflow', 'zod', 'commander', 'cli-progress', 'picomatch', 'iconv-lite']);
/**
 * Never bundled, also when an inlined package imports them: native code (better-sqlite3),
 * and pino, which starts worker threads from its own files (imapflow imports it for a
 * default logger the engine never asks for, bundle-trims.mjs).
 */
const NEVER_INLINED = new Set(['better-sqlite3', 'pino']);

/**
 * How the bundle is built, also by the tests that build programs the way it is. The
 * sources' `import.meta.url` (package.json and data files found relative to a module) is
 * the bundle's own URL: it sits two levels below the project root, like the sources.
 * Strict mode throughout, as ES modules are.
 */
export const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { 'import.meta.url': '__mailmoverImportMetaUrl' },
  banner: { js: "'use strict'; const __mailmoverImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Every other package stays in node_modules: one module graph with the tests, loaded only by the command that needs it. */
const externals = {
  name: 'mailmover-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      // node: builtins and other schemes (imapflow mentions cloudflare:sockets)
      if (args.path.includes(':')) return { path: args.path, external: true };
      const name = packageName(args.path);
      const fromPackage = /[\\/]node_modules[\\/]/.test(args.importer);
      const inline = !NEVER_INLINED.has(name) && (fromPackage || INLINED_PACKAGES.has(name));
      return inline ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * What the bundle was built from, cheaply: the number of source files and the newest
 * mtime among them, their directories (a deleted or renamed file changes its directory's)
 * and package-lock.json (the versions of the INLINED_PACKAGES bundled in: an upgrade
 * rewrites it). About 230 stats: a few milliseconds, unlike hashing the contents.
 */
export function sourceState() {
  let newest = 0;
  let count = 0;
  const walk = (dir) => {
    const m = statSync(dir).mtimeMs;
    if (m > newest) newest = m;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|json)$/.test(e.name)) {
        count++;
        const t = statSync(p).mtimeMs;
        if (t > newest) newest = t;
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  try {
    newest = Math.max(newest, statSync(join(ROOT, 'package-lock.json')).mtimeMs);
  } catch {
    // an install without a lock file: the sources decide alone
  }
  return `${count} ${newest}`;
}

/** Writes `data` to `path` whole or not at all: a launcher running meanwhile never reads half a file. */
export function writeAtomically(path, data, { flush = false } = {}) {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    // flush: on disk before it has its name, so a crash cannot leave a named file of zeros
    writeFileSync(tmp, data, { flush });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Builds the bundle, written whole (a launcher starting meanwhile reads the old build or
 * the new one). Code caches of other builds are removed: they can never be read again.
 */
export async function buildBundle(state = sourceState()) {
  // Loaded here, not at the top: the launcher imports this module at every start, to check.
  const [esbuild, { trims }, { asciiOnly }] = await Promise.all([import('esbuild'), import('./bundle-trims.mjs'), import('./bundle-ascii.mjs')]);
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: { cli: join(ROOT, 'bridge', 'cli', 'program.ts') },
    plugins: [trims, externals],
    outdir: OUT_DIR,
    outExtension: { '.js': '.cjs' },
    write: false,
  });
  const entry = result.outputFiles.find((file) => file.path === ENTRY);
  if (!entry) throw new Error(`esbuild produced no ${basename(ENTRY)}`);
  const code = asciiOnly(entry.text);
  const build = createHash('sha256').update(code).digest('hex').slice(0, 16);
  mkdirSync(OUT_DIR, { recursive: true });
  writeAtomically(ENTRY, `// mailmover build ${build}\n${code}`);
  writeAtomically(STAMP, state);
  try {
    for (const name of readdirSync(CODE_CACHE_DIR)) if (!name.startsWith(`${build}-`)) rmSync(join(CODE_CACHE_DIR, name), { force: true });
  } catch {
    // no cache yet
  }
  const now = Date.now();
  for (const name of readdirSync(OUT_DIR)) {
    if (!name.endsWith('.js')) continue;
    const p = join(OUT_DIR, name);
    try {
      if (now - statSync(p).mtimeMs > KEEP_OLD_CHUNKS_MS) unlinkSync(p);
    } catch {
      // another build pruned it
    }
  }
  return ENTRY;
}

/**
 * The bundle to run, built first when a source is newer; undefined when the sources
 * should run through tsx instead: MAILMOVER_TSX=1 (development), or no esbuild to build
 * with (an install without devDependencies) and no bundle.
 */
export async function freshBundle() {
  if (process.env.MAILMOVER_TSX === '1') return undefined;
  let state;
  try {
    state = sourceState();
  } catch {
    return existsSync(ENTRY) ? ENTRY : undefined;
  }
  try {
    if (readFileSync(STAMP, 'utf8') === state && existsSync(ENTRY)) return ENTRY;
  } catch {
    // no stamp yet: build
  }
  try {
    return await buildBundle(state);
  } catch (err) {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    process.stderr.write(`mailmover-bridge: could not rebuild ${ENTRY} (${err && err.message ? err.message.split('\n')[0] : err}); running the sources through tsx\n`);
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--force')) await buildBundle();
  else if (!(await freshBundle())) process.stderr.write('mailmover-bridge: esbuild is not installed; the bridge will run its sources through tsx\n');
}
