import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore } from '../../bridge/engine/state-store';
import { UidlIds } from '../../bridge/engine/pop3/uidl-ids';
import { openServiceDb } from '../../bridge/service/db';
import { RotatingFile } from '../../bridge/service/rotating-file';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state dir as a user (or an older version) left it: 0755, with a 0644 state file and WAL. */
function worldReadableStateDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'mm-modes-'));
  dirs.push(root);
  const dir = join(root, 'state');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  const old = new Database(join(dir, 'mailmover.sqlite'));
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE IF NOT EXISTS leftover (x)');
  old.close();
  chmodSync(join(dir, 'mailmover.sqlite'), 0o644);
  writeFileSync(join(dir, 'mailmover.sqlite-wal'), '');
  chmodSync(join(dir, 'mailmover.sqlite-wal'), 0o644);
  return dir;
}

describe('state files are owner-only whatever exists', () => {
  it('StateStore.open makes an existing 0755 dir 0700 and its 0644 files 0600', () => {
    const dir = worldReadableStateDir();
    const store = StateStore.open(dir);
    const uidl = UidlIds.forStore(store);
    uidl.idsFor('acc', ['a', 'b']);
    expect(mode(dir)).toBe('0700');
    expect(mode(join(dir, 'mailmover.sqlite'))).toBe('0600');
    expect(mode(join(dir, 'mailmover.sqlite-wal'))).toBe('0600');
    expect(mode(join(dir, 'mailmover.sqlite-shm'))).toBe('0600');
    store.close();
  });

  it('a new state file in a fresh 0755 dir is created 0600', () => {
    const root = mkdtempSync(join(tmpdir(), 'mm-modes-'));
    dirs.push(root);
    chmodSync(root, 0o755);
    const store = StateStore.open(root);
    expect(mode(root)).toBe('0700');
    expect(mode(join(root, 'mailmover.sqlite'))).toBe('0600');
    store.close();
  });

  it('the service database and its log file are tightened the same way', () => {
    const dir = worldReadableStateDir();
    mkdirSync(join(dir, 'logs'));
    chmodSync(join(dir, 'logs'), 0o755);
    writeFileSync(join(dir, 'logs', 'bridge.log'), 'old line\n', { mode: 0o644 });
    chmodSync(join(dir, 'logs', 'bridge.log'), 0o644);
    writeFileSync(join(dir, 'logs', 'bridge.log.2'), 'older line\n');
    chmodSync(join(dir, 'logs', 'bridge.log.2'), 0o644);
    const db = openServiceDb(dir);
    const log = new RotatingFile(join(dir, 'logs', 'bridge.log'));
    log.write('x\n');
    expect(mode(dir)).toBe('0700');
    expect(mode(join(dir, 'mailmover.sqlite'))).toBe('0600');
    expect(mode(join(dir, 'mailmover.sqlite-wal'))).toBe('0600');
    expect(mode(join(dir, 'logs'))).toBe('0700');
    expect(mode(join(dir, 'logs', 'bridge.log'))).toBe('0600');
    expect(mode(join(dir, 'logs', 'bridge.log.2'))).toBe('0600');
    log.close();
    db.close();
  });
});
