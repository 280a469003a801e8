// @vitest-environment jsdom
/**
 * A successful connection test's counts (walkthrough 33): "1 folder", "1 message" in English
 * (not "1 folders"), and no "oldest mail —" clause when the server gave no date.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionReport } from '../../shared/providers';
import { ConnectionResult } from '../../extension/dashboard/wizard/ConnectionResult';
import type { Locale } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';

afterEach(cleanup);

const folder = { path: 'INBOX', delimiter: '/', specialUse: null, flags: [], selectable: true, messages: 10, size: 19_150, uidValidity: '1', uidNext: 11 };
const report = (totals: { folders: number; messages: number; size: number | null; oldest: string | null }) =>
  ({ ok: true, tls: null, warnings: [], folders: [folder], totals: { ...totals, newest: totals.oldest }, checklist: [], error: null }) as unknown as ConnectionReport;

function show(locale: Locale, r: ConnectionReport) {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <ConnectionResult result={{ ok: true, error: null, folders: 1, ms: 12, report: r } as never} providerId="generic" stale={false} />
    </LocaleProvider>,
  );
  return screen.getByTestId('test-result');
}

describe('a successful connection test', () => {
  it('says "1 folder" and "1 message" in the singular', () => {
    const el = show('en', report({ folders: 1, messages: 1, size: 2048, oldest: null }));
    expect(el.querySelector('summary')!.textContent).toBe('1 folder');
    expect(el.textContent).toContain('1 folder, 1 message, 2.0 KB.');
    expect(el.textContent).not.toMatch(/1 folders|1 messages/);
  });

  it('keeps the plural for other counts, and the oldest mail when there is a date', () => {
    const el = show('en', report({ folders: 3, messages: 10, size: 19_150, oldest: '2024-03-01T08:00:00.000Z' }));
    expect(el.textContent).toContain('3 folders, 10 messages, ');
    expect(el.textContent).toMatch(/; oldest mail \S/);
    expect(el.textContent).not.toContain('oldest mail —');
  });

  it('leaves out the oldest-mail clause when there is no date, in both languages', () => {
    expect(show('en', report({ folders: 1, messages: 10, size: 19_150, oldest: null })).textContent).not.toContain('oldest mail');
    cleanup();
    const zh = show('zh-CN', report({ folders: 1, messages: 10, size: 19_150, oldest: null })).textContent!;
    expect(zh).toContain('1 个文件夹，10 封邮件，');
    expect(zh).not.toContain('最早的邮件');
  });
});
