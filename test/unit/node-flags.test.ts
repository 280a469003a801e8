import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliArgs } from '../../bench/tools/mailmover';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { serviceSpec } from '../../bridge/service/install/service-spec';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

/** The node options in front of the script in a `node ... <script>` command line. */
function nodeOptionsOf(command: string[]): string[] {
  return command.filter((a, i) => a.startsWith('--') && command.slice(0, i).every((b) => b.startsWith('--') || b === 'tsx' || b === 'node'));
}

describe('every way mailmover is started runs node with NODE_FLAGS', () => {
  it('has at least the threading flag the bench numbers were measured with', () => {
    expect(NODE_FLAGS).toContain('--single-threaded');
  });

  it('npm start and npm run bridge', () => {
    for (const script of ['start', 'bridge']) {
      const node = pkg.scripts[script]!.split('&&').map((s) => s.trim()).find((s) => s.startsWith('node '));
      expect(node, script).toBeDefined();
      for (const flag of NODE_FLAGS) expect(node!.split(/\s+/), script).toContain(flag);
    }
  });

  it('the bin launcher (its shebang)', () => {
    const first = readFileSync(join(ROOT, pkg.bin['mailmover-bridge']!), 'utf8').split('\n')[0]!;
    expect(first.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(first.split(/\s+/).slice(3)).toEqual([...NODE_FLAGS]);
  });

  it('the background service units', () => {
    const spec = serviceSpec({ port: 7878, stateDir: '/tmp/state', node: '/usr/bin/node', launcher: '/opt/mm/bin.mjs' });
    expect(spec.args.slice(0, NODE_FLAGS.length)).toEqual([...NODE_FLAGS]);
    expect(spec.args[NODE_FLAGS.length]).toBe('/opt/mm/bin.mjs');
  });

  it('the bench', () => {
    process.env.MAILMOVER_BENCH_CLI = 'tsx';
    try {
      expect(nodeOptionsOf(cliArgs())).toEqual(expect.arrayContaining([...NODE_FLAGS]));
    } finally {
      delete process.env.MAILMOVER_BENCH_CLI;
    }
  });
});
