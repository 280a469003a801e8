import type { AccountRow, CsvRowError } from '../../shared/csv/accounts-csv';
import { sameMailboxConflicts } from '../../shared/csv/same-mailbox';
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

/**
 * With both sides on one server, the rows that put a mailbox on both sides (same-mailbox.ts),
 * counting the job's accounts still being migrated (`open`) as pairs too: a chain through one
 * of them is as wrong as one within the file. Reported on the file's line.
 */
export function sameMailboxErrors(rows: readonly AccountRow[], open: ReadonlyArray<{ source: string; target: string }>, server: string): CsvRowError[] {
  const inFile = new Set(rows.map((r) => r.source.toLowerCase()));
  const pairs = [...rows, ...open.filter((a) => !inFile.has(a.source.toLowerCase()))];
  const errors: CsvRowError[] = [];
  for (const c of sameMailboxConflicts(pairs)) {
    const at = c.index < rows.length ? rows[c.index]! : c.kind === 'chain' && c.sourceIndex < rows.length ? rows[c.sourceIndex]! : undefined;
    if (!at) continue;
    if (c.kind === 'self') {
      errors.push({
        line: at.line,
        message: `${at.target} is both the old and the new mailbox on ${server}: copied onto itself, it would get every message twice. Give the new mailbox in the target column.`,
        messageZh: `${at.target} 在 ${server} 上既是旧邮箱又是新邮箱：搬到自己身上，每封邮件都会变成两封。请在目标列填写新邮箱。`,
      });
      continue;
    }
    const into = pairs[c.index]!;
    const from = pairs[c.sourceIndex]!;
    errors.push({
      line: at.line,
      message: `${into.source} is copied into ${into.target}, which is itself copied into ${from.target} on the same server ${server}: mail would pass on from one mailbox to the next. Pair each old mailbox with a new one that is not also an old one; to move mailboxes along a chain on purpose, finish the later move first.`,
      messageZh: `${into.source} 搬入 ${into.target}，而 ${into.target} 又在同一服务器 ${server} 上被搬往 ${from.target}：邮件会从一个邮箱转到下一个。请让每个旧邮箱对应一个不是旧邮箱的新邮箱；若确需依次搬迁，请先完成后一步。`,
    });
  }
  return errors;
}
