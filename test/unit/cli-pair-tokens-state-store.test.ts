/**
 * `pair` and `tokens` on a state dir without a state store (a mistyped --state-dir): they say so
 * and exit 1, and create nothing there. They used to create a new empty store, and `pair` printed
 * a code that no bridge would ever accept. On a dir with a store, `pair` works as before, with or
 * without a bridge running (a bridge started on the dir within 10 minutes accepts the code).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openServiceDb } from '../../bridge/service/db';
import { describeRun, runCliInProcess, scratchDir } from '../support/cli-runner';

const scratch = scratchDir('state-store');
afterAll(() => scratch.cleanup());

const NO_STORE = /no state store in .*: start the bridge with this state dir first \(or check --state-dir\)/;

describe('pair and tokens without a state store', () => {
  it('a --state-dir that does not exist: pair, tokens list and tokens revoke exit 1, say so, create nothing', async () => {
    const typo = scratch.path('sate');
    for (const [command, args] of [
      ['pair', []],
      ['tokens', ['list']],
      ['tokens', ['list', '--json']],
      ['tokens', ['revoke', 'tok_abc']],
      ['tokens', ['revoke', '--all']],
    ] as const) {
      const r = await runCliInProcess([...args, '--state-dir', typo], { command });
      expect(r.code, `${command} ${args.join(' ')}: ${describeRun(r)}`).toBe(1);
      expect(r.stderr).toMatch(NO_STORE);
      expect(r.stderr).toContain(typo);
      expect(r.stdout).not.toMatch(/Pairing code|Revoked|tokens/);
      expect(existsSync(typo), `${command} created ${typo}`).toBe(false);
    }
  });

  it('an existing dir without a store is refused too and left empty; with a store pair and tokens work', async () => {
    const dir = scratch.path('empty');
    mkdirSync(dir);
    const r = await runCliInProcess(['--state-dir', dir], { command: 'pair' });
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(NO_STORE);
    expect(readdirSync(dir)).toEqual([]);

    // Once the dir has a store (as a bridge started there leaves), with no bridge running:
    // pair prints a code (exit 0), tokens list says there are none.
    openServiceDb(dir).close();
    const ok = await runCliInProcess(['--state-dir', dir], { command: 'pair' });
    expect(ok.code, describeRun(ok)).toBe(0);
    expect(ok.stdout).toMatch(/^Pairing code: [A-Z0-9]{4}-[A-Z0-9]{4}\n/);
    const list = await runCliInProcess(['list', '--state-dir', dir], { command: 'tokens' });
    expect(list.code, describeRun(list)).toBe(0);
    expect(list.stdout).toMatch(/No tokens/);
  });
});
