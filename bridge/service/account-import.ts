import { parseAccountsCsv, type AccountRow, type CsvRowError, type RowCheck } from '../../shared/csv/accounts-csv';
import type { ImportMode } from '../../shared/protocol/account';
import type { StoredLogin } from './jobs-repo';

/**
 * Checks an import against its mode (选择搬家方案) before anything is stored:
 * - admin-with-passwords: each row needs the old password, unless the job logs in to the
 *   source as an admin (the password column is then optional, as in the template),
 *   and the new mailbox's password unless the job logs in to the target as an admin;
 * - admin-without-passwords: source and target address must be the same (the employee logs
 *   in to the new mailbox with the old password), and the file carries no old password;
 * - self-service: the employee types the old address and password; the file carries none.
 * Any bad row means nothing is imported, like the CLI's --accounts.
 */
export interface ImportPlan {
  rows: AccountRow[];
  errors: CsvRowError[];
}

export function planImport(bytes: Uint8Array, mode: ImportMode, logins: { source: StoredLogin; target: StoredLogin }): ImportPlan {
  // The mode's rules run inside the parse so their errors share its cap of listed errors.
  const parsed = parseAccountsCsv(bytes, { rowCheck: modeRules(mode, logins) });
  const errors = [...parsed.errors];
  if (parsed.rows.length === 0 && errors.length === 0) {
    errors.push({ line: 1, message: 'The file has no account rows.', messageZh: '文件中没有账号数据。' });
  }
  return { rows: errors.length ? [] : parsed.rows, errors };
}

function modeRules(mode: ImportMode, logins: { source: StoredLogin; target: StoredLogin }): RowCheck {
  return (row) => {
    const errors: Array<Omit<CsvRowError, 'line'>> = [];
    if (mode === 'admin-with-passwords' && !row.sourcePassword && logins.source.kind !== 'admin') {
      errors.push({
        message: 'The old password (source_password / 待搬家账号密码) is empty. Fill it in, or import this account with the "without passwords" or "self-service" mode.',
        messageZh: '待搬家账号密码为空。请填写密码，或使用“未知密码”或“员工自助”方式导入此账号。',
      });
    }
    if (mode === 'admin-with-passwords' && !row.targetPassword && logins.target.kind !== 'admin') {
      errors.push({
        message: 'The new mailbox password (target_password / 搬家账号密码) is empty, and the job has no admin login for the new system. Fill it in, or set an admin login on the job.',
        messageZh: '搬家账号密码为空，且任务未设置新邮箱的管理员登录。请填写密码，或为任务设置管理员登录。',
      });
    }
    if (mode !== 'admin-with-passwords' && row.sourcePassword) {
      errors.push({
        message: 'This import mode takes no old password (the employee supplies it); remove the source_password column or use the "known passwords" mode.',
        messageZh: '此导入方式不包含原邮箱密码（由员工自行填写）；请删除“待搬家账号密码”列，或使用“已知密码”方式。',
      });
    }
    if (mode === 'admin-without-passwords' && row.source.toLowerCase() !== row.target.toLowerCase()) {
      errors.push({
        message: 'Without passwords, the old and the new address must be the same (the employee logs in with the old password).',
        messageZh: '未知密码方式要求原账号与目标账号邮箱地址相同。',
      });
    }
    return errors;
  };
}
