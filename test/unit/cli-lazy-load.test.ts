/**
 * What `mailmover-bridge --help` loads: the program and commander only. Every subcommand's
 * code (imapflow, hono, better-sqlite3, zod, the queue, DNS) is imported when it runs, so
 * that the help, `status` and `pair` start in a fraction of a second. Checked on the
 * static import graph esbuild sees from bridge/cli/main.ts (dynamic imports excluded).
 */
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli-runner';

/** Inputs and packages reached from `entry` through static imports only. */
function staticClosure(meta: Metafile, entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const i of meta.inputs[f]?.imports ?? []) {
      if (i.kind === 'dynamic-import') continue;
      if (i.external) packages.add(i.path.replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, '$1'));
      else stack.push(i.path);
    }
  }
  return { files, packages };
}

async function graph(entry: string) {
  const r = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    splitting: true,
    outdir: 'unused',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return staticClosure(r.metafile, entry);
}

describe('lazy loading of the CLI', () => {
  it('--help loads commander and the option lists, nothing of what the commands do', async () => {
    const { files, packages } = await graph('bridge/cli/main.ts');
    expect([...packages].filter((p) => !p.startsWith('node:')).sort()).toEqual(['commander']);
    // sqlite-native-error.ts is the error class main() prints without a stack; it imports nothing.
    for (const f of files) expect(f).toMatch(/^(bridge\/cli\/|bridge\/server\/port\.ts$|shared\/bridge-defaults\.ts$|bridge\/engine\/sqlite-native-error\.ts$)/);
  }, 60_000);

  it('status and pair do not load the engine, the HTTP server or the queue', async () => {
    for (const entry of ['bridge/cli/status-command.ts', 'bridge/cli/pair-command.ts']) {
      const { packages } = await graph(entry);
      for (const heavy of ['imapflow', 'hono', '@hono/node-server', 'bullmq', 'ioredis', 'mailauth']) expect(packages.has(heavy), `${entry} loads ${heavy}`).toBe(false);
    }
  }, 60_000);
});
