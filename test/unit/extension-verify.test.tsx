// @vitest-environment jsdom
/**
 * The monitor's verify badge (已核验 / 有差异) and the drawer's 核验 section, in both languages,
 * from an account view as the bridge sends it after its check.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VerifySummarySchema, type VerifySummary } from '../../shared/verify';
import { VerifyBadge } from '../../extension/dashboard/monitor/VerifyBadge';
import { VerifyDetails } from '../../extension/dashboard/monitor/VerifyDetails';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { stubPageClient } from './extension-doubles';

afterEach(cleanup);

const sent: Array<{ type: string; params: unknown }> = [];
let reply: { results: Array<{ accountId: string; ok: boolean; status: string; reason?: string }> } = { results: [] };
stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return reply;
  }),
});

const differences: VerifySummary = VerifySummarySchema.parse({
  status: 'differences',
  depth: 'metadata',
  checkedAt: '2026-12-04T10:00:00.000Z',
  totals: { matched: 40, missing: 25, extra: 1, changed: 1, skipped: 0 },
  folders: [
    {
      source: 'INBOX',
      target: 'INBOX',
      sourceCount: 66,
      targetCount: 42,
      matched: 40,
      missing: Array.from({ length: 20 }, (_, i) => ({ uid: i + 1, messageId: `<m${i}@x>`, subject: `季度报告 ${i}`, date: '2025-01-01T00:00:00.000Z', size: 100 })),
      extra: [{ uid: 900, messageId: '<w@x>', subject: null, date: null, size: 50 }],
      changed: [{ uid: 30, targetUid: 31, what: ['flags'] }],
      missingCount: 25,
      extraCount: 1,
      changedCount: 1,
    },
  ],
});
const verified: VerifySummary = { ...differences, status: 'verified', totals: { matched: 66, missing: 0, extra: 0, changed: 0, skipped: 0, elsewhere: 0 }, folders: [] };

const inLocale = (locale: Locale, ui: React.ReactNode) => render(<LocaleProvider initial={locale} persist={false}>{ui}</LocaleProvider>);

describe('verify in the monitor', () => {
  it('badge: 已核验 / 有差异 in Chinese, Verified / Differences in English, nothing before a check', () => {
    inLocale('zh-CN', <><VerifyBadge verify={verified} /><VerifyBadge verify={differences} /></>);
    const zh = screen.getAllByTestId('verify-badge');
    expect(zh.map((b) => b.textContent)).toEqual(['已核验', '有差异']);
    expect(zh[1]!.getAttribute('title')).toContain('缺失 25');
    cleanup();
    inLocale('en', <><VerifyBadge verify={differences} /><VerifyBadge verify={null} /></>);
    expect(screen.getAllByTestId('verify-badge').map((b) => b.textContent)).toEqual(['Differences']);
  });

  it('totals of thousands read with separators, in the drawer and the badge’s title', () => {
    const big: VerifySummary = { ...verified, totals: { ...verified.totals, matched: 3050 } };
    inLocale('en', <><VerifyDetails verify={big} /><VerifyBadge verify={big} /></>);
    expect(screen.getByTestId('verify-totals').textContent).toBe('3,050 matched, 0 missing, 0 extra, 0 changed');
    expect(screen.getAllByTestId('verify-badge').at(-1)!.getAttribute('title')).toContain('3,050 matched');
  });

  it('drawer: totals, the missing/extra/changed messages per folder, and how many more the CLI report has', () => {
    inLocale('en', <VerifyDetails verify={differences} />);
    expect(screen.getByTestId('verify-totals').textContent).toBe('40 matched, 25 missing, 1 extra, 1 changed');
    const folder = screen.getByTestId('verify-folder');
    const missing = within(folder).getByTestId('verify-missing').querySelectorAll('li');
    expect(missing).toHaveLength(21);
    expect(missing[0]!.textContent).toContain('UID 1 · 季度报告 0');
    expect(missing[20]!.textContent).toBe('5 more: the full list is in the CLI report (verify --json).');
    expect(within(folder).getByTestId('verify-extra').textContent).toContain('UID 900 · (no subject)');
    expect(within(folder).getByTestId('verify-changed').textContent).toBe('UID 30 → 31: flags');
    cleanup();
    inLocale('zh-CN', <VerifyDetails verify={differences} />);
    expect(screen.getByTestId('verify-totals').textContent).toBe('一致 40，缺失 25，多出 1，改动 1');
    // The depth is Chinese text: in full-width brackets, as Chinese takes them.
    expect(screen.getByTestId('verify-details').textContent).toContain('（元数据：邮件头、大小、标记、日期）');
    expect(screen.getByTestId('verify-changed').textContent).toBe('UID 30 → 31：标记');
    cleanup();
    inLocale('zh-CN', <VerifyDetails verify={undefined} />);
    expect(screen.getByTestId('verify-details').textContent).toContain('首次搬家完成后');
    cleanup();
    // A metadata check of look-alike messages without a Message-ID says what else it may be.
    const ambiguous: VerifySummary = { ...differences, folders: differences.folders.map((f) => ({ ...f, changed: [{ uid: 30, targetUid: 31, what: ['flags'], ambiguous: true }] })) };
    inLocale('en', <VerifyDetails verify={ambiguous} />);
    expect(screen.getByTestId('verify-changed').textContent).toBe('UID 30 → 31: flags (or one message missing and another doubled: these messages have no Message-ID and look alike; a deep verify tells)');
    cleanup();
    inLocale('zh-CN', <VerifyDetails verify={ambiguous} />);
    expect(screen.getByTestId('verify-changed').textContent).toContain('深度核验可以确认');
  });

  it('drawer: 复制缺失邮件 / Copy the missing messages when something is missing, sent as account.fixMissing for the account', async () => {
    reply = { results: [{ accountId: 'acc_1', ok: true, status: 'done' }] };
    inLocale('en', <VerifyDetails verify={differences} fix={{ jobId: 'job_1', accountId: 'acc_1' }} />);
    const button = screen.getByTestId('verify-fix-missing');
    expect(button.textContent).toBe('Copy the missing messages');
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('verify-fix-message').textContent).toContain('Copying the missing messages'));
    expect(sent).toEqual([{ type: 'account.fixMissing', params: { jobId: 'job_1', accountIds: ['acc_1'] } }]);
    cleanup();
    reply = { results: [{ accountId: 'acc_1', ok: false, status: 'done', reason: 'the account is running a pass; try again when it ends' }] };
    inLocale('zh-CN', <VerifyDetails verify={differences} fix={{ jobId: 'job_1', accountId: 'acc_1' }} />);
    fireEvent.click(screen.getByTestId('verify-fix-missing'));
    expect(screen.getByTestId('verify-fix-missing').textContent).toBe('复制缺失邮件');
    // The bridge's English reason is worded in the UI's language (issue 15: no English engine text in zh-CN).
    await waitFor(() => expect(screen.getByTestId('verify-fix-message').textContent).toBe('无法执行：该账号正在搬家，请在本轮结束后再试。'));
    cleanup();
    // Nothing missing (only extra or changed, or verified): no button.
    inLocale('en', <VerifyDetails verify={verified} fix={{ jobId: 'job_1', accountId: 'acc_1' }} />);
    inLocale('en', <VerifyDetails verify={{ ...differences, totals: { ...differences.totals, missing: 0 } }} fix={{ jobId: 'job_1', accountId: 'acc_1' }} />);
    expect(screen.queryByTestId('verify-fix-missing')).toBeNull();
  });
});
