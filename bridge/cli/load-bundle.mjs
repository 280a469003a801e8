#!/usr/bin/env node
// Runs the bundle (bundle.mjs's ENTRY) from V8's code cache when there is one: a start then
// skips compiling the code the same command compiled the last time, which on Node 20
// nothing else keeps (module.enableCompileCache came in Node 22.1, and caches ES modules
// only from there). Bench corpus, +100 messages into a migrated mailbox, 6 runs paired on
// the same new messages: 0.88 s (0.64 s CPU) against 0.94 s (0.70 s CPU) for the ES module
// chunks before. `--help` pays for the single file: 0.18 against 0.15 s, since the chunks
// let it load only the command line's own code.
//
// The first run of each command (migrate, verify, start, ...) with a given build and node
// writes its cache, having compiled what that command needs: V8 caches every function
// compiled by then, not only the top level. A cache that does not fit (another node,
// other V8 flags) is rejected by V8 and written anew.
//
// Plain JavaScript: it runs before anything can compile TypeScript.
//
//   node bridge/cli/load-bundle.mjs <args>   the bundle as it is, without the launcher's staleness check
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { BUILD_LINE, CODE_CACHE_DIR, ENTRY, writeAtomically } from './bundle.mjs';

/**
 * A run's cache is taken this long after its start, or at its exit if sooner: what every
 * run of the command pays to compile is its start (a migration's logins, planning, first
 * copies), and a short run caches all it compiled.
 */
const CACHE_AFTER_MS = 2000;

/** Which part of the program a run compiles: its command, and whether it only prints help. */
function commandOf(argv) {
  const command = argv.find((a) => !a.startsWith('-'));
  const name = command && /^[a-z][a-z0-9-]{0,39}$/.test(command) ? command : 'none';
  return argv.some((a) => a === '--help' || a === '-h') ? `${name}-help` : name;
}

/** The code cache file for one run of `build`: per command, and per node binary and V8 flags (V8 checks both). */
export function codeCacheFile(build, argv, cacheDir = CODE_CACHE_DIR) {
  const runtime = createHash('sha256')
    .update(`${process.version} ${process.arch} ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  return join(cacheDir, `${build}-${commandOf(argv)}-${runtime}.bin`);
}

const DIGEST_BYTES = 32;
const digestOf = (data) => createHash('sha256').update(data).digest();

/**
 * The cache in `file`, if its contents are whole. V8 checks a cache's header, not its
 * contents: damaged code data (a disk error, a crash while the file was written) crashes
 * node when it is deserialized, at every start of the command. So the file carries the
 * SHA-256 of what follows it.
 */
function readCache(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = bytes.subarray(DIGEST_BYTES);
  return bytes.length > DIGEST_BYTES && digestOf(data).equals(bytes.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

/** Whether `dir` can take a cache: a read-only install then skips making one (about 20 ms at exit). */
function writable(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Written whole or not at all (several bridges may start at once, and the file is
 * flushed before it gets its name); it replaces the command's caches for other node
 * command lines of the same build, so the directory holds one per command and build.
 */
function writeCache(file, data) {
  try {
    writeAtomically(file, Buffer.concat([digestOf(data), data]), { flush: true });
  } catch {
    return;
  }
  const name = basename(file);
  // <build>-<command>-: the build hash and command names are [a-z0-9-], nothing to escape
  const sameCommand = new RegExp(`^${name.slice(0, name.lastIndexOf('-') + 1)}[0-9a-f]{8}\\.bin$`);
  try {
    for (const other of readdirSync(dirname(file))) {
      if (other !== name && sameCommand.test(other)) rmSync(join(dirname(file), other), { force: true });
    }
  } catch {
    // another process pruned them
  }
}

/**
 * Loads the bundle at `file` as node loads a CommonJS module, compiled from its code cache
 * for `argv`'s command when one fits, and returns its exports. When none did, the cache is
 * written CACHE_AFTER_MS into the run, or as it exits after succeeding (a run stopped early
 * by an error compiled only part of what the command needs).
 */
export function loadBundle(file, argv, cacheDir = CODE_CACHE_DIR) {
  // The bundle is ASCII (bundle-ascii.mjs): read as Latin-1, V8 keeps it as a one-byte string without a UTF-8 decode.
  const source = readFileSync(file, 'latin1');
  const build = BUILD_LINE.exec(source)?.[1];
  const cacheFile = build && codeCacheFile(build, argv, cacheDir);
  const cachedData = cacheFile && readCache(cacheFile);
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((specifier) => import(specifier)),
  });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      if (writable(cacheDir)) writeCache(cacheFile, script.createCachedData());
    };
    // V8 drops the bytecode of functions unused for a few garbage collections, so a long
    // run's code at its exit no longer holds its own start.
    setTimeout(write, CACHE_AFTER_MS).unref();
    process.once('exit', (code) => {
      if (code === 0) write();
    });
  }
  const mod = new Module(file, undefined);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return mod.exports;
}

/** Runs the bundle's program with `argv`, as the launcher does once the bundle is fresh. */
export async function runBundle(file, argv) {
  process.exitCode = await loadBundle(file, argv).main(argv);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runBundle(ENTRY, process.argv.slice(2));
