import type { ImportMode } from '../protocol/account';
import { parseAccountsCsv, type AccountsCsvResult, type CsvRowError, type RowCheck } from './accounts-csv';

/** What an import's rows are checked against: its mode, and which sides the job logs in to as an admin. */
export interface ImportRules {
  mode: ImportMode;
  sourceAdmin: boolean;
  targetAdmin: boolean;
}

/**
 * Who reads the messages: the wizard (its remedies point at its own steps) or a bridge request
 * (its remedies name the job's settings and the other modes). The rules are the same.
 */
export type ImportAudience = 'wizard' | 'bridge';

type Problem = 'source-password-missing' | 'target-password-missing' | 'source-password-given' | 'addresses-differ';

const WORDING: Record<ImportAudience, Record<Problem, { message: string; messageZh: string }>> = {
  bridge: {
    'source-password-missing': {
      message: 'The old password (source_password / 待搬家账号密码) is empty. Fill it in, or import this account with the "without passwords" or "self-service" mode.',
      messageZh: '待搬家账号密码为空。请填写密码，或使用“未知密码”或“员工自助”方式导入此账号。',
    },
    'target-password-missing': {
      message: 'The new mailbox password (target_password / 搬家账号密码) is empty, and the job has no admin login for the new system. Fill it in, or set an admin login on the job.',
      messageZh: '搬家账号密码为空，且任务未设置新邮箱的管理员登录。请填写密码，或为任务设置管理员登录。',
    },
    'source-password-given': {
      message: 'This import mode takes no old password (the employee supplies it); remove the source_password column or use the "known passwords" mode.',
      messageZh: '此导入方式不包含原邮箱密码（由员工自行填写）；请删除“待搬家账号密码”列，或使用“已知密码”方式。',
    },
    'addresses-differ': {
      message: 'Without passwords, the old and the new address must be the same (the employee logs in with the old password).',
      messageZh: '未知密码方式要求原账号与目标账号邮箱地址相同。',
    },
  },
  wizard: {
    'source-password-missing': {
      message: 'The old password (source_password / 待搬家账号密码) is empty. Fill it in, or choose "employees supply their password".',
      messageZh: '待搬家账号密码为空。请填写密码，或改用“员工自行提供密码”的方式。',
    },
    'target-password-missing': {
      message: 'The new mailbox password (target_password / 搬家账号密码) is empty, and the target has no admin login. Fill it in, or use an admin login in step 3.',
      messageZh: '搬家账号密码为空，且目标邮箱未设置管理员登录。请填写密码，或在第 3 步使用管理员登录。',
    },
    'source-password-given': {
      message: 'In this mode the employee supplies the old password: remove the source_password (待搬家账号密码) column.',
      messageZh: '此方式由员工自行填写原邮箱密码：请删除“待搬家账号密码”列。',
    },
    'addresses-differ': {
      message: 'Without passwords, the old and the new address must be the same.',
      messageZh: '未知密码方式要求原账号与目标账号邮箱地址相同。',
    },
  },
};

/**
 * The import modes' rules for one row:
 * - admin-with-passwords: each row needs the old password, unless the job logs in to the source
 *   as an admin (the password column is then optional, as in the template), and the new
 *   mailbox's password unless the job logs in to the target as an admin;
 * - admin-without-passwords: source and target address must be the same (the employee logs in
 *   to the new mailbox with the old password), and the file carries no old password;
 * - self-service: the employee types the old address and password; the file carries none.
 */
export function importModeCheck(rules: ImportRules, audience: ImportAudience): RowCheck {
  const words = WORDING[audience];
  return (row) => {
    const problems: Problem[] = [];
    if (rules.mode === 'admin-with-passwords' && !row.sourcePassword && !rules.sourceAdmin) problems.push('source-password-missing');
    if (rules.mode === 'admin-with-passwords' && !row.targetPassword && !rules.targetAdmin) problems.push('target-password-missing');
    if (rules.mode !== 'admin-with-passwords' && row.sourcePassword) problems.push('source-password-given');
    if (rules.mode === 'admin-without-passwords' && row.source.toLowerCase() !== row.target.toLowerCase()) problems.push('addresses-differ');
    return problems.map((p) => words[p]);
  };
}

/**
 * An account file read and checked against its import's rules, the way both the wizard and the
 * bridge do it: the mode's rules run inside the parse (their errors share its cap of listed
 * errors), and a file without rows is an error too. Any error means nothing is imported.
 */
export function readImport(bytes: Uint8Array, rules: ImportRules, audience: ImportAudience): AccountsCsvResult {
  const parsed = parseAccountsCsv(bytes, { rowCheck: importModeCheck(rules, audience) });
  const errors: CsvRowError[] = [...parsed.errors];
  if (parsed.rows.length === 0 && errors.length === 0) {
    errors.push({ line: 1, message: 'The file has no account rows.', messageZh: '文件中没有账号数据。' });
  }
  return { ...parsed, errors };
}
