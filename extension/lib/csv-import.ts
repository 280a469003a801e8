/**
 * Checks one account file the way the bridge will (shared/csv + the import mode's rules), so
 * every bad row is shown with its line number before anything starts. The file's bytes are kept
 * in memory only, to be sent as they are; rows are summarised without their passwords.
 */
import type { CsvRowError } from '../../shared/csv/accounts-csv';
import { readImport, type ImportRules } from '../../shared/csv/import-mode';

export type { ImportRules } from '../../shared/csv/import-mode';

export interface RowSummary {
  line: number;
  source: string;
  target: string;
  hasSourcePassword: boolean;
  hasTargetPassword: boolean;
}

export interface CheckedImport {
  /** Stable id of this import in the wizard. */
  id: string;
  fileName: string;
  bytes: Uint8Array;
  encoding: 'utf-8' | 'gb18030';
  headerStyle: 'english' | 'chinese';
  rows: RowSummary[];
  errors: CsvRowError[];
  /** Rows whose source or target address is already in an earlier import (they would update it). */
  duplicates: { line: number; address: string; earlierFile: string; earlierLine: number }[];
}

export function checkImport(
  id: string,
  fileName: string,
  bytes: Uint8Array,
  rules: ImportRules,
  earlier: readonly CheckedImport[] = [],
): CheckedImport {
  const parsed = readImport(bytes, rules, 'wizard');
  const errors = parsed.errors;

  const seen = new Map<string, { file: string; line: number }>();
  for (const imp of earlier) {
    for (const r of imp.rows) {
      seen.set(r.source.toLowerCase(), { file: imp.fileName, line: r.line });
    }
  }
  const duplicates = parsed.rows.flatMap((r) => {
    const hit = seen.get(r.source.toLowerCase());
    return hit ? [{ line: r.line, address: r.source, earlierFile: hit.file, earlierLine: hit.line }] : [];
  });

  return {
    id,
    fileName,
    bytes,
    encoding: parsed.encoding,
    headerStyle: parsed.headerStyle,
    rows: parsed.rows.map((r) => ({
      line: r.line,
      source: r.source,
      target: r.target,
      hasSourcePassword: !!r.sourcePassword,
      hasTargetPassword: !!r.targetPassword,
    })),
    errors,
    duplicates,
  };
}

/** The template the admin fills in: Chinese headers as in Alibaba Mail's 搬家 guide, or English ones. */
export function csvTemplate(style: 'chinese' | 'english', rules: ImportRules): string {
  const cols =
    style === 'chinese'
      ? { s: '待搬家账号', t: '搬家账号', sp: '待搬家账号密码', tp: '搬家账号密码' }
      : { s: 'source', t: 'target', sp: 'source_password', tp: 'target_password' };
  const header = [cols.s, cols.t];
  const example = ['zhangsan@old-example.com', rules.mode === 'admin-with-passwords' ? 'zhangsan@example.com' : 'zhangsan@old-example.com'];
  if (rules.mode === 'admin-with-passwords') {
    header.push(cols.sp);
    example.push('old-password');
    if (!rules.targetAdmin) {
      header.push(cols.tp);
      example.push('new-password');
    }
  }
  // BOM: Excel then opens the Chinese headers as UTF-8.
  return `\ufeff${header.join(',')}\r\n${example.join(',')}\r\n`;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}
