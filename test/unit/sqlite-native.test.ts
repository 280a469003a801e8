import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainNativeLoadFailure, openDatabase } from '../../bridge/engine/sqlite-native';
import { SqliteNativeModuleError } from '../../bridge/engine/sqlite-native-error';

// The failures are produced by the real loaders: Node's dlopen of a file that is not a
// shared object (what a module built for another platform or cut short gives), and the
// `bindings` package better-sqlite3 uses, in a package folder where nothing was built
// (what an install whose build script was skipped leaves).

const dir = mkdtempSync(join(tmpdir(), 'mailmover-sqlite-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `fn` throws. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('a native module that does not load', () => {
  it('names the fix when the module file is not a loadable shared object', () => {
    const bad = join(dir, 'not-elf.node');
    writeFileSync(bad, 'not a shared object\n');
    const err = thrownBy(() => openDatabase(':memory:', { nativeBinding: bad }));
    expect(err).toBeInstanceOf(SqliteNativeModuleError);
    const message = (err as Error).message;
    expect(message).toContain('could not be loaded');
    expect(message).toContain('npm rebuild better-sqlite3');
    expect(message).toContain(process.version);
    expect((err as Error).cause).toMatchObject({ code: 'ERR_DLOPEN_FAILED' });
  });

  it('says the module is not built when the bindings lookup finds nothing', () => {
    const root = join(dir, 'unbuilt');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"name":"unbuilt","version":"1.0.0"}\n');
    // `bindings` as better-sqlite3 itself resolves it.
    const fromSqlite = createRequire(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    const bindings = fromSqlite('bindings') as (o: { bindings: string; module_root: string }) => unknown;
    const loaderError = thrownBy(() => bindings({ bindings: 'better_sqlite3.node', module_root: root }));
    const explained = explainNativeLoadFailure(loaderError);
    expect(explained).toBeInstanceOf(SqliteNativeModuleError);
    expect((explained as Error).message).toMatch(/^The state store's SQLite module \(better-sqlite3\) is not built for Node\.js v\d+/);
    expect((explained as Error).message).toContain('allowScripts');
  });

  it('leaves SQLite errors and other errors as they are', () => {
    const missing = join(dir, 'absent', 'state.sqlite');
    const sqliteError = thrownBy(() => openDatabase(missing, { readonly: true, fileMustExist: true }));
    expect(sqliteError).not.toBeInstanceOf(SqliteNativeModuleError);
    const viaSqlite = thrownBy(() => new Database(':memory:').exec('SELECT * FROM no_such_table'));
    expect(viaSqlite).toBeInstanceOf(Database.SqliteError);
    expect(explainNativeLoadFailure(viaSqlite)).toBe(viaSqlite);
    const other = new Error('disk full');
    expect(explainNativeLoadFailure(other)).toBe(other);
  });

  it('opens a database when the module loads', () => {
    const db = openDatabase(':memory:');
    expect(db.prepare('SELECT 41 + 1 AS n').get()).toEqual({ n: 42 });
    db.close();
  });
});
