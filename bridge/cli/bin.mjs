#!/usr/bin/env -S node --single-threaded --max-semi-space-size=2
// `mailmover-bridge` launcher (package.json "bin", `npm run bridge`, the service units).
// Runs the bundled build (bundle.mjs: rebuilt first when a source under bridge/ or shared/
// is newer, a check of a few milliseconds) in this same process, so its pid is the
// bridge's. The sources run through tsx's loader instead with MAILMOVER_TSX=1
// (development) or when there is nothing to build with. The shebang carries
// node-flags.ts's NODE_FLAGS (`env -S` splits them; npm's Windows shim reads them too).
import module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT_DIR, freshBundle } from './bundle.mjs';

// Node 22.1 and later keep the code they compile for the bundle's modules on disk, so a
// start after the first skips most of compiling them (module.enableCompileCache; Node 20
// has no such cache and skips this). A directory that cannot be written only turns it off.
module.enableCompileCache?.(join(OUT_DIR, '..', 'compile-cache'));

const bundle = await freshBundle();
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
