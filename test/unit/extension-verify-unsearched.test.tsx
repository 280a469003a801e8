// @vitest-environment jsdom
/**
 * A verify that could not search some target folders for the missing messages' copies (the
 * target refused to open or read them) says so in the account drawer and the printable report,
 * in both languages, beside the missing messages: a copy filed in one of those folders is counted
 * missing. The field travels from verify's account report through the stored summary and the
 * account view; a summary stored before it was carried shows as before.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountViewSchema } from '../../shared/protocol/account';
import { VERIFY_VIEW_FOLDER_CAP, VerifySummarySchema, verifySummary, type VerifyAccount, type VerifySummary } from '../../shared/verify';
import { VerifyDetails } from '../../extension/dashboard/monitor/VerifyDetails';
import { VerifyReport } from '../../extension/dashboard/report/VerifyReport';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { makeAccount } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({ bridgeRequest: vi.fn(async () => ({ results: [] })) });

afterEach(cleanup);

const REFUSED = 'the server answered NO: "Permission denied"';
const LOST = 'The connection to the new mailbox was lost (ECONNRESET).';

const account: VerifyAccount = {
  source: 'zhang@old.example',
  target: 'zhang@new.example',
  status: 'differences',
  depth: 'metadata',
  checkedAt: '2026-12-07T09:00:00.000Z',
  totals: { matched: 10, missing: 2, extra: 0, changed: 0, skipped: 0, elsewhere: 0 },
  folders: [
    {
      source: 'INBOX',
      target: 'INBOX',
      sourceCount: 12,
      targetCount: 10,
      matched: 10,
      missing: [
        { uid: 7, messageId: '<a@x>', subject: '合同', date: null, size: 10 },
        { uid: 8, messageId: '<b@x>', subject: 'Invoice', date: null, size: 10 },
      ],
      extra: [],
      changed: [],
      skipped: [],
      rewritten: [],
      elsewhere: [],
      outOfScope: 0,
    },
  ],
  unsearched: [
    { folder: '项目/2024', reason: REFUSED },
    { folder: 'Shared/Sales', reason: LOST },
  ],
};

/** The summary as the extension gets it: made by the bridge, sent in an account view, parsed at the boundary. */
function received(a: VerifyAccount): VerifySummary {
  const wire = JSON.parse(JSON.stringify(makeAccount({ status: 'first_pass_done', verify: verifySummary(a) })));
  return AccountViewSchema.parse(wire).verify!;
}

const inLocale = (locale: Locale, ui: React.ReactNode) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      {ui}
    </LocaleProvider>,
  );

const EXPECTED = {
  en: [
    `Target folder “项目/2024” could not be searched for the missing messages (${REFUSED}): a copy filed there counts as missing.`,
    `Target folder “Shared/Sales” could not be searched for the missing messages (${LOST}): a copy filed there counts as missing.`,
  ],
  'zh-CN': [
    `新邮箱的文件夹“项目/2024”无法读取，未在其中查找缺失的邮件（${REFUSED}）：存放在该文件夹中的副本按缺失计算。`,
    `新邮箱的文件夹“Shared/Sales”无法读取，未在其中查找缺失的邮件（${LOST}）：存放在该文件夹中的副本按缺失计算。`,
  ],
} as const;

const items = (testId: string) => Array.from(screen.getByTestId(testId).querySelectorAll('li'), (li) => li.textContent);

describe('target folders verify could not search', () => {
  it('are kept from the account report through the stored summary and the account view', () => {
    const v = received(account);
    expect(v.unsearched).toEqual(account.unsearched);
    // The bridge keeps the summary as JSON and reads it back with the same schema.
    expect(VerifySummarySchema.parse(JSON.parse(JSON.stringify(v))).unsearched).toEqual(account.unsearched);
  });

  it.each(['en', 'zh-CN'] as const)('drawer (%s): each folder with its reason, before the missing messages', (locale) => {
    inLocale(locale, <VerifyDetails verify={received(account)} />);
    expect(items('verify-unsearched')).toEqual(EXPECTED[locale]);
    const note = screen.getByTestId('verify-unsearched');
    const missing = screen.getByTestId('verify-missing');
    // It qualifies the missing list, so it comes first.
    expect(note.compareDocumentPosition(missing) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it.each(['en', 'zh-CN'] as const)('printable report (%s): each folder with its reason, before the missing messages', (locale) => {
    inLocale(locale, <VerifyReport job={{ id: 'job_1', name: 'HQ' }} accounts={[{ id: 'acc_1', source: account.source, target: account.target, verify: received(account) }]} generatedAt="2026-12-07T10:00:00.000Z" />);
    expect(items('verify-report-unsearched')).toEqual(EXPECTED[locale]);
    const note = screen.getByTestId('verify-report-unsearched');
    expect(note.compareDocumentPosition(screen.getByTestId('verify-report-missing')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('a summary stored before the field was carried, or a verify that read every folder, shows no such note', () => {
    const { unsearched: _, ...readAll } = account;
    const stored = received(readAll);
    expect(stored.unsearched).toBeUndefined();
    inLocale('en', <VerifyDetails verify={stored} />);
    expect(screen.queryByTestId('verify-unsearched')).toBeNull();
    expect(screen.getByTestId('verify-missing')).toBeTruthy();
    cleanup();
    inLocale('zh-CN', <VerifyReport job={{ id: 'job_1', name: 'HQ' }} accounts={[{ id: 'acc_1', source: account.source, target: account.target, verify: stored }]} generatedAt="2026-12-07T10:00:00.000Z" />);
    expect(screen.queryByTestId('verify-report-unsearched')).toBeNull();
  });

  it('many unreadable folders: the summary keeps the first ones and says how many more', () => {
    const many = Array.from({ length: VERIFY_VIEW_FOLDER_CAP + 3 }, (_, i) => ({ folder: `Shared/${i}`, reason: REFUSED }));
    const v = received({ ...account, unsearched: many });
    expect(v.unsearched).toHaveLength(VERIFY_VIEW_FOLDER_CAP);
    expect(v.unsearchedCount).toBe(VERIFY_VIEW_FOLDER_CAP + 3);
    inLocale('zh-CN', <VerifyDetails verify={v} />);
    const shown = items('verify-unsearched');
    expect(shown).toHaveLength(VERIFY_VIEW_FOLDER_CAP + 1);
    expect(shown.at(-1)).toBe('另有 3 个文件夹：完整列表见命令行报告（verify --json）。');
    cleanup();
    inLocale('en', <VerifyDetails verify={v} />);
    expect(items('verify-unsearched').at(-1)).toBe('3 more folders: the full list is in the CLI report (verify --json).');
  });
});
