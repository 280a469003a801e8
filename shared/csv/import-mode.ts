import type { ImportMode } from '../protocol/account';
import { COLUMN_NAMES, isPlainLogin, parseAccountsCsv, type AccountsCsvResult, type CsvRowError, type RowCheck } from './accounts-csv';

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
      message: 'The old password (source_password / 待搬家账号密码) is empty. Fill it in, or choose the plan "Batch, passwords unknown" (the old and new address must be the same) or "Employee self-service", where each employee supplies their own password.',
      messageZh: '待搬家账号密码为空。请填写密码，或改用“批量搬家（未知密码）”方案（原账号与新账号的邮箱地址须相同）或“员工自助搬家”方案，由员工自行提供密码。',
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
 * A plain login (no '@') where the mode needs an email address: in the two modes whose
 * employees supply the password (未知密码, 员工自助) the employee is found by the address they
 * are logged in to webmail with (the panel, `account.credentials` by job and new address) and
 * sends the old one with the password, and both are taken as email addresses only. Named by
 * column, as the file's other errors are; the remedy is the address, or the known-passwords mode,
 * which takes plain logins.
 */
function plainLoginWording(audience: ImportAudience, mode: ImportMode, columns: ReadonlyArray<'source' | 'target'>): { message: string; messageZh: string } {
  const en = columns.map((c) => `${COLUMN_NAMES[c].en} (${COLUMN_NAMES[c].zh})`).join(' and ');
  const zh = columns.map((c) => `“${COLUMN_NAMES[c].zh}”`).join('和');
  const value = columns.length > 1 ? 'values are logins' : 'value is a login';
  const modeName =
    audience === 'wizard'
      ? mode === 'self-service'
        ? { en: 'Employee self-service', zh: '员工自助搬家' }
        : { en: 'Batch, passwords unknown', zh: '批量搬家（未知密码）' }
      : mode === 'self-service'
        ? { en: 'self-service', zh: '员工自助' }
        : { en: 'without passwords', zh: '未知密码' };
  const known = audience === 'wizard' ? { en: 'choose "Batch, passwords known"', zh: '改用“批量搬家（已知密码）”方式' } : { en: 'use the "known passwords" mode', zh: '使用“已知密码”方式导入' };
  return {
    message: `The ${en} ${value} without "@". In the "${modeName.en}" mode each employee is found by their email address and enters the old password themselves, so the accounts must be full email addresses (name@domain). Write the addresses, or, to migrate plain logins, ${known.en}.`,
    messageZh: `${zh}是不含 @ 的登录名。“${modeName.zh}”方式下，员工凭邮箱地址找到自己的账号并自行填写原密码，因此账号须为完整的邮箱地址（名称@域名）。请填写邮箱地址；如需搬迁登录名账号，请${known.zh}。`,
  };
}

/**
 * The import modes' rules for one row:
 * - admin-with-passwords: each row needs the old password, unless the job logs in to the source
 *   as an admin (the password column is then optional, as in the template), and the new
 *   mailbox's password unless the job logs in to the target as an admin; plain logins (no '@')
 *   are fine;
 * - admin-without-passwords: source and target address must be the same (the employee logs in
 *   to the new mailbox with the old password), and the file carries no old password;
 * - self-service: the employee types the old address and password; the file carries none.
 * The two employee modes need email addresses, not plain logins (plainLoginWording).
 * A row whose account values were refused (`context.invalid`) is still checked for its
 * passwords; the checks of the refused values are left out.
 */
export function importModeCheck(rules: ImportRules, audience: ImportAudience): RowCheck {
  const words = WORDING[audience];
  return (row, context) => {
    const invalid = context?.invalid ?? new Set<'source' | 'target'>();
    const problems: Problem[] = [];
    if (rules.mode === 'admin-with-passwords' && !row.sourcePassword && !rules.sourceAdmin) problems.push('source-password-missing');
    if (rules.mode === 'admin-with-passwords' && !row.targetPassword && !rules.targetAdmin) problems.push('target-password-missing');
    if (rules.mode !== 'admin-with-passwords' && row.sourcePassword) problems.push('source-password-given');
    const plain = rules.mode === 'admin-with-passwords' ? [] : (['source', 'target'] as const).filter((c) => !invalid.has(c) && isPlainLogin(row[c]));
    // A plain login: the address is what is missing (whether the two then match is told once it is there).
    if (rules.mode === 'admin-without-passwords' && invalid.size === 0 && plain.length === 0 && row.source.toLowerCase() !== row.target.toLowerCase()) problems.push('addresses-differ');
    const out = problems.map((p) => words[p]);
    if (plain.length) out.push(plainLoginWording(audience, rules.mode, plain));
    return out;
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
