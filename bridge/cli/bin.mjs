#!/usr/bin/env node
// `mailmover-bridge` launcher (package.json "bin", the service units): loads tsx's
// loader from the package itself, so it works from any working directory, then
// runs the TypeScript CLI in this same process (its pid is the bridge's).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
