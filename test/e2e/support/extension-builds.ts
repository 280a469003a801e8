/**
 * The two extension builds the e2e files load: the production build (.output/chrome-mv3) and
 * the e2e build (.output-e2e/chrome-mv3, MAILMOVER_TEST_BUILD=1: its launcher also matches the
 * loopback fixture pages). Each is built when a source is newer than its manifest.
 *
 * The e2e project's global setup starts both builds (about 20 s of `wxt build` on the 2-core CI
 * machine) and returns at once, so the integration and unit files start beside them instead of
 * after them; an e2e file waits for them in ensure…Built(). Two builds into one folder at once
 * would break each other: while the setup's builds run, a lock file names the process that runs
 * them, and a waiter takes a lock whose process is gone as released.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isAlive } from '../../harness/process-utils';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const EXTENSION_DIR = path.join(ROOT, '.output', 'chrome-mv3');
export const TEST_EXTENSION_DIR = path.join(ROOT, '.output-e2e', 'chrome-mv3');
const BUILD_INPUTS = ['extension', 'shared', 'wxt.config.ts', 'package.json'];
/** Present while the global setup's builds run: the pid of the process running them. */
const SETUP_LOCK = path.join(ROOT, '.output-e2e', 'setup-build.lock');
/** What a failed setup build printed, for the e2e files to fail with. */
const SETUP_FAILURE = path.join(ROOT, '.output-e2e', 'setup-build.failed');
const BUILD_TIMEOUT_MS = 150_000;

const BUILDS = {
  production: { dir: EXTENSION_DIR, env: {} },
  e2e: { dir: TEST_EXTENSION_DIR, env: { MAILMOVER_TEST_BUILD: '1' } },
} as const;
type Build = keyof typeof BUILDS;

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function isCurrent(build: Build): boolean {
  const manifest = path.join(BUILDS[build].dir, 'manifest.json');
  const sourcesChanged = Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
  return existsSync(manifest) && statSync(manifest).mtimeMs >= sourcesChanged;
}

async function buildIfStale(build: Build): Promise<void> {
  if (isCurrent(build)) return;
  await execFileAsync('npx', ['wxt', 'build'], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS, env: { ...process.env, ...BUILDS[build].env } });
}

/** Waits while the global setup's builds run; throws what a failed one printed. */
async function setupBuildsDone(): Promise<void> {
  const deadline = Date.now() + 2 * BUILD_TIMEOUT_MS;
  while (existsSync(SETUP_LOCK)) {
    const pid = Number(readFileSync(SETUP_LOCK, 'utf8'));
    if (!Number.isInteger(pid) || !isAlive(pid)) break;
    if (Date.now() > deadline) throw new Error(`The extension builds the e2e setup started (pid ${pid}) did not end within ${(2 * BUILD_TIMEOUT_MS) / 1000} s`);
    await sleep(200);
  }
  if (existsSync(SETUP_FAILURE)) throw new Error(`The extension build failed in the e2e setup:\n${readFileSync(SETUP_FAILURE, 'utf8')}`);
}

/** Starts both builds one after the other (two wxt builds share .wxt/) and returns at once. */
export function startSetupBuilds(): void {
  mkdirSync(path.dirname(SETUP_LOCK), { recursive: true });
  rmSync(SETUP_FAILURE, { force: true });
  writeFileSync(SETUP_LOCK, String(process.pid));
  void (async () => {
    try {
      await buildIfStale('production');
      await buildIfStale('e2e');
    } catch (err) {
      const e = err as { message?: string; stdout?: string; stderr?: string };
      writeFileSync(SETUP_FAILURE, [e.message, e.stdout, e.stderr].filter(Boolean).join('\n'));
    } finally {
      rmSync(SETUP_LOCK, { force: true });
    }
  })();
}

/** The production build, current: after the setup's builds, built here if a source changed since. */
export async function ensureExtensionBuilt(): Promise<void> {
  await setupBuildsDone();
  await buildIfStale('production');
}

/** The e2e build, current (the production build in .output/ is left alone). */
export async function ensureTestExtensionBuilt(): Promise<void> {
  await setupBuildsDone();
  await buildIfStale('e2e');
}
