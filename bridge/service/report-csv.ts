import type { AccountView } from '../../shared/protocol/account';
import { ACCOUNT_STATUS_LABELS, VERIFY_STATUS_LABELS } from '../../shared/status-labels';

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
];

/** The differences of a verify in one cell: per folder, the counts and the first UIDs (the CLI's --json has them all). */
function verifyDifferences(a: AccountView): string {
  const v = a.verify;
  if (!v) return '';
  const parts = v.folders.map((f) => {
    const uids = (label: string, n: number, list: Array<{ uid: number }>) => (n ? `${label} ${n}${list.length ? ` (UID ${list.map((m) => m.uid).join(' ')}${n > list.length ? ' …' : ''})` : ''}` : '');
    const what = [uids('missing', f.missingCount, f.missing), uids('extra', f.extraCount, f.extra), uids('changed', f.changedCount, f.changed), f.error ? `${f.error.code}` : ''].filter(Boolean).join(', ');
    return `${f.source} -> ${f.target}: ${what}`;
  });
  if (v.error) parts.unshift(`${v.error.code}: ${v.error.message}`);
  return parts.join('; ');
}

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function escapeCsvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

export function reportCsv(accounts: readonly AccountView[]): string {
  const lines = [HEADER.join(',')];
  for (const a of accounts) {
    const c = a.counters;
    lines.push(
      [
        a.source,
        a.target,
        a.mode,
        a.status,
        ACCOUNT_STATUS_LABELS[a.status].zh,
        a.phase,
        c.messagesTotal,
        c.messagesCopied,
        c.messagesAlreadyPresent,
        c.messagesSkipped,
        c.bytesCopied,
        c.messagesSyncedSinceFirstPass,
        a.error?.code,
        a.error?.message,
        a.error?.remedy.en,
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
        verifyDifferences(a),
      ]
        .map(escapeCsvCell)
        .join(','),
    );
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

export function reportFilename(jobName: string, now = new Date()): string {
  const safe = jobName.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'job';
  return `mailmover-report-${safe}-${now.toISOString().slice(0, 10)}.csv`;
}
