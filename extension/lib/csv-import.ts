/**
 * Checks one account file the way the bridge will (shared/csv + the import mode's rules), so
 * every bad row is shown with its line number before anything starts. The file's bytes are kept
 * in memory only, to be sent as they are; rows are summarised without their passwords.
 */
import type { AccountRow, CsvRowError } from '../../shared/csv/accounts-csv';
import { CsvErrorList } from '../../shared/csv/error-list';
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
  /** Rows whose source address is already in an earlier import (they would update it). */
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

  const seen = new Map<string, { file: string; line: number }>();
  const targets = new Map<string, { file: string; line: number; source: string }>();
  for (const imp of earlier) {
    for (const r of imp.rows) {
      seen.set(r.source.toLowerCase(), { file: imp.fileName, line: r.line });
      targets.set(addressKey(r.target), { file: imp.fileName, line: r.line, source: addressKey(r.source) });
    }
  }
  // The file's own rows may not share a target (accounts-csv.ts), but the bridge takes another
  // file's row with a used target as a second mailbox copied into it: refused here the same way.
  // Checked once the file is otherwise clean; the message names lines and files, no cell value.
  const errors = parsed.errors.length ? parsed.errors : sharedTargets(parsed.rows, targets);
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

function addressKey(address: string): string {
  return address.normalize('NFC').toLowerCase();
}

function sharedTargets(rows: readonly AccountRow[], earlier: ReadonlyMap<string, { file: string; line: number; source: string }>): CsvRowError[] {
  const list = new CsvErrorList();
  for (const r of rows) {
    const hit = earlier.get(addressKey(r.target));
    if (!hit || hit.source === addressKey(r.source)) continue;
    list.add({
      line: r.line,
      message: `The target account is already used in ${hit.file}, line ${hit.line}, for another source mailbox. Two source mailboxes moved into one account is refused because it is almost always a mistake in the account pairing; pair each source with its own target. Nothing from this file is imported.`,
      messageZh: `搬家账号已在 ${hit.file} 第 ${hit.line} 行用于另一个原邮箱。两个原邮箱搬入同一账号通常是账号对应关系填错所致，因此不予接受；请为每个原邮箱填写各自的搬家账号。此文件不会导入。`,
    });
  }
  return list.list();
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
