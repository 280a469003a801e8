#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=8
// `mailmover-bridge` launcher (package.json "bin", the service units): loads tsx's
// loader from the package itself, so it works from any working directory, then
// runs the TypeScript CLI in this same process (its pid is the bridge's). The shebang
// carries node-flags.ts's NODE_FLAGS (`env -S` splits them; npm's Windows shim reads them too).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
