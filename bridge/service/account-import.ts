import type { AccountRow, CsvRowError } from '../../shared/csv/accounts-csv';
import { readImport } from '../../shared/csv/import-mode';
import type { ImportMode } from '../../shared/protocol/account';
import type { StoredLogin } from './jobs-repo';

/**
 * Checks an import against its mode (选择搬家方案; the rules are shared/csv/import-mode.ts, the
 * wizard checks the same) before anything is stored. Any bad row means nothing is imported,
 * like the CLI's --accounts.
 */
export interface ImportPlan {
  rows: AccountRow[];
  errors: CsvRowError[];
}

export function planImport(bytes: Uint8Array, mode: ImportMode, logins: { source: StoredLogin; target: StoredLogin }): ImportPlan {
  const read = readImport(bytes, { mode, sourceAdmin: logins.source.kind === 'admin', targetAdmin: logins.target.kind === 'admin' }, 'bridge');
  return { rows: read.errors.length ? [] : read.rows, errors: read.errors };
}
