/**
 * Account list import (批量搬家): one row per mailbox pair, as in Alibaba Mail's 搬家 guide:
 *
 *   english headers:  source,target,source_password,target_password   (case-insensitive)
 *   chinese headers:  待搬家账号 (source), 搬家账号 (target), 待搬家账号密码 (source password),
 *                     搬家账号密码 (target password)
 *
 * Pure TypeScript for the extension and the bridge (no Node APIs): the CLI's --accounts, the
 * wizard and accounts.import all read a file through parseAccountsCsv. Records are split in one
 * pass (csv-records.ts), a file that is not text is refused before that (non-text.ts), and at most
 * MAX_REPORTED_ERRORS errors are listed (error-list.ts).
 *
 * The account columns take an email address or, for servers with system users (Dovecot, Cyrus,
 * Courier), a plain login without '@' as `migrate --source imaps://bob@host` does: see LOGIN_RE.
 * A value with an '@' must be a whole address, so "bob@corp" stays a typo. The import modes whose
 * employees are found by their email address require addresses (import-mode.ts).
 *
 * Passwords are never put in an error message. In fact no cell value is: a shifted column can put
 * a password where an address was expected, so messages name lines and columns only.
 */
import { fullWidthIn, fullWidthMessage } from '../full-width';
import { z } from 'zod';
import { readCsvRecords, type CsvProblem } from './csv-records';
import { CsvErrorList, type CsvRowError } from './error-list';
import { misplacedInvisible } from './joiner-context';
import { nonTextProblem } from './non-text';

export { MAX_REPORTED_ERRORS, type CsvRowError } from './error-list';

export interface AccountRow {
  line: number;
  source: string;
  target: string;
  sourcePassword?: string;
  targetPassword?: string;
}

export interface AccountsCsvResult {
  rows: AccountRow[];
  errors: CsvRowError[];
  encoding: 'utf-8' | 'gb18030';
  headerStyle: 'english' | 'chinese';
}

/** At most 1000 accounts per import (一次只能导入1000条数据); more go in another file. */
export const DEFAULT_MAX_ROWS = 1000;

type Field = 'source' | 'target' | 'sourcePassword' | 'targetPassword';

/** Header spellings → field. Keys are normalised with normalizeHeader(). */
const ENGLISH_HEADERS: Readonly<Record<string, Field>> = {
  source: 'source',
  source_email: 'source',
  source_address: 'source',
  source_account: 'source',
  source_user: 'source',
  target: 'target',
  target_email: 'target',
  target_address: 'target',
  target_account: 'target',
  target_user: 'target',
  source_password: 'sourcePassword',
  source_pass: 'sourcePassword',
  source_pwd: 'sourcePassword',
  target_password: 'targetPassword',
  target_pass: 'targetPassword',
  target_pwd: 'targetPassword',
};

const CHINESE_HEADERS: Readonly<Record<string, Field>> = {
  待搬家账号: 'source',
  待搬家帳號: 'source',
  搬家账号: 'target',
  搬家帳號: 'target',
  待搬家账号密码: 'sourcePassword',
  待搬家帳號密碼: 'sourcePassword',
  搬家账号密码: 'targetPassword',
  搬家帳號密碼: 'targetPassword',
};

export const COLUMN_NAMES: Readonly<Record<Field, { en: string; zh: string }>> = {
  source: { en: 'source', zh: '待搬家账号' },
  target: { en: 'target', zh: '搬家账号' },
  sourcePassword: { en: 'source_password', zh: '待搬家账号密码' },
  targetPassword: { en: 'target_password', zh: '搬家账号密码' },
};

/**
 * 'Source Email ' → 'source_email'; '搬家账号（必填）' / '*搬家账号' → '搬家账号'. ASCII is
 * lower-cased, spaces and hyphens become '_', a trailing (…)/（…） note and '*' / ':' marks go.
 */
function normalizeHeader(h: string): string {
  return h
    .replace(/^\ufeff/, '')
    .trim()
    .replace(/[（(][^）)]*[）)]\s*$/u, '')
    .replace(/[*＊:：]/gu, '')
    .trim()
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/[\s-]+/g, '_');
}

/**
 * Address check: a normal or internationalised (EAI, e.g. 张三@公司.中国) address. Local part: no
 * whitespace, quotes, @ or RFC 5322 specials, no leading/trailing/double dot, ≤ 64 chars. Domain:
 * ≥ 2 labels of letters/digits/hyphens (any script) and, after a label's first character, the
 * combining marks and joiners of scripts that write with them (Devanagari "भारत" has a vowel
 * sign; RFC 5891 4.2.3.2 only forbids a mark first); no label starting or ending with '-',
 * top-level label of ≥ 2 letters (with marks) or an xn-- A-label. Quoted local parts and IP
 * literals are refused. Where a joiner may stand is misplacedInvisible's business.
 */
const EMAIL_RE =
  /^(?=[^@]{1,64}@)(?!\.)(?!.*\.\.)[^\s@"(),:;<>[\]\\]+(?<!\.)@(?=.{1,253}$)(?:[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}\u200C\u200D-]{0,61}[\p{L}\p{M}\p{N}])?\.)+(?:\p{L}[\p{L}\p{M}\u200C\u200D]{0,61}[\p{L}\p{M}]|xn--[a-z0-9-]{1,59})$/iu;

/**
 * A plain login, as servers with system users take it (Dovecot, Cyrus, Courier: `bob`,
 * `john.smith`, `mail-admin`): what `migrate --source imaps://bob@host` accepts for one account.
 * ASCII letters, digits, '.', '_' and '-' only, as Dovecot's default auth_username_chars allows
 * (less its '@'), starting with a letter, digit or '_', at most 64 characters. Narrow on purpose:
 * a password shifted into the column (it has other characters), a name typed for the address
 * ("张三", "Bob Smith") or anything with a space is still refused.
 */
const LOGIN_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

/** A value without '@' is a plain login; with one it must be a whole address ("bob@corp" is a typo). */
export const isPlainLogin = (value: string): boolean => !value.includes('@');

/**
 * Invisible format characters (zero-width space, word joiner, soft hyphen, direction marks):
 * pasted from a web page, a chat or a Word table they make an address that looks right, fails
 * its login and escapes the duplicate check. Said by code point, since the cell is not shown.
 * A joiner (ZWNJ/ZWJ) where Persian or Indic spelling needs one is part of the address.
 * Full-width characters (＠ ． ａ …) are refused before the format is looked at, so a login
 * typed in full-width mode ("ｂｏｂ", no ASCII '@') is named as such, not taken for a login.
 * Then: with an '@', an email address (EMAIL_RE); without one, a plain login (LOGIN_RE).
 */
const accountField = z
  .string()
  .min(1, 'required')
  .refine((v) => misplacedInvisible(v) === null, 'invisible')
  .refine((v) => fullWidthIn(v).length === 0, 'full-width')
  .refine((v) => !isPlainLogin(v) || LOGIN_RE.test(v), 'login')
  .refine((v) => isPlainLogin(v) || EMAIL_RE.test(v), 'invalid');

function invisibleIn(value: string): string {
  const ch = misplacedInvisible(value) ?? '';
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

const RowSchema = z.object({
  source: accountField,
  target: accountField,
  sourcePassword: z.string().optional(),
  targetPassword: z.string().optional(),
});

/**
 * Bytes → text. UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, otherwise GB18030, the
 * superset of the GBK that Excel on a Chinese Windows writes for "CSV (逗号分隔)". A UTF-16 file
 * (Excel's "Unicode text") is not recognised here; parseAccountsCsv reports it.
 */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/**
 * What a RowCheck is told besides the row: `invalid` names the account columns whose value was
 * refused (their errors are already listed; the row carries the cell as it is), so that checks
 * of those values are left out while the row's other problems (a missing password) are still
 * told in the same pass, not only once the addresses are fixed. Empty for a well-formed row.
 */
export interface RowCheckContext {
  invalid: ReadonlySet<'source' | 'target'>;
}

/**
 * Checks a caller adds to every row with a source and a target (an import mode's rules); its
 * errors join the file's. Called for well-formed rows and for rows whose account values were
 * refused (see RowCheckContext), not for a row with the wrong number of columns or a duplicate.
 */
export type RowCheck = (row: AccountRow, context?: RowCheckContext) => ReadonlyArray<{ message: string; messageZh: string }>;

function problemError(p: CsvProblem): CsvRowError {
  return p.kind === 'unterminated-quote'
    ? err(
        p.line,
        'A quoted value is never closed: it starts with " but has no closing ". Close the quote; the rows after it were still read.',
        '引号未闭合：某个值以 " 开头却没有结束的 "。请补上引号；其后的行已照常读取。',
      )
    : err(
        p.line,
        'Text follows a closing quote. Put the whole value inside the quotes, and write a quote inside a value as "".',
        '结束引号后还有其他字符。请把整个值放进引号内，值中的引号写成 ""。',
      );
}

const isBlank = (fields: readonly string[]): boolean => fields.every((f) => f === '');

function err(line: number, message: string, messageZh: string): CsvRowError {
  return { line, message, messageZh };
}

/**
 * A row whose source, or target, address an earlier row already has: one error naming the
 * earlier line(s), both columns when both clash. It used to be two errors each ending "row
 * ignored", under a title saying nothing from the file is imported; the title is what happens
 * (every caller refuses a file with any error), so the message says what to fix instead.
 */
function duplicateError(sourceLine: number | undefined, targetLine: number | undefined): { message: string; messageZh: string } | undefined {
  const targetWhy = 'Two source mailboxes moved into one account is refused because it is almost always a mistake in the account pairing; pair each source with its own target.';
  const targetWhyZh = '两个原邮箱搬入同一账号通常是账号对应关系填错所致，因此不予接受；请为每个原邮箱填写各自的搬家账号。';
  if (sourceLine !== undefined && targetLine !== undefined) {
    if (sourceLine === targetLine) {
      return {
        message: `The source and target accounts are both the same as on line ${sourceLine}: the pair is listed twice. Delete one of the two rows.`,
        messageZh: `待搬家账号和搬家账号都与第 ${sourceLine} 行相同：同一对账号填写了两次。请删除其中一行。`,
      };
    }
    return {
      message: `The source account is already listed on line ${sourceLine} and the target account is already used on line ${targetLine}; each source mailbox may appear only once. ${targetWhy} Correct or delete this row.`,
      messageZh: `待搬家账号与第 ${sourceLine} 行重复，搬家账号已在第 ${targetLine} 行使用；每个原邮箱只能出现一次。${targetWhyZh}请改正或删除此行。`,
    };
  }
  if (sourceLine !== undefined) {
    return {
      message: `The source account is already listed on line ${sourceLine}; each source mailbox may appear only once. Delete one of the two rows, or correct the address in one of them.`,
      messageZh: `待搬家账号与第 ${sourceLine} 行重复；每个原邮箱只能出现一次。请删除其中一行，或改正其中一行的地址。`,
    };
  }
  if (targetLine !== undefined) {
    return {
      message: `The target account is already used on line ${targetLine}. ${targetWhy}`,
      messageZh: `搬家账号已在第 ${targetLine} 行使用。${targetWhyZh}`,
    };
  }
  return undefined;
}

/** Lower-cased, NFC-normalised address or login used to find duplicates. */
function addressKey(address: string): string {
  return address.normalize('NFC').toLowerCase();
}

/**
 * Parses an account list. Never throws on bad input: problems come back as per-line errors
 * (line = spreadsheet row), and every other row is still parsed and validated.
 *
 * - Cells are trimmed; a value whose leading/trailing spaces matter (a password) must be quoted.
 * - Blank rows (also ',,,') are skipped. Columns other than the known ones are ignored.
 * - source and target: an email address, or a plain login without '@' (LOGIN_RE).
 * - Duplicate source, or duplicate target, address → one error on the later row naming the
 *   earlier line(s); the earlier row is kept in `rows`. Addresses and logins compare
 *   case-insensitively.
 * - More than `maxRows` (default 1000) data rows → the first `maxRows` are returned and one error
 *   on the first row beyond them; those rows belong in another import (imports append).
 * - Every caller refuses the whole file while it has any error (the wizard, accounts.import, the
 *   CLI's --accounts), so no message may say a row was skipped or ignored: it says what to fix.
 * - A file that is not text (an .xlsx, binary) → that one error on line 1, nothing parsed.
 * - `rowCheck` adds the caller's rules for each row (the import mode's), also for one whose
 *   account values were refused, so a missing password is told along with a bad address.
 * - At most MAX_REPORTED_ERRORS errors, the first by row, then one saying how many more.
 */
export function parseAccountsCsv(bytes: Uint8Array, opts: { maxRows?: number; rowCheck?: RowCheck } = {}): AccountsCsvResult {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  const errors = new CsvErrorList();
  const rows: AccountRow[] = [];

  const notText = nonTextProblem(bytes);
  if (notText) return { rows, errors: [notText], encoding: 'utf-8', headerStyle: 'english' };

  const { text: raw, encoding } = decodeCsvBytes(bytes);
  // CRLF (Windows), CR (old Mac Excel) and LF all end a row.
  const text = raw.replace(/\r\n?/g, '\n');
  const records = readCsvRecords(text, (p) => errors.add(problemError(p)));

  const nonBlank = records.filter((r) => !isBlank(r.fields));
  const header = nonBlank[0];
  if (!header) {
    errors.add(
      err(
        1,
        'The file has no header row. The first row must name the columns: source,target,source_password,target_password (or 待搬家账号,搬家账号,待搬家账号密码).',
        '文件没有表头行。第一行须为列名：待搬家账号,搬家账号,待搬家账号密码（或 source,target,source_password,target_password）。',
      ),
    );
    return { rows, errors: errors.list(), encoding, headerStyle: 'english' };
  }

  // Header.
  const columns = new Map<Field, number>();
  let chinese = 0;
  let english = 0;
  header.fields.forEach((cell, index) => {
    const key = normalizeHeader(cell);
    if (key === '') return;
    const field = ENGLISH_HEADERS[key] ?? CHINESE_HEADERS[key];
    if (!field) return;
    if (CHINESE_HEADERS[key]) chinese++;
    else english++;
    if (columns.has(field)) {
      const name = COLUMN_NAMES[field];
      errors.add(
        err(
          header.line,
          `Column "${name.en}" (${name.zh}) appears twice in the header; keep one.`,
          `表头中“${name.zh}”（${name.en}）列出现了两次，请只保留一列。`,
        ),
      );
      return;
    }
    columns.set(field, index);
  });
  const headerStyle: 'english' | 'chinese' = chinese > english ? 'chinese' : 'english';
  /** A column in the English message as the file's header names it (a Chinese template's 待搬家账号, with its English name). */
  const columnEn = (field: Field): string => (headerStyle === 'chinese' ? `"${COLUMN_NAMES[field].zh}" (${COLUMN_NAMES[field].en})` : `"${COLUMN_NAMES[field].en}"`);

  const missing = (['source', 'target'] as const).filter((f) => !columns.has(f));
  if (missing.length) {
    const looksLikeData = header.fields.some((c) => c.includes('@'));
    // Excel in many locales saves "CSV" with semicolons, and some tools export tabs.
    const separator = header.fields.length === 1 ? (/;/.test(header.fields[0] ?? '') ? 'semicolons' : /\t/.test(header.fields[0] ?? '') ? 'tabs' : null) : null;
    // Plain logins (bob,secret,bob,secret) have no '@' to give data away: a first row without a
    // single column name is still most likely an account.
    const noneNamed = columns.size === 0 && !looksLikeData && !separator;
    for (const field of missing) {
      const name = COLUMN_NAMES[field];
      const shown = headerStyle === 'chinese' ? name.zh : name.en;
      const other = headerStyle === 'chinese' ? name.en : name.zh;
      errors.add(
        err(
          header.line,
          `Missing required column "${shown}" (also accepted: "${other}").` +
            (looksLikeData ? ' The first row looks like data; add a header row above it.' : '') +
            (separator ? ` The header reads as one column: the file separates its values with ${separator}; save it as CSV with commas (Excel: "CSV UTF-8 (Comma delimited)").` : '') +
            (noneNamed ? ' No cell of the first row is a column name: if it holds an account, add a header row above it.' : ''),
          `缺少必填列“${name.zh}”（也可写作 “${name.en}”）。` +
            (looksLikeData ? '第一行看起来是数据，请在其上方加一行表头。' : '') +
            (separator ? `表头被读成了一列：该文件用${separator === 'tabs' ? '制表符' : '分号'}分隔各值；请另存为以逗号分隔的 CSV（Excel：“CSV UTF-8（逗号分隔）”）。` : '') +
            (noneNamed ? '第一行没有一个单元格是列名：如果它是账号数据，请在其上方加一行表头。' : ''),
        ),
      );
    }
    return { rows, errors: errors.list(), encoding, headerStyle };
  }

  // Columns the rows must have: up to the last non-empty header cell.
  let width = header.fields.length;
  while (width > 0 && (header.fields[width - 1] ?? '') === '') width--;

  const data = nonBlank.slice(1);
  const bySource = new Map<string, number>();
  const byTarget = new Map<string, number>();
  data.forEach((rec, index) => {
    if (index === maxRows) {
      errors.add(
        err(
          rec.line,
          `The file has ${data.length} account rows; at most ${maxRows} can be imported at once. Move the rows from this one on out of this file: put them in a second file and migrate that file as well.`,
          `文件共有 ${data.length} 行账号数据，一次最多只能导入 ${maxRows} 条。请把从此行起的数据移出本文件：放到第二个文件中，再对该文件进行搬家。`,
        ),
      );
    }
    if (index >= maxRows) return;

    const f = rec.fields;
    const extraFilled = f.slice(width).some((c) => c !== '');
    if (f.length < width || extraFilled) {
      errors.add(
        err(
          rec.line,
          `Expected ${width} columns like the header, found ${f.length}. If a value contains a comma, put it in double quotes.`,
          `应与表头一样有 ${width} 列，实际为 ${f.length} 列。如果某个值包含逗号，请用英文双引号把它括起来。`,
        ),
      );
      return;
    }
    const cell = (field: Field): string | undefined => {
      const i = columns.get(field);
      return i === undefined ? undefined : f[i];
    };
    const optional = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
    const parsed = RowSchema.safeParse({
      source: cell('source') ?? '',
      target: cell('target') ?? '',
      sourcePassword: optional(cell('sourcePassword')),
      targetPassword: optional(cell('targetPassword')),
    });
    if (!parsed.success) {
      const reported = new Set<Field>();
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as Field;
        if (reported.has(field)) continue; // '' fails both "required" and the format: say it once
        reported.add(field);
        const name = COLUMN_NAMES[field];
        if (issue.message === 'required') {
          errors.add(err(rec.line, `The ${columnEn(field)} address is empty; it is required.`, `“${name.zh}”为空，此列必填。`));
        } else if (issue.message === 'invisible') {
          const code = invisibleIn(cell(field) ?? '');
          errors.add(
            err(
              rec.line,
              `The ${columnEn(field)} address contains an invisible character (${code}), often pasted along from a web page or chat; delete the address and type it again.`,
              `“${name.zh}”中含有不可见字符（${code}），通常是从网页或聊天记录中粘贴带入的；请删除该地址后重新输入。`,
            ),
          );
        } else if (issue.message === 'full-width') {
          // Refused, not converted: the file is the admin's record of who moves where, and a
          // silent fix would migrate an address the file does not show.
          const e = fullWidthMessage(cell(field) ?? '', { en: `The ${columnEn(field)} address`, zh: `“${name.zh}”` })!;
          errors.add(err(rec.line, e.en, e.zh));
        } else if (issue.message === 'login') {
          errors.add(
            err(
              rec.line,
              `The ${columnEn(field)} value is neither an email address (name@domain) nor a login: a login without "@" has only the letters A-Z and a-z, digits, ".", "_" and "-", and no spaces.`,
              `“${name.zh}”既不是邮箱地址（名称@域名），也不是有效的登录名：不含 @ 的登录名只能由英文字母、数字及“.”“_”“-”组成，不能有空格。`,
            ),
          );
        } else {
          errors.add(
            err(
              rec.line,
              `The ${columnEn(field)} value is not a valid email address (expected name@domain).`,
              `“${name.zh}”不是有效的邮箱地址（应为 名称@域名 的形式）。`,
            ),
          );
        }
      }
      // The row's other problems (the import mode's: a missing password) in the same pass.
      const invalid = new Set([...reported].filter((f): f is 'source' | 'target' => f === 'source' || f === 'target'));
      const raw: AccountRow = { line: rec.line, source: cell('source') ?? '', target: cell('target') ?? '' };
      const sp = optional(cell('sourcePassword'));
      const tp = optional(cell('targetPassword'));
      if (sp !== undefined) raw.sourcePassword = sp;
      if (tp !== undefined) raw.targetPassword = tp;
      for (const e of opts.rowCheck?.(raw, { invalid }) ?? []) errors.add(err(rec.line, e.message, e.messageZh));
      return;
    }
    const row = parsed.data;
    const srcKey = addressKey(row.source);
    const tgtKey = addressKey(row.target);
    const firstSource = bySource.get(srcKey);
    const firstTarget = byTarget.get(tgtKey);
    const duplicate = duplicateError(firstSource, firstTarget);
    if (duplicate) {
      errors.add(err(rec.line, duplicate.message, duplicate.messageZh));
      return;
    }
    bySource.set(srcKey, rec.line);
    byTarget.set(tgtKey, rec.line);
    const out: AccountRow = { line: rec.line, source: row.source, target: row.target };
    if (row.sourcePassword !== undefined) out.sourcePassword = row.sourcePassword;
    if (row.targetPassword !== undefined) out.targetPassword = row.targetPassword;
    rows.push(out);
    for (const e of opts.rowCheck?.(out, { invalid: new Set() }) ?? []) errors.add(err(out.line, e.message, e.messageZh));
  });

  return { rows, errors: errors.list(), encoding, headerStyle };
}
