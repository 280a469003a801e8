// @vitest-environment jsdom
/**
 * The warnings of an account's passes and the copies verify found rewritten by the new server,
 * where the admin looks: the account drawer, the monitor row's badge (with its tooltip), the
 * printable report and the report CSV, in Chinese and in English. The warnings are the engine's
 * own (stored-dates.ts, account-result.ts, and the FOLDER_RENAMED text target-folders.ts writes),
 * so the facts shown are read from what the engine really says.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen, within } from '@testing-library/react';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorInfoSchema, type ErrorInfo } from '../../shared/errors';
import { MAX_CHANGED_COPIES_NAMED } from '../../shared/warning-facts';
import type { AccountWarning } from '../../shared/protocol/account';
import { VerifySummarySchema, type VerifySummary } from '../../shared/verify';
import { changedDateWarnings } from '../../bridge/engine/stored-dates';
import { storedChangeWarnings } from '../../bridge/engine/account-result';
import type { FolderRun } from '../../bridge/engine/folder-run';
import { reportCsv } from '../../bridge/service/report-csv';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { formatDateTime } from '../../extension/lib/format';
import { makeAccount } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async (type: string) => (type === 'account.get' ? { account: null, folders: [] } : { items: [], total: 0 })),
  bridgeRequestRaw: vi.fn(async () => null),
});

const { DetailsDrawer } = await import('../../extension/dashboard/monitor/DetailsDrawer');
const { StatusTable } = await import('../../extension/dashboard/monitor/StatusTable');
const { VerifyReport } = await import('../../extension/dashboard/report/VerifyReport');

const SENT = new Date('1965-06-01T12:00:00.000Z');
const STORED = new Date('2101-07-08T18:28:16.000Z');
const [dateWarning] = changedDateWarnings([{ sourceFolder: 'INBOX', folder: 'INBOX', uid: 4, targetUid: 9, sent: SENT, stored: STORED }]);
const [changedWarning] = storedChangeWarnings([{ source: 'Projects', target: 'Projects', storedChanges: [{ uid: 3, targetUid: 5, what: '8-bit header bytes replaced' }] } as unknown as FolderRun]);
const renamedWarning: ErrorInfo = {
  code: 'FOLDER_RENAMED',
  message: 'The target refused the folder name "v1.2" ("[CANNOT] Invalid mailbox name"); its mail goes to "v1．2" instead.',
  facts: { kind: 'folder-renamed', from: 'v1.2', to: 'v1．2' },
};

const kept = (w: ErrorInfo, over: Partial<AccountWarning> = {}): AccountWarning => ({
  code: w.code,
  message: w.message,
  ...(w.side ? { side: w.side } : {}),
  ...(w.facts ? { facts: w.facts } : {}),
  passes: 1,
  firstAt: '2026-12-04T10:00:00.000Z',
  lastAt: '2026-12-04T10:00:00.000Z',
  latest: true,
  ...over,
});

const warnings = [kept(renamedWarning, { passes: 3 }), kept(dateWarning!), kept(changedWarning!, { latest: false })];

const verify: VerifySummary = VerifySummarySchema.parse({
  status: 'verified',
  depth: 'deep',
  checkedAt: '2026-12-04T11:00:00.000Z',
  totals: { matched: 12, missing: 0, extra: 0, changed: 0, skipped: 0, elsewhere: 0 },
  rewrittenTotal: 2,
  foldersWithDifferences: 1,
  folders: [
    {
      source: 'INBOX',
      target: 'INBOX',
      sourceCount: 12,
      targetCount: 12,
      matched: 12,
      missing: [],
      extra: [],
      changed: [],
      missingCount: 0,
      extraCount: 0,
      changedCount: 0,
      rewritten: [
        { uid: 3, targetUid: 5, what: "8-bit header bytes stored as 'X'", kinds: ['header-8bit'] },
        { uid: 4, targetUid: 9, what: 'date … (DATE_CHANGED)', kinds: ['date'], sourceDate: SENT.toISOString(), targetDate: STORED.toISOString() },
      ],
      rewrittenCount: 2,
    },
  ],
});

const account = makeAccount({ status: 'syncing', error: null, warnings, warningsOmitted: 0, verify, firstPassDoneAt: '2026-12-04T10:00:00.000Z' });
const clean = makeAccount({ id: 'acc_clean', source: 'li@old.example', target: 'li@new.example', status: 'syncing', error: null });

const inLocale = (locale: Locale, ui: React.ReactElement) => render(<LocaleProvider initial={locale} persist={false}>{ui}</LocaleProvider>);
const texts = (root: HTMLElement, testId: string) => within(root).getAllByTestId(testId).map((e) => e.textContent);

beforeAll(() => {
  installDb(openDb('warnings-test'));
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterEach(cleanup);

describe('the facts of the engine’s warnings', () => {
  it('travel with the warning as data, through the wire schema', () => {
    expect(dateWarning!.facts).toEqual({ kind: 'date-changed', message: 'UID 4', folder: 'INBOX', target: 'INBOX', targetUid: 9, sent: SENT.toISOString(), stored: STORED.toISOString() });
    expect(changedWarning!.facts).toEqual({ kind: 'message-changed', count: 1, from: 'Projects', to: 'Projects', copies: [{ message: 'UID 3', targetUid: 5 }] });
    for (const w of [dateWarning!, changedWarning!, renamedWarning]) expect(ErrorInfoSchema.parse(JSON.parse(JSON.stringify(w)))).toEqual(w);
  });

  it('a folder name with quotes and brackets stays whole, in Chinese too (the engine’s sentence quotes it)', () => {
    const odd = 'Reports ("2024") [old]';
    const [w] = storedChangeWarnings([{ source: odd, target: odd, storedChanges: [{ uid: 3, targetUid: 5, what: '8-bit header bytes replaced' }] } as unknown as FolderRun]);
    const { container } = inLocale('zh-CN', <DetailsDrawer account={makeAccount({ warnings: [kept(w!)], warningsOmitted: 0 })} onClose={() => {}} />);
    expect(texts(container, 'warnings-facts')).toEqual([`从 ${odd} 搬到 ${odd}，共 1 封：UID 3 → 5。`]);
  });

  it('many rewritten copies: the first twenty named, the count covers all', () => {
    const changes = Array.from({ length: 25 }, (_, i) => ({ uid: i + 1, targetUid: i + 101, what: '8-bit header bytes replaced' }));
    const [w] = storedChangeWarnings([{ source: 'INBOX', target: 'INBOX', storedChanges: changes } as unknown as FolderRun]);
    expect(w!.facts).toMatchObject({ kind: 'message-changed', count: 25 });
    expect(w!.facts?.kind === 'message-changed' && w!.facts.copies).toHaveLength(MAX_CHANGED_COPIES_NAMED);
    const { container } = inLocale('en', <DetailsDrawer account={makeAccount({ warnings: [kept(w!)], warningsOmitted: 0 })} onClose={() => {}} />);
    const [text] = texts(container, 'warnings-facts');
    expect(text).toContain('25 in all: UID 1 → 101, ');
    expect(text).toContain('UID 20 → 120 … (+5).');
    expect(text).not.toContain('UID 21 ');
  });
});

describe('the account drawer lists the warnings', () => {
  it('in Chinese: code, sentence, facts, passes and earlier ones; and the rewritten copies in its verify', async () => {
    const { container } = inLocale('zh-CN', <DetailsDrawer account={account} onClose={() => undefined} />);
    const list = screen.getByTestId('warnings');
    expect(list.querySelector('h3')!.textContent).toBe('警告');
    const items = within(list).getAllByTestId('warnings-item');
    expect(items.map((i) => i.getAttribute('data-code'))).toEqual(['FOLDER_RENAMED', 'DATE_CHANGED', 'MESSAGE_CHANGED']);
    expect(items[0]!.textContent).toContain('新邮箱中有文件夹改用了形近名称创建。');
    expect(texts(list, 'warnings-facts')).toEqual([
      '文件夹 v1.2 在新邮箱中为 v1．2。',
      `INBOX 中的 UID 4（新邮箱 INBOX 中 UID 9）：原日期 ${formatDateTime(SENT.toISOString(), 'zh-CN')}，新邮箱保存为 ${formatDateTime(STORED.toISOString(), 'zh-CN')}。`,
      '从 Projects 搬到 Projects，共 1 封：UID 3 → 5。',
    ]);
    expect(items[0]!.textContent).toContain('3 次搬家均有报告');
    expect(items[2]!.textContent).toContain('来自较早的搬家');
    // The engine's English sentence is not shown in Chinese.
    expect(container.textContent).not.toContain('The target refused');
    const v = screen.getByTestId('verify-details');
    expect(within(v).getByTestId('verify-rewritten-total').textContent).toBe('2 封按新邮箱的已知方式改写后保存（不算差异）。');
    expect(Array.from(within(v).getByTestId('verify-rewritten').querySelectorAll('li'), (li) => li.textContent)).toEqual([
      'UID 3 → 5：邮件头中的 8 位字节被替换为 X',
      `UID 4 → 9：日期 ${formatDateTime(SENT.toISOString(), 'zh-CN')} 被保存为 ${formatDateTime(STORED.toISOString(), 'zh-CN')}：新邮箱无法保存该日期`,
    ]);
  });

  it('in English, with the engine’s text for a warning it has no facts for', () => {
    const odd = kept({ code: 'THROTTLED', message: 'The server refused 2 of 4 parallel connections (connection limit); the migration went on with fewer.' });
    inLocale('en', <DetailsDrawer account={{ ...account, warnings: [...warnings, odd], warningsOmitted: 7 }} onClose={() => undefined} />);
    const list = screen.getByTestId('warnings');
    expect(list.querySelector('h3')!.textContent).toBe('Warnings');
    expect(texts(list, 'warnings-facts')[0]).toBe('Folder v1.2 is v1．2 in the new mailbox.');
    expect(texts(list, 'warnings-facts')[2]).toBe('Copied from Projects to Projects, 1 in all: UID 3 → 5.');
    const items = within(list).getAllByTestId('warnings-item');
    expect(items[0]!.textContent).toContain('A folder was created under a slightly different name in the new mailbox.');
    expect(items[0]!.textContent).toContain('reported by 3 passes');
    expect(items[3]!.textContent).toContain('The server refused 2 of 4 parallel connections');
    expect(list.textContent).toContain('7 more warnings not listed');
    expect(within(screen.getByTestId('verify-rewritten')).getAllByRole('listitem')[0]!.textContent).toBe("UID 3 → 5: 8-bit header bytes stored as X");
  });

  it('an include filter that matched no folder: in Chinese the filter, the folders to compare it with, and what to do', () => {
    const unmatched = kept({
      code: 'FOLDER_FILTER_UNMATCHED',
      side: 'source',
      message: 'The folder filter "Sent" (include) matches no folder of a@old.example: nothing was copied for it. Its folders are: INBOX, 已发送.',
      facts: { kind: 'filter-unmatched', glob: 'Sent', folders: ['INBOX', '已发送'], more: 0 },
    });
    const { container } = inLocale('zh-CN', <DetailsDrawer account={{ ...account, warnings: [unmatched] }} onClose={() => undefined} />);
    const item = within(screen.getByTestId('warnings')).getByTestId('warnings-item');
    expect(item.getAttribute('data-code')).toBe('FOLDER_FILTER_UNMATCHED');
    expect(item.textContent).toContain('一个文件夹筛选（包含）没有匹配到原邮箱的任何文件夹，因此没有搬迁任何内容。');
    expect(texts(screen.getByTestId('warnings'), 'warnings-facts')).toEqual(['筛选“Sent”与以下文件夹均不匹配：INBOX、已发送。']);
    expect(item.textContent).toContain('请对照随附列出的原邮箱文件夹名称检查该筛选');
    expect(container.textContent).not.toContain('disappeared');
  });

  it('says so when no pass reported one', () => {
    inLocale('en', <DetailsDrawer account={clean} onClose={() => undefined} />);
    expect(screen.getByTestId('warnings').textContent).toContain('No pass reported a warning.');
    expect(screen.queryAllByTestId('warnings-item')).toEqual([]);
  });
});

describe('the monitor marks accounts with warnings', () => {
  const table = (locale: Locale) =>
    inLocale(locale, <StatusTable rows={[account, clean]} selected={new Set()} onToggle={() => undefined} onToggleAll={() => undefined} onOpen={() => undefined} sort={{ key: 'account', dir: 'asc' }} onSort={() => undefined} />);

  it.each([
    ['zh-CN', '⚠ 3 条警告', '搬家报告了 3 条警告（FOLDER_RENAMED、DATE_CHANGED、MESSAGE_CHANGED）：邮件已搬到，但并非全部与原邮箱完全一致。打开账号详情查看。'],
    ['en', '⚠ 3 warnings', 'The passes reported 3 warnings (FOLDER_RENAMED, DATE_CHANGED, MESSAGE_CHANGED): the mail is copied, but not all exactly as on the old mailbox. Open the account for details.'],
  ] as const)('%s: a badge with the codes in its tooltip, on that row only', (locale, text, title) => {
    table(locale);
    const rows = screen.getAllByTestId('account-row');
    const warned = rows.find((r) => r.getAttribute('data-account') === account.source)!;
    const badge = within(warned).getByTestId('warnings-badge');
    expect(badge.textContent).toBe(text);
    expect(badge.getAttribute('title')).toBe(title);
    expect(within(rows.find((r) => r.getAttribute('data-account') === clean.source)!).queryByTestId('warnings-badge')).toBeNull();
  });
});

describe('the printable report', () => {
  const report = (locale: Locale) => inLocale(locale, <VerifyReport job={{ id: 'job_1', name: 'HQ' }} accounts={[account, clean]} generatedAt="2026-12-04T12:00:00.000Z" />);
  const row = (source: string) => screen.getAllByTestId('verify-report-row').find((r) => r.getAttribute('data-account') === source)!;

  it('in Chinese: warnings and rewritten columns, each account’s warnings and rewritten copies', () => {
    report('zh-CN');
    const head = Array.from(screen.getByTestId('verify-report-overview').querySelectorAll('th'), (th) => th.textContent);
    expect(head.slice(-2)).toEqual(['目标改写', '警告']);
    expect(Array.from(row(account.source).querySelectorAll('td'), (td) => td.textContent).slice(-2)).toEqual(['2', '3']);
    expect(Array.from(row(clean.source).querySelectorAll('td'), (td) => td.textContent).slice(-2)).toEqual(['—', '0']);
    const section = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === account.source)!;
    expect(within(section).getAllByTestId('verify-report-warnings-item').map((i) => i.getAttribute('data-code'))).toEqual(['FOLDER_RENAMED', 'DATE_CHANGED', 'MESSAGE_CHANGED']);
    expect(within(section).getByTestId('verify-report-rewritten-total').textContent).toBe('2 封按新邮箱的已知方式改写后保存（不算差异）。');
    expect(within(section).getByTestId('verify-report-rewritten').textContent).toContain('邮件头中的 8 位字节被替换为 X');
  });

  it('in English, the same', () => {
    report('en');
    const head = Array.from(screen.getByTestId('verify-report-overview').querySelectorAll('th'), (th) => th.textContent);
    expect(head.slice(-2)).toEqual(['Rewritten', 'Warnings']);
    const section = screen.getAllByTestId('verify-report-account').find((s) => s.getAttribute('data-account') === account.source)!;
    expect(within(section).getByTestId('verify-report-warnings').textContent).toContain('Folder v1.2 is v1．2 in the new mailbox.');
    expect(within(section).getByTestId('verify-report-rewritten').textContent).toContain(`date ${formatDateTime(SENT.toISOString(), 'en')} kept as ${formatDateTime(STORED.toISOString(), 'en')}`);
  });
});

describe('the report CSV', () => {
  // The bridge's machine in Beijing: the dates of a message are written in its time, with the offset.
  const rows = (language: 'en' | 'zh-CN') => parse(reportCsv([account, clean], language, { timeZone: 'Asia/Shanghai' }).replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>;
  const SENT_LOCAL = '1965-06-01 20:00:00 +08:00';
  const STORED_LOCAL = '2101-07-09 02:28:16 +08:00';

  it('in English: the count, each warning with its sentence and the engine’s text, and the rewritten copies', () => {
    const [a, c] = rows('en');
    expect(a!.warnings_count).toBe('3');
    expect((a!.warnings ?? '').match(/FOLDER_RENAMED:/g)).toHaveLength(1);
    expect(a!.warnings).toContain(`FOLDER_RENAMED: A folder was created under a slightly different name in the new mailbox. ${renamedWarning.message} (reported by 3 passes)`);
    expect(a!.warnings).toContain(`DATE_CHANGED: The new mailbox kept another date for a message. ${dateWarning!.message}`);
    expect(a!.verify_rewritten).toBe(`INBOX: source UID 3 -> UID 5 (8-bit header bytes stored as 'X') source UID 4 -> UID 9 (date ${SENT_LOCAL} kept as ${STORED_LOCAL})`);
    expect([c!.warnings_count, c!.warnings, c!.verify_rewritten]).toEqual(['0', '', '']);
  });

  it('in Chinese: the columns named in Chinese, the sentences in Chinese', () => {
    const [a] = rows('zh-CN');
    expect(a!['警告数']).toBe('3');
    expect(a!['警告']).toContain('FOLDER_RENAMED: 新邮箱中有文件夹改用了形近名称创建。');
    expect(a!['警告']).toContain('（3 次搬家报告）');
    // Which folder, message and date: the facts in Chinese, not the engine's English sentence.
    expect(a!['警告']).toContain('FOLDER_RENAMED: 新邮箱中有文件夹改用了形近名称创建。 文件夹 v1.2 在新邮箱中为 v1．2。（3 次搬家报告）');
    expect(a!['警告']).toContain(`INBOX 中的 UID 4（新邮箱 INBOX 中 UID 9）：原日期 ${SENT_LOCAL}，新邮箱保存为 ${STORED_LOCAL}。`);
    expect(a!['警告']).toContain('从 Projects 搬到 Projects，共 1 封：UID 3 → 5。');
    expect(a!['警告']).not.toContain('The target refused');
    expect(a!['核验目标改写']).toBe(`INBOX: 原邮箱 UID 3 -> UID 5 (邮件头中的 8 位字节被替换为 X) 原邮箱 UID 4 -> UID 9 (日期 ${SENT_LOCAL} 被保存为 ${STORED_LOCAL})`);
  });
});
