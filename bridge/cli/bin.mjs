#!/usr/bin/env -S node --single-threaded --max-semi-space-size=2
// `mailmover-bridge` launcher (package.json "bin", `npm run bridge`, the service units).
// Runs the bundled build (bundle.mjs: rebuilt first when a source under bridge/ or shared/
// is newer, a check of a few milliseconds) in this same process, so its pid is the
// bridge's. The sources run through tsx's loader instead with MAILMOVER_TSX=1
// (development) or when there is nothing to build with. The shebang carries
// node-flags.ts's NODE_FLAGS (`env -S` splits them; npm's Windows shim reads them too).
import { freshBundle } from './bundle.mjs';

// A reader that stops early (`status | head -1`, `pair | grep -q`) closes the pipe, and the
// next write fails with EPIPE. A C tool dies of SIGPIPE there; node ignores SIGPIPE, so the
// error came as an unhandled 'error' event, printed with its stack. The rest of the output is
// dropped instead, as if it went to /dev/null, and the command ends with its own exit status
// (status's 0 or 3): exiting at once would need a made-up status, and 141 (a SIGPIPE death
// to the shell) makes `status | grep -q running` fail under `set -o pipefail`. Here, not in
// a command, so that every command, the bundle's and the sources' alike, gets it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

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
