/**
 * Checks one account file the way the bridge will (shared/csv + the import mode's rules), so
 * every bad row is shown with its line number before anything starts. The file's bytes are kept
 * in memory only, to be sent as they are; rows are summarised without their passwords.
 */
import { parseAccountsCsv, type CsvRowError, type RowCheck } from '../../shared/csv/accounts-csv';
import type { ImportMode } from '../../shared/protocol';

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

export interface ImportRules {
  mode: ImportMode;
  sourceAdmin: boolean;
  targetAdmin: boolean;
}

export function checkImport(
  id: string,
  fileName: string,
  bytes: Uint8Array,
  rules: ImportRules,
  earlier: readonly CheckedImport[] = [],
): CheckedImport {
  // The mode's rules run inside the parse so their errors share its cap of listed errors.
  const parsed = parseAccountsCsv(bytes, { rowCheck: modeRules(rules) });
  const errors: CsvRowError[] = [...parsed.errors];
  if (parsed.rows.length === 0 && errors.length === 0) {
    errors.push({ line: 1, message: 'The file has no account rows.', messageZh: '文件中没有账号数据。' });
  }

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

function modeRules(rules: ImportRules): RowCheck {
  return (row) => {
    const errors: Array<Omit<CsvRowError, 'line'>> = [];
    if (rules.mode === 'admin-with-passwords' && !row.sourcePassword && !rules.sourceAdmin) {
      errors.push({
        message: 'The old password (source_password / 待搬家账号密码) is empty. Fill it in, or choose "employees supply their password".',
        messageZh: '待搬家账号密码为空。请填写密码，或改用“员工自行提供密码”的方式。',
      });
    }
    if (rules.mode === 'admin-with-passwords' && !row.targetPassword && !rules.targetAdmin) {
      errors.push({
        message: 'The new mailbox password (target_password / 搬家账号密码) is empty, and the target has no admin login. Fill it in, or use an admin login in step 3.',
        messageZh: '搬家账号密码为空，且目标邮箱未设置管理员登录。请填写密码，或在第 3 步使用管理员登录。',
      });
    }
    if (rules.mode !== 'admin-with-passwords' && row.sourcePassword) {
      errors.push({
        message: 'In this mode the employee supplies the old password: remove the source_password (待搬家账号密码) column.',
        messageZh: '此方式由员工自行填写原邮箱密码：请删除“待搬家账号密码”列。',
      });
    }
    if (rules.mode === 'admin-without-passwords' && row.source.toLowerCase() !== row.target.toLowerCase()) {
      errors.push({
        message: 'Without passwords, the old and the new address must be the same.',
        messageZh: '未知密码方式要求原账号与目标账号邮箱地址相同。',
      });
    }
    return errors;
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
