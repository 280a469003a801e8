/**
 * Builds both extension builds and the bridge's bundle once, before any e2e file runs: the
 * files run two at a time, and two `wxt build`s writing one output folder at once would break
 * each other. A file's own ensure…Built() call then finds the build current and returns, and
 * each bridge the files start finds its bundle current.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, ensureExtensionBuilt, ensureTestExtensionBuilt } from './browser';

export default function setup(): void {
  ensureExtensionBuilt();
  ensureTestExtensionBuilt();
  // Builds only when a source under bridge/ or shared/ is newer than the bundle.
  execFileSync(process.execPath, [path.join(ROOT, 'bridge', 'cli', 'bundle.mjs')], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
}
