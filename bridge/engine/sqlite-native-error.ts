/**
 * better-sqlite3's native module did not load; the message says how to fix the install.
 * Apart from sqlite-native.ts so that the CLI can recognise it without loading SQLite.
 */
export class SqliteNativeModuleError extends Error {
  override readonly name = 'SqliteNativeModuleError';
}
