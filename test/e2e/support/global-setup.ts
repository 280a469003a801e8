/**
 * Before the run: the bridge's bundle current (a few milliseconds when it is), and both extension
 * builds started (extension-builds.ts): they run beside the first integration and unit files, and
 * each e2e file waits for them in its ensure…Built() call. Each bridge the files start finds its
 * bundle current.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './browser';
import { startSetupBuilds } from './extension-builds';

export default function setup(): void {
  // Builds only when a source under bridge/ or shared/ is newer than the bundle.
  execFileSync(process.execPath, [path.join(ROOT, 'bridge', 'cli', 'bundle.mjs')], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  startSetupBuilds();
}
