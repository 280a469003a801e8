import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root directory: the nearest directory above `moduleUrl` that holds the
 * launcher. Found by looking, not by counting `..`: the same module runs from its source
 * file and from a chunk of the bundle (.output/bridge/), which sit at different depths.
 */
export function projectRootOf(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'bridge', 'cli', 'bin.mjs'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(dirname(fileURLToPath(moduleUrl)), '..', '..', '..');
    dir = up;
  }
}
