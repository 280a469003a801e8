#!/usr/bin/env -S node --single-threaded --max-semi-space-size=2
// `mailmover-bridge` launcher (package.json "bin", `npm run bridge`, the service units).
// Runs the bundled build (bundle.mjs: rebuilt first when a source under bridge/ or shared/
// is newer, a check of a few milliseconds) in this same process, so its pid is the
// bridge's. The sources run through tsx's loader instead with MAILMOVER_TSX=1
// (development) or when there is nothing to build with. The shebang carries
// node-flags.ts's NODE_FLAGS (`env -S` splits them; npm's Windows shim reads them too).
import { freshBundle } from './bundle.mjs';

const bundle = await freshBundle();
if (bundle) {
  // From V8's code cache of the last run of the same command, when there is one.
  const { runBundle } = await import('./load-bundle.mjs');
  await runBundle(bundle, process.argv.slice(2));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
