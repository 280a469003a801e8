import Database from 'better-sqlite3';
import { SqliteNativeModuleError } from './sqlite-native-error';

// better-sqlite3 loads its native module when the first database is opened. When that
// fails, the library's own error names a list of paths or an ABI number; the usual
// causes are an install whose build script did not run (npm 12 skips install scripts
// that package.json's allowScripts does not approve) and a switch to another Node.js
// version since the install. Both are fixed by rebuilding the module, so the error says so.

/** Why better-sqlite3's native module did not load, from the loader's error; undefined for any other error. */
function failureOf(err: unknown): string | undefined {
  if (err instanceof Database.SqliteError || !(err instanceof Error)) return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  if (/Could not locate the bindings file/.test(err.message)) return 'is not built';
  if (/NODE_MODULE_VERSION/.test(err.message)) return 'was built for another Node.js version';
  if (code === 'ERR_DLOPEN_FAILED') return 'could not be loaded';
  return undefined;
}

/** The error to report for `err` from opening a database: a SqliteNativeModuleError that says how to fix a native-module failure, else `err` itself. */
export function explainNativeLoadFailure(err: unknown): unknown {
  const failure = failureOf(err);
  if (failure === undefined) return err;
  return new SqliteNativeModuleError(
    `The state store's SQLite module (better-sqlite3) ${failure} for Node.js ${process.version}. ` +
      `Run \`npm rebuild better-sqlite3\` in mailmover's folder (where its package.json is), then start again. ` +
      `npm 12 runs that build only for packages approved in package.json's allowScripts, as mailmover's package.json does. ` +
      `Loader's message: ${(err as Error).message.split('\n')[0]!.replace(/\s*Tried:\s*$/, '')}`,
    { cause: err },
  );
}

/** `new Database(file, options)`, with a native-module failure explained (explainNativeLoadFailure). */
export function openDatabase(file: string, options?: Database.Options): Database.Database {
  try {
    return new Database(file, options);
  } catch (err) {
    throw explainNativeLoadFailure(err);
  }
}
