/**
 * Runs a build command only when its inputs changed since the last successful run.
 *
 *   tsx scripts/build-if-stale.ts --stamp .output/chrome-mv3/.inputs-hash \
 *     --input extension --input shared --input wxt.config.ts -- npx wxt build
 *
 * The stamp holds a SHA-256 over the inputs' relative paths and contents, so a checkout, an
 * edit or an `npm install` that changes the lock file triggers a rebuild, and an unchanged
 * tree costs one read of the sources (tens of milliseconds) instead of a full build. The
 * stamp is written after the command succeeded, so an interrupted build is redone.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

const ArgsSchema = z.object({
  stamp: z.string().min(1, 'missing --stamp FILE'),
  inputs: z.array(z.string().min(1)).min(1, 'at least one --input PATH is needed'),
  command: z.array(z.string()).min(1, 'the build command follows --'),
});

function parseArgs(argv: readonly string[]): z.infer<typeof ArgsSchema> {
  const sep = argv.indexOf('--');
  const own = sep < 0 ? argv : argv.slice(0, sep);
  const inputs: string[] = [];
  let stamp = '';
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--stamp') stamp = own[++i] ?? '';
    else if (own[i] === '--input') inputs.push(own[++i] ?? '');
    else throw new Error(`build-if-stale: unknown argument "${own[i]}"`);
  }
  return ArgsSchema.parse({ stamp, inputs, command: sep < 0 ? [] : argv.slice(sep + 1) });
}

function* files(p: string): Generator<string> {
  if (!existsSync(p)) return;
  if (!statSync(p).isDirectory()) {
    yield p;
    return;
  }
  for (const entry of readdirSync(p).sort()) yield* files(path.join(p, entry));
}

export function hashInputs(inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) {
    for (const file of files(input)) {
      hash.update(file.split(path.sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

/** Runs build() unless the inputs hash to the stamp's value; records the hash after a successful build. */
export function buildIfStale(o: { stamp: string; inputs: readonly string[] }, build: () => number): number {
  const digest = hashInputs(o.inputs);
  if (existsSync(o.stamp) && readFileSync(o.stamp, 'utf8').trim() === digest) return 0;
  const status = build();
  if (status !== 0) return status;
  mkdirSync(path.dirname(o.stamp), { recursive: true });
  writeFileSync(o.stamp, digest + '\n');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseArgs(process.argv.slice(2));
  const [cmd, ...rest] = args.command;
  process.exitCode = buildIfStale(args, () => spawnSync(cmd!, rest, { stdio: 'inherit' }).status ?? 1);
}
