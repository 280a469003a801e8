// @vitest-environment jsdom
/**
 * The monitor's figures (issue 15): a finished pass shows its final figures without speed, ETA
 * or sub-phase; the job summary bar sums the same counters as the rows; the offline banner
 * gives the time of the newest data received, not of the last snapshot.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../shared/protocol';
import { lastReceivedAt, StaleBanner } from '../../extension/components/StaleBanner';
import { JobSummary } from '../../extension/dashboard/monitor/JobSummary';
import { StatusTable } from '../../extension/dashboard/monitor/StatusTable';
import { isActive, jobTotals } from '../../extension/dashboard/monitor/monitor-model';
import type { AccountRow } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { formatDateTime } from '../../extension/lib/format';

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

function row(n: number, status: AccountStatus, phase: AccountRow['phase'], copied: number, total: number, rate = 0): AccountRow {
  return {
    id: `acct-${n}`,
    jobId: 'job-1',
    source: `user${n}@old.example.com`,
    target: `user${n}@new.example.com`,
    mode: 'admin-with-passwords',
    status,
    phase,
    hasSourcePassword: true,
    hasTargetPassword: true,
    sourceServer: null,
    counters: { messagesTotal: total, messagesCopied: copied, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: copied * 1024, messagesSyncedSinceFirstPass: 0 },
    error: null,
    attempts: 1,
    nextRunAt: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    firstPassDoneAt: status === 'syncing' ? '2026-01-01T00:01:00.000Z' : null,
    lastSyncAt: null,
    syncEndsAt: null,
    warnings: [],
    warningsOmitted: 0,
    updatedAt: '2026-01-01T00:01:00.000Z',
    progress: { phase: 'copying', bytesTotal: total * 1024, rate, etaSeconds: rate ? 5 : null, folders: [], at: '2026-01-01T00:00:30.000Z' },
    syncedAt: `2026-01-01T00:0${n}:00.000Z`,
  } as AccountRow;
}

const noop = () => undefined;

describe('finished rows', () => {
  it('a pass that ended shows its final figures, no speed, ETA or sub-phase; a running one shows them', () => {
    const done = row(1, 'syncing', null, 20, 20, 7.5); // the pass's last rate is still in the mirror
    const running = row(2, 'in_progress', 'copying', 13, 20, 4);
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <StatusTable rows={[done, running]} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />
      </LocaleProvider>,
    );
    const [first, second] = screen.getAllByTestId('account-row');
    expect(first!.textContent).toContain('20 / 20 封');
    expect(first!.textContent).toContain('100%');
    expect(first!.textContent).not.toContain('约剩');
    expect(first!.textContent).not.toContain('复制中');
    expect(first!.textContent).not.toContain('封/秒');
    expect(second!.textContent).toContain('13 / 20 封');
    expect(second!.textContent).toContain('约剩');
    expect(isActive(done)).toBe(false);
    expect(isActive({ status: 'in_progress', phase: 'queued' })).toBe(false);
  });
});

describe('job summary bar', () => {
  it('sums the rows: accounts per status, messages, bytes, % and an ETA from the running rates', () => {
    const rows = [row(1, 'syncing', null, 20, 20), row(2, 'in_progress', 'copying', 10, 20, 2), row(3, 'failed', null, 0, 10)];
    const totals = jobTotals(rows);
    expect(totals).toMatchObject({ accounts: 3, settled: 30, total: 50, copied: 30, bytesCopied: 30 * 1024, byStatus: { syncing: 1, in_progress: 1, failed: 1 } });
    expect(totals.ratio).toBeCloseTo(0.6);
    expect(totals.etaSeconds).toBe(10); // 20 left at 2 msg/s
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    const figures = screen.getByTestId('job-summary-figures').textContent!;
    expect(figures).toContain('60%');
    expect(figures).toContain('30 / 50 messages');
    expect(figures).toContain('30.0 KB copied');
    expect(figures).toContain('about 10 s left');
    const statuses = screen.getByTestId('job-summary-statuses').textContent!;
    expect(statuses).toContain('3 accounts');
    expect(statuses).toContain('Failed 1');
  });

  it('says "1 account", and no ETA once everything is copied', () => {
    const totals = jobTotals([row(1, 'syncing', null, 5, 5)]);
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    expect(screen.getByTestId('job-summary-statuses').textContent).toContain('1 account');
    expect(screen.getByTestId('job-summary-statuses').textContent).not.toContain('1 accounts');
    expect(screen.getByTestId('job-summary-figures').textContent).not.toContain('left');
  });
});

describe('offline banner', () => {
  it('shows the newest time data was received, not the older snapshot', () => {
    const snapshot = '2026-01-01T18:09:00.000Z';
    const newest = lastReceivedAt([snapshot, '2026-01-01T18:21:00.000Z', null, '2026-01-01T18:15:00.000Z']);
    expect(newest).toBe('2026-01-01T18:21:00.000Z');
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <StaleBanner bridge={undefined} syncedAt={newest} />
      </LocaleProvider>,
    );
    const text = screen.getByTestId('stale-banner').textContent!;
    expect(text).toContain(formatDateTime('2026-01-01T18:21:00.000Z', 'zh-CN'));
    expect(text).not.toContain(formatDateTime(snapshot, 'zh-CN'));
  });
});
