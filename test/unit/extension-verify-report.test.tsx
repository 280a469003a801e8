// @vitest-environment jsdom
/**
 * The printable 搬家核验报告 (issue 18): per account and folder the counts, the differences
 * (first entries) and the time of the check, in the admin's language; its route from the
 * monitor; the print CSS that leaves the app's chrome out of the PDF.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { VerifySummarySchema, type VerifySummary } from '../../shared/verify';
import { VerifyReport } from '../../extension/dashboard/report/VerifyReport';
import { parseRoute } from '../../extension/dashboard/use-hash-route';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { formatDateTime } from '../../extension/lib/format';

afterEach(cleanup);

const differences: VerifySummary = VerifySummarySchema.parse({
  status: 'differences',
  depth: 'deep',
  checkedAt: '2026-12-04T10:00:00.000Z',
  totals: { matched: 40, missing: 22, extra: 1, changed: 1, skipped: 0, elsewhere: 2 },
  foldersWithDifferences: 1,
  folderCounts: [
    { source: 'INBOX', target: 'INBOX', sourceCount: 63, targetCount: 42, matched: 40, elsewhereCount: 2 },
    { source: 'Sent', target: 'Sent Items', sourceCount: 3, targetCount: 3, matched: 3 },
  ],
  folderTotal: 2,
  folders: [
    {
      source: 'INBOX',
      target: 'INBOX',
      sourceCount: 63,
      targetCount: 42,
      matched: 40,
      missing: Array.from({ length: 20 }, (_, i) => ({ uid: i + 1, messageId: `<m${i}@x>`, subject: `季度报告 ${i}`, date: '2025-01-01T00:00:00.000Z', size: 100 })),
      extra: [{ uid: 900, messageId: '<w@x>', subject: null, date: null, size: 50 }],
      changed: [{ uid: 30, targetUid: 31, what: ['body', 'flags'] }],
      elsewhere: [
        { uid: 41, messageId: '<f1@x>', subject: '合同', date: null, size: 80, targetFolder: '归档', targetUid: 7 },
        { uid: 42, messageId: '<f2@x>', subject: 'Invoice', date: null, size: 90, targetFolder: 'Archive/2025', targetUid: 12 },
      ],
      missingCount: 22,
      extraCount: 1,
      changedCount: 1,
      elsewhereCount: 2,
    },
  ],
});
const verified: VerifySummary = { ...differences, status: 'verified', depth: 'metadata', checkedAt: '2026-12-04T09:00:00.000Z', totals: { matched: 66, missing: 0, extra: 0, changed: 0, skipped: 0, elsewhere: 0 }, foldersWithDifferences: 0, folderCounts: [{ source: 'INBOX', target: 'INBOX', sourceCount: 60, targetCount: 60, matched: 60, elsewhereCount: 0 }, { source: 'Projects/2024', target: 'Projects/2024', sourceCount: 6, targetCount: 6, matched: 6, elsewhereCount: 0 }], folderTotal: 3, folders: [] };

const accounts = [
  { id: 'acc_b', source: 'ben@old.example.com', target: 'ben@new.example.com', verify: differences },
  { id: 'acc_a', source: 'amy@old.example.com', target: 'amy@new.example.com', verify: verified },
  { id: 'acc_c', source: 'cat@old.example.com', target: 'cat@new.example.com', verify: null },
];
const job = { id: 'job_1', name: '总部邮箱搬家' };
const generatedAt = '2026-12-04T12:00:00.000Z';

const inLocale = (locale: Locale) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      <VerifyReport job={job} accounts={accounts} generatedAt={generatedAt} />
    </LocaleProvider>,
  );

describe('搬家核验报告 (printable verify report)', () => {
  it('in Chinese: title, summary, per account result and time, per folder counts and the differences', () => {
    inLocale('zh-CN');
    const report = screen.getByTestId('verify-report');
    expect(report.querySelector('h1')!.textContent).toBe('搬家核验报告');
    expect(report.textContent).toContain('任务：总部邮箱搬家');
    expect(report.textContent).toContain(formatDateTime(generatedAt, 'zh-CN'));
    expect(screen.getByTestId('verify-report-summary').textContent).toBe('共 3 个账号：1 个已核验，1 个有差异，0 个核验失败，1 个尚未核验。');
    // Overview, sorted by address: result and time of the check per account.
    const rows = screen.getAllByTestId('verify-report-row');
    expect(rows.map((r) => r.getAttribute('data-account'))).toEqual(['amy@old.example.com', 'ben@old.example.com', 'cat@old.example.com']);
    expect(rows[0]!.textContent).toContain('已核验');
    // The overview's column of the copies found in another folder of the new mailbox.
    const heads = Array.from(screen.getByTestId('verify-report-overview').querySelectorAll('th'), (th) => th.textContent);
    const elsewhereColumn = heads.indexOf('在其他文件夹');
    expect(elsewhereColumn).toBeGreaterThan(0);
    expect(rows[1]!.querySelectorAll('td')[elsewhereColumn]!.textContent).toBe('2');
    expect(rows[0]!.querySelectorAll('td')[elsewhereColumn]!.textContent).toBe('0');
    expect(rows[0]!.textContent).toContain(formatDateTime(verified.checkedAt, 'zh-CN'));
    expect(rows[1]!.textContent).toContain('有差异');
    expect(rows[2]!.textContent).toContain('尚未核验');
    // Ben: the folder's counts, then the missing (first 20 and how many more), extra and changed.
    const ben = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === 'ben@old.example.com')!;
    expect(ben.textContent).toContain('深度');
    // Every folder's counts, the clean one too.
    const cells = (row: Element) => Array.from(row.querySelectorAll('td')).map((td) => td.textContent);
    expect(within(ben).getAllByTestId('verify-report-folder').map(cells)).toEqual([
      ['INBOX', '63', '42', '40', '22', '1', '1', '2'],
      ['Sent → Sent Items', '3', '3', '3', '0', '0', '0', '0'],
    ]);
    expect(within(ben).getByTestId('verify-report-elsewhere-total').textContent).toBe('2 封在新邮箱的其他文件夹中（复制后被移入；不算缺失）。');
    const elsewhere = within(ben).getByTestId('verify-report-elsewhere');
    expect(Array.from(elsewhere.querySelectorAll('li')).map((li) => li.textContent)).toEqual(['UID 41 · 合同 · <f1@x> → 归档（UID 7）', 'UID 42 · Invoice · <f2@x> → Archive/2025（UID 12）']);
    expect(elsewhere.previousElementSibling!.textContent).toBe('在新邮箱的其他文件夹中（复制后被移入；不算缺失）：2');
    const missing = within(ben).getByTestId('verify-report-missing').querySelectorAll('li');
    expect(missing).toHaveLength(21);
    expect(missing[0]!.textContent).toContain('UID 1 · 季度报告 0');
    expect(missing[20]!.textContent).toContain('2');
    expect(within(ben).getByTestId('verify-report-extra').textContent).toContain('UID 900 · （无主题）');
    expect(within(ben).getByTestId('verify-report-changed').textContent).toBe('UID 30 → 31：内容、标记');
    const amy = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === 'amy@old.example.com')!;
    expect(amy.textContent).toContain('所有文件夹均一致');
    expect(within(amy).getAllByTestId('verify-report-folder').map((r) => r.getAttribute('data-folder'))).toEqual(['INBOX', 'Projects/2024']);
    expect(amy.textContent).toContain('另有 1 个文件夹未在此列出');
  });

  it('in English, the same report', () => {
    inLocale('en');
    expect(screen.getByTestId('verify-report').querySelector('h1')!.textContent).toBe('Migration verification report');
    expect(screen.getByTestId('verify-report-summary').textContent).toBe('3 accounts: 1 verified, 1 with differences, 0 check failed, 1 not checked yet.');
    const ben = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === 'ben@old.example.com')!;
    expect(ben.textContent).toContain('Differences');
    expect(ben.textContent).toContain(`Checked ${formatDateTime(differences.checkedAt, 'en')} (deep: bodies compared by SHA-256)`);
    expect(ben.textContent).toContain('40 matched, 22 missing, 1 extra, 1 changed');
    expect(within(ben).getByTestId('verify-report-extra').textContent).toContain('UID 900 · (no subject)');
    expect(within(ben).getByTestId('verify-report-changed').textContent).toBe('UID 30 → 31: content, flags');
    expect(within(ben).getByTestId('verify-report-elsewhere-total').textContent).toBe('2 found in another folder of the new mailbox (filed there since they were copied; not missing).');
    expect(within(ben).getByTestId('verify-report-elsewhere').textContent).toContain('UID 42 · Invoice · <f2@x> → Archive/2025 (UID 12)');
    expect(within(ben).getAllByTestId('verify-report-folder').map((r) => r.querySelectorAll('td')[7]!.textContent)).toEqual(['2', '0']);
    expect(within(ben).getByTestId('verify-report-missing').textContent).toContain('2 more: the full list is in the CLI report (verify --json).');
    const amy = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === 'amy@old.example.com')!;
    expect(amy.textContent).toContain('Every folder matched');
    expect(within(amy).getAllByTestId('verify-report-folder').map((r) => r.getAttribute('data-folder'))).toEqual(['INBOX', 'Projects/2024']);
  });

  it('an account whose migration failed or has not finished is "not migrated", not "not checked yet"', () => {
    const auth = { code: 'AUTH_FAILED' as const, message: 'Login failed for the source.', remedy: { en: 'Check the password.', zh: '请检查密码。' }, transient: false };
    const rows = [
      { id: 'acc_a', source: 'amy@old.example.com', target: 'amy@new.example.com', verify: verified, status: 'syncing' as const, firstPassDoneAt: '2026-12-04T08:00:00.000Z', error: null },
      { id: 'acc_d', source: 'dan@old.example.com', target: 'dan@new.example.com', verify: null, status: 'failed' as const, firstPassDoneAt: null, error: auth },
      { id: 'acc_e', source: 'eve@old.example.com', target: 'eve@new.example.com', verify: null, status: 'in_progress' as const, firstPassDoneAt: null, error: null },
      { id: 'acc_f', source: 'fay@old.example.com', target: 'fay@new.example.com', verify: null, status: 'syncing' as const, firstPassDoneAt: '2026-12-04T08:00:00.000Z', error: null },
    ];
    for (const locale of ['en', 'zh-CN'] as const) {
      render(
        <LocaleProvider initial={locale} persist={false}>
          <VerifyReport job={job} accounts={rows} generatedAt={generatedAt} />
        </LocaleProvider>,
      );
      const results = Object.fromEntries(screen.getAllByTestId('verify-report-row').map((r) => [r.getAttribute('data-account'), within(r).getByTestId('verify-report-result')]));
      expect(results['dan@old.example.com']!.dataset.standing).toBe('migration-failed');
      expect(results['eve@old.example.com']!.dataset.standing).toBe('not-migrated');
      expect(results['fay@old.example.com']!.dataset.standing).toBe('unchecked');
      if (locale === 'en') {
        expect(results['dan@old.example.com']!.textContent).toBe('Not migrated: the migration failed (AUTH_FAILED)');
        expect(results['eve@old.example.com']!.textContent).toBe('Not migrated yet (In progress)');
        expect(screen.getByTestId('verify-report-summary').textContent).toBe(
          '4 accounts: 1 verified, 0 with differences, 0 check failed, 1 not checked yet. Not migrated, so not checked: 1 failed, 1 not through their first copy yet.',
        );
      } else {
        expect(results['dan@old.example.com']!.textContent).toBe('未搬迁：搬家失败（AUTH_FAILED）');
        expect(screen.getByTestId('verify-report-summary').textContent).toContain('1 个搬家失败');
      }
      const dan = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === 'dan@old.example.com')!;
      expect(dan.textContent).not.toMatch(/Not checked yet|尚未核验/);
      cleanup();
    }
  });

  it('a summary stored before folder counts existed lists its folders with differences', () => {
    const { folderCounts: _c, folderTotal: _t, ...old } = differences;
    render(
      <LocaleProvider initial="en" persist={false}>
        <VerifyReport job={job} accounts={[{ id: 'acc_b', source: 'ben@old.example.com', target: 'ben@new.example.com', verify: old }]} generatedAt={generatedAt} />
      </LocaleProvider>,
    );
    expect(screen.getAllByTestId('verify-report-folder').map((r) => r.getAttribute('data-folder'))).toEqual(['INBOX']);
  });

  it('has a route of its own, and print CSS that hides the app around it', () => {
    expect(parseRoute('#/jobs/job_1/verify-report')).toEqual({ page: 'verifyReport', jobId: 'job_1' });
    expect(parseRoute('#/jobs/job_1')).toEqual({ page: 'job', jobId: 'job_1' });
    const css = readFileSync(join(process.cwd(), 'extension/styles/dashboard.css'), 'utf8');
    const print = css.slice(css.indexOf('@media print'));
    expect(print).toMatch(/\.topbar,[\s\S]*\.no-print[\s\S]*display: none/);
  });
});
