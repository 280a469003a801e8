import { errorMessage } from '../../shared/errors';
import type { AccountPhase, AccountView, ImportMode } from '../../shared/protocol/account';
import { ACCOUNT_STATUS_LABELS, VERIFY_STATUS_LABELS } from '../../shared/status-labels';
import type { RewriteKind, VerifyRewritten } from '../../shared/verify';
import { factsText } from '../../shared/warning-facts';

/** The language the admin reads the report in (the dashboard's): its header and its sentences. */
export type ReportLanguage = 'en' | 'zh-CN';

/**
 * The job's report as a CSV file for Excel (UTF-8 with BOM so Chinese shows right).
 * Cells that start with = + - @ (or a tab / carriage return) are prefixed with an
 * apostrophe: a spreadsheet would otherwise run them as a formula (CSV injection),
 * and addresses, folder names and server messages are all attacker-controlled text.
 * The full-width forms ＝ ＋ － ＠ count too: Excel with a CJK input locale turns them
 * into their ASCII forms when it reads the cell, so they start a formula just the same.
 */
const HEADER = [
  'source',
  'target',
  'mode',
  'status',
  'status_zh',
  'phase',
  'messages_total',
  'messages_copied',
  'messages_already_present',
  'messages_skipped',
  'bytes_copied',
  'messages_synced_since_first_pass',
  'error_code',
  'error_message',
  'remedy',
  'started_at',
  'first_pass_done_at',
  'last_sync_at',
  'sync_ends_at',
  'updated_at',
  // The last verify (核验): appended, so that the columns before keep their positions.
  'verify_status',
  'verify_status_zh',
  'verify_checked_at',
  'verify_depth',
  'verify_matched',
  'verify_missing',
  'verify_extra',
  'verify_changed',
  'verify_differences',
  // Appended after the differences for the same reason: not a difference, but where the copies are.
  'verify_elsewhere',
  'verify_elsewhere_list',
  // Appended too: what the passes and the verify found the target did otherwise than the source.
  'warnings_count',
  'warnings',
  'verify_rewritten',
];

/** The same columns named in Chinese, for a report in the admin's language. */
const HEADER_ZH: readonly string[] = [
  '原邮箱账号',
  '新邮箱账号',
  '导入方式',
  '状态代码',
  '状态',
  '阶段',
  '邮件总数',
  '已复制',
  '目标已有',
  '已跳过',
  '已复制字节',
  '首次搬家后同步',
  '错误代码',
  '错误说明',
  '处理建议',
  '开始时间',
  '首次搬家完成时间',
  '最近同步时间',
  '同步截止时间',
  '更新时间',
  '核验状态代码',
  '核验状态',
  '核验时间',
  '核验深度',
  '核验一致',
  '核验缺失',
  '核验多余',
  '核验改动',
  '核验差异',
  '核验在其他文件夹',
  '核验在其他文件夹明细',
  '警告数',
  '警告',
  '核验目标改写',
];

const MODE_ZH: Record<ImportMode, string> = {
  'admin-with-passwords': '管理员导入（已知密码）',
  'admin-without-passwords': '管理员导入（未知密码）',
  'self-service': '员工自助',
};

const PHASE_ZH: Record<AccountPhase, string> = {
  queued: '排队中',
  'waiting-retry': '等待重试',
  connecting: '连接中',
  discovering: '读取文件夹',
  'creating-folders': '创建文件夹',
  planning: '规划中',
  copying: '复制中',
  retrying: '重试中',
};

const DIFF_WORDS = {
  en: { missing: 'missing', extra: 'extra', changed: 'changed' },
  'zh-CN': { missing: '缺失', extra: '多余', changed: '改动' },
} as const;

/** What the error column says: the engine's text in English, the code's sentence in Chinese (the engine's is English). */
function errorText(a: AccountView, language: ReportLanguage): string | undefined {
  if (!a.error) return undefined;
  if (language === 'en') return a.error.message;
  if (a.status === 'password_needed') return '需要重新输入密码：保存密码后服务器设置已更改。';
  return errorMessage(a.error, 'zh');
}

/** The differences of a verify in one cell: per folder, the counts and the first UIDs (the CLI's --json has them all). */
function verifyDifferences(a: AccountView, language: ReportLanguage = 'en'): string {
  const v = a.verify;
  if (!v) return '';
  const w = DIFF_WORDS[language];
  const parts = v.folders.map((f) => {
    const uids = (label: string, n: number, list: Array<{ uid: number }>) => (n ? `${label} ${n}${list.length ? ` (UID ${list.map((m) => m.uid).join(' ')}${n > list.length ? ' …' : ''})` : ''}` : '');
    const what = [uids(w.missing, f.missingCount, f.missing), uids(w.extra, f.extraCount, f.extra), uids(w.changed, f.changedCount, f.changed), f.error ? `${f.error.code}` : ''].filter(Boolean).join(', ');
    return what ? `${f.source} -> ${f.target}: ${what}` : '';
  }).filter(Boolean);
  if (v.error) parts.unshift(`${v.error.code}: ${language === 'en' ? v.error.message : errorMessage(v.error, 'zh')}`);
  return parts.join('; ');
}

/**
 * Source messages found in another target folder than their own (filed there by the user on the
 * new mailbox): per folder, where each one is, e.g. `INBOX -> Archive UID 12 (source UID 3)`.
 */
function verifyElsewhere(a: AccountView, language: ReportLanguage): string {
  const sourceUid = language === 'en' ? 'source UID' : '原邮箱 UID';
  const v = a.verify;
  if (!v) return '';
  return v.folders
    .filter((f) => f.elsewhereCount > 0)
    .map((f) => {
      const listed = f.elsewhere.map((m) => `${m.targetFolder} UID ${m.targetUid} (${sourceUid} ${m.uid})`).join(' ');
      return `${f.source}: ${listed}${f.elsewhereCount > f.elsewhere.length ? ' …' : ''}`;
    })
    .join('; ');
}

/**
 * The warnings of the account's passes in one cell, each distinct one once: its code, the
 * sentence in the report's language, which folder, message or date (in Chinese its facts;
 * in English, and for a warning without facts, the engine's text), and in how many passes it
 * was reported.
 */
function warningsText(a: AccountView, language: ReportLanguage, date: (iso: string) => string): string {
  const warnings = a.warnings ?? [];
  const zh = language === 'zh-CN';
  const parts = warnings.map((w) => {
    const passes = w.passes > 1 ? (zh ? `（${w.passes} 次搬家报告）` : ` (reported by ${w.passes} passes)`) : '';
    // English keeps the engine's text: it also quotes the server's words (a refused folder name).
    const details = (zh && w.facts && factsText(w.facts, 'zh', date)) || w.message;
    return `${w.code}: ${errorMessage(w, zh ? 'zh' : 'en')} ${details}${passes}`;
  });
  if (a.warningsOmitted) parts.push(zh ? `另有 ${a.warningsOmitted} 条未列出` : `${a.warningsOmitted} more not listed`);
  return parts.join('; ');
}

const REWRITE_WORDS: Record<ReportLanguage, Record<RewriteKind, string>> = {
  en: { 'header-8bit': "8-bit header bytes stored as 'X'", nul: 'NUL bytes shown as 0x80', date: 'a date the target cannot store' },
  'zh-CN': { 'header-8bit': '邮件头中的 8 位字节被替换为 X', nul: 'NUL 字节被显示为 0x80 字节', date: '新邮箱无法保存的日期' },
};

/** One rewritten copy in the report's language: a date the target could not keep names both dates. */
function rewriteText(r: VerifyRewritten, language: ReportLanguage, date: (iso: string) => string): string {
  if (r.sourceDate && r.targetDate) return language === 'en' ? `date ${date(r.sourceDate)} kept as ${date(r.targetDate)}` : `日期 ${date(r.sourceDate)} 被保存为 ${date(r.targetDate)}`;
  if (r.kinds?.length) return r.kinds.map((k) => REWRITE_WORDS[language][k]).join('; ');
  // Stored before the kinds were carried: the verify's own (English) words.
  return r.what;
}

/**
 * Copies the last verify found stored with a rewriting the target is known to impose (8-bit
 * header bytes, a date it cannot keep): not differences, but not byte for byte either.
 */
function verifyRewritten(a: AccountView, language: ReportLanguage, date: (iso: string) => string): string {
  const v = a.verify;
  if (!v) return '';
  const sourceUid = language === 'en' ? 'source UID' : '原邮箱 UID';
  return v.folders
    .filter((f) => f.rewrittenCount > 0)
    .map((f) => `${f.source}: ${f.rewritten.map((r) => `${sourceUid} ${r.uid} -> UID ${r.targetUid} (${rewriteText(r, language, date)})`).join(' ')}${f.rewrittenCount > f.rewritten.length ? ' …' : ''}`)
    .join('; ');
}

/**
 * Times. The stored ones are UTC ISO strings ("2026-12-07T09:02:32Z"); an admin in Beijing read
 * them in Excel as 09:02, eight hours off, since Excel shows such a string as it is. So a time
 * cell is the wall-clock time of the bridge's machine (the admin's, as the bridge runs beside
 * the browser), written "2026-12-07 17:02:32", which Excel reads as a date and time it can sort
 * and filter, and the column's name says its UTC offset: "started_at (UTC+08:00)". Excel reads
 * no offset inside a cell, so the offset goes in the header. Only when the report's times
 * fall on both sides of a daylight-saving change does each cell carry its own offset
 * ("2026-03-29 09:00:00 +02:00", text to Excel, but never an hour off) and the header the zone's
 * name. Dates inside sentences (a message's date in a warning) are written the same way, with
 * their offset.
 */
export interface ReportTimeOptions {
  /** IANA zone; the bridge machine's (TZ, or the system's) when not given. */
  timeZone?: string;
}

const bridgeTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const LOCAL_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** `iso` as the wall-clock time in `timeZone` ("2026-12-07 17:02:32") and that zone's UTC offset then ("+08:00"); null if it is no time. */
function localTime(iso: string, timeZone: string): { text: string; offset: string } | null {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return null;
  let format = LOCAL_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    LOCAL_FORMATS.set(timeZone, format);
  }
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const p of format.formatToParts(t)) part[p.type] = p.value;
  // longOffset is "GMT+08:00", or "GMT" alone at offset zero.
  const offset = (part.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return { text: `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`, offset };
}

/** A time inside a sentence: local, with its offset, since no column header says it. */
function inlineTime(timeZone: string): (iso: string) => string {
  return (iso) => {
    const t = localTime(iso, timeZone);
    return t ? `${t.text} ${t.offset}` : iso;
  };
}

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function escapeCsvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** The time columns, by their index in HEADER / HEADER_ZH. */
const TIME_COLUMNS: ReadonlySet<number> = new Set(['started_at', 'first_pass_done_at', 'last_sync_at', 'sync_ends_at', 'updated_at', 'verify_checked_at'].map((name) => HEADER.indexOf(name)));

/**
 * `language`: 'en' (the default, as before: the engine's message and the English remedy) or
 * 'zh-CN' (Chinese column names, the error worded from its code, the Chinese remedy, mode and
 * phase in words). Status and verify status keep their code columns in both. Times: see
 * localTime; `opts.timeZone` is the bridge machine's unless given.
 */
export function reportCsv(accounts: readonly AccountView[], language: ReportLanguage = 'en', opts: ReportTimeOptions = {}): string {
  const zh = language === 'zh-CN';
  const timeZone = opts.timeZone ?? bridgeTimeZone();
  const date = inlineTime(timeZone);
  const rows = accounts.map((a) => {
    const c = a.counters;
    return [
      a.source,
      a.target,
      zh ? MODE_ZH[a.mode] : a.mode,
      a.status,
      ACCOUNT_STATUS_LABELS[a.status].zh,
      zh && a.phase ? PHASE_ZH[a.phase] : a.phase,
      c.messagesTotal,
      c.messagesCopied,
      c.messagesAlreadyPresent,
      c.messagesSkipped,
      c.bytesCopied,
      c.messagesSyncedSinceFirstPass,
      a.error?.code,
      errorText(a, language),
      zh ? a.error?.remedy.zh : a.error?.remedy.en,
      a.startedAt,
      a.firstPassDoneAt,
      a.lastSyncAt,
      a.syncEndsAt,
      a.updatedAt,
      a.verify?.status,
      a.verify ? VERIFY_STATUS_LABELS[a.verify.status].zh : null,
      a.verify?.checkedAt,
      a.verify?.depth,
      a.verify?.totals.matched,
      a.verify?.totals.missing,
      a.verify?.totals.extra,
      a.verify?.totals.changed,
      verifyDifferences(a, language),
      a.verify?.totals.elsewhere,
      verifyElsewhere(a, language),
      (a.warnings ?? []).length + (a.warningsOmitted ?? 0),
      warningsText(a, language, date),
      verifyRewritten(a, language, date),
    ].map((value, i) => (TIME_COLUMNS.has(i) && typeof value === 'string' ? (localTime(value, timeZone) ?? value) : value));
  });
  const offsets = new Set(rows.flatMap((r) => r.flatMap((v) => (typeof v === 'object' && v !== null ? [v.offset] : []))));
  const oneOffset = offsets.size <= 1;
  // With no time in the report, the header still says the zone the times would be in.
  const zone = oneOffset ? `UTC${[...offsets][0] ?? localTime(new Date().toISOString(), timeZone)?.offset ?? '+00:00'}` : timeZone;
  const header = (zh ? HEADER_ZH : HEADER).map((name, i) => (TIME_COLUMNS.has(i) ? (zh ? `${name}（${zone}）` : `${name} (${zone})`) : name));
  const lines = [header.map(escapeCsvCell).join(',')];
  for (const r of rows) {
    lines.push(r.map((v) => escapeCsvCell(typeof v === 'object' && v !== null ? (oneOffset ? v.text : `${v.text} ${v.offset}`) : v)).join(','));
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** The report's file name, dated by the bridge machine's calendar like the times inside it. */
export function reportFilename(jobName: string, now = new Date(), opts: ReportTimeOptions = {}): string {
  const safe = jobName.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'job';
  const day = localTime(now.toISOString(), opts.timeZone ?? bridgeTimeZone())?.text.slice(0, 10) ?? now.toISOString().slice(0, 10);
  return `mailmover-report-${safe}-${day}.csv`;
}
