/**
 * Builds both extension builds once, before any e2e file runs: the files run two at a time, and
 * two `wxt build`s writing one output folder at once would break each other. A file's own
 * ensure…Built() call then finds the build current and returns.
 */
import { ensureExtensionBuilt, ensureTestExtensionBuilt } from './browser';

export default function setup(): void {
  ensureExtensionBuilt();
  ensureTestExtensionBuilt();
}
