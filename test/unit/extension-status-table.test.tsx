// @vitest-environment jsdom
/**
 * The monitor's account table (extension/dashboard/monitor/StatusTable.tsx) and its model:
 * statuses in the migration consoles' words, progress, the last error with its remedy, selection, sorting,
 * and virtualisation (5000 accounts render only the visible rows).
 */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountStatus } from '../../shared/protocol';
import { REMEDIES } from '../../shared/errors';
import { StatusTable } from '../../extension/dashboard/monitor/StatusTable';
import { countByStatus, filterRows, sortRows, type SortSpec } from '../../extension/dashboard/monitor/monitor-model';
import type { AccountRow } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';

afterEach(cleanup);

// jsdom lays nothing out: give elements the size a browser would, so the virtualiser sees a viewport.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

function account(n: number, status: AccountStatus, copied = 0, total = 10): AccountRow {
  return {
    id: `acct-${String(n).padStart(5, '0')}`,
    jobId: 'job-000001',
    source: `user${n}@old.example.com`,
    target: `user${n}@new.example.com`,
    mode: 'admin-with-passwords',
    status,
    phase: status === 'in_progress' ? 'copying' : null,
    hasSourcePassword: true,
    hasTargetPassword: true,
    sourceServer: null,
    stopping: false,
    counters: { messagesTotal: total, messagesCopied: copied, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: copied * 2048, messagesSyncedSinceFirstPass: 0 },
    error:
      status === 'failed'
        ? { code: 'AUTH_FAILED', message: 'Login failed', remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false }
        : null,
    attempts: 1,
    nextRunAt: null,
    startedAt: '2025-01-01T00:00:00.000Z',
    firstPassDoneAt: null,
    lastSyncAt: null,
    syncEndsAt: null,
    warnings: [],
    warningsOmitted: 0,
    updatedAt: `2025-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
    progress: status === 'in_progress' ? { phase: 'copying', bytesTotal: 1e6, rate: 12.5, etaSeconds: 90, folders: [], at: '2025-01-01T00:00:00.000Z' } : null,
    syncedAt: '2025-01-01T00:00:00.000Z',
  };
}

function Table({ rows, locale = 'en', onOpen = () => undefined }: { rows: AccountRow[]; locale?: Locale; onOpen?: (id: string) => void }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [sort, setSort] = useState<SortSpec>({ key: 'account', dir: 'asc' });
  return (
    <LocaleProvider initial={locale} persist={false}>
      <StatusTable
        rows={sortRows(rows, sort)}
        selected={selected}
        onToggle={(id) => setSelected((s) => new Set(s.has(id) ? [...s].filter((x) => x !== id) : [...s, id]))}
        onToggleAll={(all) => setSelected(all ? new Set(rows.map((r) => r.id)) : new Set())}
        onOpen={onOpen}
        sort={sort}
        onSort={setSort}
      />
    </LocaleProvider>
  );
}

const ROWS = [account(1, 'in_progress', 4), account(2, 'failed'), account(3, 'not_enabled'), account(4, 'syncing', 10), account(5, 'paused', 2)];

describe('StatusTable', () => {
  it('shows one row per account with status, progress, speed and the last error with its remedy', () => {
    render(<Table rows={ROWS} />);
    const rows = screen.getAllByTestId('account-row');
    expect(rows).toHaveLength(5);
    const running = rows.find((r) => r.dataset.status === 'in_progress')!;
    expect(within(running).getByText('In progress')).toBeTruthy();
    expect(running.textContent).toContain('4 / 10 messages');
    expect(running.textContent).toContain('12.5 msg/s');
    expect(running.textContent).toContain('about 1 min 30 s left');
    expect(within(running).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    const failed = rows.find((r) => r.dataset.status === 'failed')!;
    expect(failed.textContent).toContain('AUTH_FAILED');
    expect(failed.textContent).toContain(REMEDIES.AUTH_FAILED.en);
  });

  it('uses the migration consoles’ status names in Chinese', () => {
    render(<Table rows={ROWS} locale="zh-CN" />);
    for (const label of ['进行中', '失败', '未开启搬家', '暂停', '同步新邮件中']) expect(screen.getByText(label)).toBeTruthy();
    expect(screen.getByText(REMEDIES.AUTH_FAILED.zh, { exact: false })).toBeTruthy();
  });

  it('sorts by a column header, selects rows, and opens the details', () => {
    const onOpen = vi.fn();
    render(<Table rows={ROWS} onOpen={onOpen} />);
    const order = () => screen.getAllByTestId('account-row').map((r) => r.dataset.account);
    expect(order()[0]).toBe('user1@old.example.com');
    fireEvent.click(screen.getByRole('button', { name: /Account/ }));
    expect(order()[0]).toBe('user5@old.example.com');
    fireEvent.click(screen.getByRole('button', { name: /Status/ }));
    expect(screen.getAllByTestId('account-row')[0]!.dataset.status).toBe('failed');
    fireEvent.click(screen.getByLabelText('Select all shown accounts'));
    expect(screen.getAllByTestId('account-row').every((r) => r.getAttribute('aria-selected') === 'true')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Details of user2@old.example.com' }));
    expect(onOpen).toHaveBeenCalledWith('acct-00002');
  });

  it('renders only the visible rows of thousands of accounts', () => {
    const many = Array.from({ length: 5000 }, (_, i) => account(i, i % 7 === 0 ? 'failed' : 'in_progress', i % 10));
    render(<Table rows={many} />);
    const rendered = screen.getAllByTestId('account-row').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('5001');
  });

  it.each([
    { locale: 'en' as const, stopping: 'stopping after the messages it is copying…', unfinished: 'first pass not finished' },
    { locale: 'zh-CN' as const, stopping: '正在停止（写完正在搬的这批邮件）…', unfinished: '首次搬家未完成' },
  ])('says ($locale) when a paused or closed account is still stopping, and when one was closed before its first pass finished', ({ locale, stopping, unfinished }) => {
    const rows = [
      { ...account(1, 'paused', 3), stopping: true },
      { ...account(2, 'closed', 3), stopping: true },
      account(3, 'closed', 3),
      { ...account(4, 'closed', 10), firstPassDoneAt: '2025-01-02T00:00:00.000Z' },
      { ...account(5, 'closed', 0), startedAt: null },
      account(6, 'paused', 3),
      // Closed when every counted message was in, before the pass marked itself done.
      account(7, 'closed', 10),
    ];
    render(<Table rows={rows} locale={locale} />);
    const note = (n: number) => {
      const row = screen.getAllByTestId('account-row').find((r) => r.dataset.account === `user${n}@old.example.com`)!;
      return { stopping: within(row).queryByTestId('account-stopping')?.textContent, unfinished: within(row).queryByTestId('account-closed-unfinished')?.textContent };
    };
    expect(note(1)).toEqual({ stopping, unfinished: undefined });
    expect(note(2)).toEqual({ stopping, unfinished: undefined });
    expect(note(3)).toEqual({ stopping: undefined, unfinished });
    // Closed after its first pass (its sync window ended, or closed by hand), or before it ever ran: the status says it all.
    expect(note(4)).toEqual({ stopping: undefined, unfinished: undefined });
    expect(note(5)).toEqual({ stopping: undefined, unfinished: undefined });
    expect(note(6)).toEqual({ stopping: undefined, unfinished: undefined });
    expect(note(7)).toEqual({ stopping: undefined, unfinished: undefined });
    // Cut short by a narrow column, the whole note is in the title.
    const row = screen.getAllByTestId('account-row').find((r) => r.dataset.account === 'user1@old.example.com')!;
    expect(within(row).getByTestId('account-stopping').getAttribute('title')).toBe(stopping);
  });

  it('says so when no account matches', () => {
    render(<Table rows={[]} />);
    expect(screen.getByText('No account matches.')).toBeTruthy();
  });
});

describe('monitor model', () => {
  it('filters by status and searches source and target addresses', () => {
    expect(filterRows(ROWS, new Set(['failed']), '').map((r) => r.id)).toEqual(['acct-00002']);
    expect(filterRows(ROWS, new Set(), 'USER3@NEW').map((r) => r.id)).toEqual(['acct-00003']);
    expect(filterRows(ROWS, new Set(['failed', 'paused']), 'user5').map((r) => r.id)).toEqual(['acct-00005']);
  });

  it('sorts by progress and counts per status', () => {
    expect(sortRows(ROWS, { key: 'progress', dir: 'desc' })[0]!.id).toBe('acct-00004');
    expect(countByStatus(ROWS)).toEqual({ in_progress: 1, failed: 1, not_enabled: 1, syncing: 1, paused: 1 });
  });
});
