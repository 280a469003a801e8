/**
 * TokenStore: revoke(id) only ever revokes the token with that id (the word `all` is an id no
 * token has); revoking every token is revokeAll(), which `tokens revoke --all` calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServiceDb, type ServiceDb } from '../../bridge/service/db';
import { TokenStore } from '../../bridge/service/tokens';

describe('TokenStore revoke and revokeAll', () => {
  let dir: string;
  let db: ServiceDb;
  let tokens: TokenStore;
  const active = () => tokens.list().filter((t) => t.revokedAt === null).map((t) => t.id).sort();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailmover-tokens-'));
    db = openServiceDb(dir);
    tokens = new TokenStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("revoke('all') revokes nothing; revoke(id) revokes that token once", () => {
    const ids = ['a', 'b', 'c'].map((l) => tokens.issue('chrome-extension://x', l).info.id).sort();
    expect(tokens.revoke('all')).toBe(0);
    expect(active()).toEqual(ids);
    expect(tokens.revoke(ids[1]!)).toBe(1);
    expect(tokens.revoke(ids[1]!)).toBe(0);
    expect(active()).toEqual([ids[0], ids[2]]);
  });

  it('revokeAll() revokes every active token and counts only those', () => {
    const ids = ['a', 'b', 'c'].map((l) => tokens.issue('chrome-extension://x', l).info.id);
    tokens.revoke(ids[0]!);
    expect(tokens.revokeAll()).toBe(2);
    expect(active()).toEqual([]);
    expect(tokens.revokeAll()).toBe(0);
  });
});
