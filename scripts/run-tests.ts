/**
 * `npm test` after the dependency check: the two type checks and the vitest run side by side.
 * On two cores the type checks (about half a minute of one core) fit in the time vitest spends
 * waiting on mail servers and Chromium, instead of delaying every test. Vitest's output streams
 * as usual; the type checks' output is printed when they end, and only if they failed. The
 * exit status is non-zero when either failed. Arguments go to vitest.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface Outcome {
  code: number;
  output: string;
}

function run(command: string, args: string[], capture: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: 127, output: `could not run ${command}: ${err.message}` }));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** Vitest's own launcher, found through its package.json (the launcher is not an export). */
function vitestBin(): string {
  const manifest = createRequire(import.meta.url).resolve('vitest/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { vitest: string } };
  return join(dirname(manifest), bin.vitest);
}

const vitest = vitestBin();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [types, tests] = await Promise.all([
  run(npm, ['run', '--silent', 'typecheck'], true),
  run(process.execPath, [vitest, 'run', ...process.argv.slice(2)], false),
]);
if (types.code !== 0) {
  process.stderr.write(`\nType check failed (npm run typecheck, exit ${types.code}):\n${types.output}\n`);
} else {
  process.stdout.write('Type checks (root and extension): no errors.\n');
}
process.exitCode = types.code || tests.code;
