import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServiceDb } from '../../bridge/service/db';
import { TokenStore } from '../../bridge/service/tokens';
import { describeRun, runCliInProcess } from '../support/cli-runner';

/**
 * `tokens revoke`: revoking every token (every paired extension must pair again) takes the
 * --all flag and nothing else; an id next to it, or the word `all` as the id, revokes nothing.
 */
describe('cli tokens revoke', () => {
  let stateDir: string;
  let ids: string[];

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'mailmover-cli-tokens-'));
    const db = openServiceDb(stateDir);
    try {
      const tokens = new TokenStore(db);
      ids = ['Chrome', 'Edge'].map((label) => tokens.issue('chrome-extension://cecebljahdhogcjfihcheahabdjoppkk', label).info.id).sort();
    } finally {
      db.close();
    }
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const revoke = (...args: string[]) => runCliInProcess(['revoke', ...args, '--state-dir', stateDir], { command: 'tokens' });

  /** The ids of the tokens still active, read from the state store (sorted, as `ids` is). */
  function active(): string[] {
    const db = openServiceDb(stateDir);
    try {
      return new TokenStore(db)
        .list()
        .filter((t) => t.revokedAt === null)
        .map((t) => t.id)
        .sort();
    } finally {
      db.close();
    }
  }

  it('an id together with --all is a usage error (exit 2) and revokes nothing; each alone works', async () => {
    const r = await revoke(ids[0]!, '--all');
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/give a token id or --all, not both/);
    expect(r.stdout).not.toMatch(/Revoked/);
    expect(active()).toEqual(ids);

    const one = await revoke(ids[0]!);
    expect(one.code, describeRun(one)).toBe(0);
    expect(active()).toEqual([ids[1]]);
  });

  it('`all` without --all is an id no token has: exit 1, it says so and points to --all, nothing revoked', async () => {
    const r = await revoke('all');
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(/no active token all/);
    expect(r.stderr).toMatch(/--all/);
    expect(r.stdout).not.toMatch(/Revoked/);
    expect(active()).toEqual(ids);

    const every = await revoke('--all');
    expect(every.code, describeRun(every)).toBe(0);
    expect(every.stdout).toMatch(/Revoked 2 token\(s\)/);
    expect(active()).toEqual([]);
  });
});
