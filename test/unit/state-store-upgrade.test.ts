/**
 * A state file written before copies kept their body hash gets the column when a newer build
 * opens it, and two processes of the newer build opening one such file at the same moment
 * (the bridge and a cron run right after an upgrade) both start: the check and the ALTER are
 * one write transaction, so the second one does not fail on a column the first just added.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { addBodyHashColumn, StateStore } from '../../bridge/engine/state-store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state dir whose messages table has no body_hash column, as builds before it left it. */
function oldStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mm-upgrade-'));
  dirs.push(dir);
  const store = StateStore.open(dir);
  store.close();
  const db = new Database(join(dir, 'mailmover.sqlite'));
  db.exec('ALTER TABLE messages DROP COLUMN body_hash');
  db.close();
  return dir;
}

const columns = (dir: string): string[] => {
  const db = new Database(join(dir, 'mailmover.sqlite'), { readonly: true });
  try {
    return (db.prepare('PRAGMA table_info(messages)').all() as Array<{ name: string }>).map((c) => c.name);
  } finally {
    db.close();
  }
};

it('an old state file gets the body_hash column, and keeps its rows', () => {
  const dir = oldStateDir();
  expect(columns(dir)).not.toContain('body_hash');
  const store = StateStore.open(dir);
  store.recordMessages('acc', 'INBOX', 7, [{ uid: 1, fingerprint: 'fp', outcome: 'copied', targetUid: null, size: 10, bodyHash: 'h1' }]);
  expect(store.unplacedCopies('acc', 'INBOX', 7)).toEqual([{ fingerprint: 'fp', size: 10, bodyHash: 'h1' }]);
  store.close();
  expect(columns(dir)).toContain('body_hash');
});

it('a process that finds the column missing while another adds it starts all the same', () => {
  const dir = oldStateDir();
  const file = join(dir, 'mailmover.sqlite');
  const other = new Database(file);
  const mine = new Database(file);
  try {
    // The other process adds the column right after this one looked and found none.
    let looked = false;
    const racing = new Proxy(mine, {
      get(target, prop) {
        if (prop !== 'prepare') return Reflect.get(target, prop, target);
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (looked || !sql.startsWith('PRAGMA table_info')) return stmt;
          looked = true;
          const before = stmt.all();
          other.exec('ALTER TABLE messages ADD COLUMN body_hash TEXT');
          return { all: () => before };
        };
      },
    });
    expect(() => addBodyHashColumn(racing)).not.toThrow();
    expect(looked).toBe(true);
    expect(columns(dir).filter((c) => c === 'body_hash')).toHaveLength(1);
  } finally {
    mine.close();
    other.close();
  }
});
