/**
 * A process of its own that takes a mailbox pair's lock (bridge/engine/pair-lock.ts), for the lock's
 * tests (bundled by them and run as `node holder.mjs '<json>'`) with {dir?, source, target}. It prints one
 * JSON line, the attempt ({ok, holder?, file}), then reads commands from stdin, one a line:
 * `release` (unlocks, prints "released"), `throw` (an uncaught exception, the process dies with it),
 * `exit` (ends without unlocking: the process's end must unlock).
 */
import { createInterface } from 'node:readline';
import { acquirePairLock, type PairSide } from '../../bridge/engine/pair-lock';

const args = JSON.parse(process.argv[2] ?? '{}') as { dir?: string; source: PairSide; target: PairSide };
const attempt = await acquirePairLock(args.source, args.target, args.dir ? { dir: args.dir } : {});
process.stdout.write(JSON.stringify(attempt.ok ? { ok: true, file: attempt.lock.file } : { ok: false, file: attempt.file, holder: attempt.holder }) + '\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'release' && attempt.ok) {
    attempt.lock.release();
    process.stdout.write('released\n');
  } else if (line === 'throw') {
    throw new Error('the run failed');
  } else if (line === 'exit') {
    process.exit(0);
  }
});
lines.on('close', () => process.exit(0));
