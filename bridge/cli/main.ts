#!/usr/bin/env node
// The process entry of `mailmover-bridge` (bin.mjs, `npm run bridge`, the service units):
// the program itself is in program.ts, which imports without running anything.
import { main } from './program';

process.exitCode = await main(process.argv.slice(2));
