// @vitest-environment jsdom
/**
 * The monitor's figures (issue 15): a finished pass shows its final figures without speed, ETA
 * or sub-phase; the job summary bar sums the same counters as the rows; the offline banner
 * gives the time of the newest data received, not of the last snapshot.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../shared/protocol';
import { lastReceivedAt, StaleBanner } from '../../extension/components/StaleBanner';
import { JobSummary } from '../../extension/dashboard/monitor/JobSummary';
import { StatusTable } from '../../extension/dashboard/monitor/StatusTable';
import { isActive, jobTotals } from '../../extension/dashboard/monitor/monitor-model';
import { installDb, openDb, type AccountRow } from '../../extension/db/schema';
import { JobsPage } from '../../extension/dashboard/jobs/JobsPage';
import { makeJob } from './extension-account-fixture';
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
    stopping: false,
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

describe('job summary with an account that was never counted', () => {
  const rows = () => [row(1, 'syncing', null, 234, 234), row(2, 'syncing', null, 234, 234), { ...row(3, 'failed', null, 0, 0), error: { code: 'AUTH_FAILED', message: 'Login failed.', remedy: { en: 'x', zh: 'x' }, transient: false } } as AccountRow];

  it('does not say 100% while an account failed before its messages were counted', () => {
    const totals = jobTotals(rows());
    expect(totals).toMatchObject({ accounts: 3, accountsDone: 2, uncounted: 1, uncountedFailed: 1, failing: 1, complete: false });
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    const figures = screen.getByTestId('job-summary-figures').textContent!;
    expect(figures).not.toContain('100%');
    expect(figures).toContain('Accounts done: 2 of 3');
    expect(figures).toContain('468 / 468 messages');
    expect(screen.getByTestId('job-summary-uncounted').textContent).toBe('1 account failed before its messages were counted');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).not.toBe('100');
    expect(screen.getByTestId('job-summary').dataset.complete).toBe('false');
  });

  it('in Chinese, with accounts not counted yet that have not failed', () => {
    const waiting = { ...row(4, 'not_started', null, 0, 0), startedAt: null } as AccountRow;
    const totals = jobTotals([...rows(), waiting]);
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    const figures = screen.getByTestId('job-summary-figures').textContent!;
    expect(figures).not.toContain('100%');
    expect(figures).toContain('4 个账号中 2 个已搬完');
    expect(screen.getByTestId('job-summary-uncounted').textContent).toBe('2 个账号尚未统计邮件数，其中 1 个失败');
  });

  it('the jobs list card says the same', async () => {
    const mirror = openDb('monitor-figures-jobs');
    installDb(mirror);
    await mirror.jobs.put({ ...makeJob({ id: 'job-1' }), syncedAt: '2026-01-01T00:00:00.000Z' } as never);
    await mirror.accounts.bulkPut(rows());
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobsPage bridge={undefined} onOpen={() => undefined} onNew={() => undefined} />
      </LocaleProvider>,
    );
    const figures = (await screen.findByTestId('job-card-figures')).textContent!;
    expect(figures).not.toContain('100%');
    expect(figures).toContain('Accounts done: 2 of 3 · 468 / 468 messages');
    // "updated" is the latest change of the job or of its accounts (the job itself last changed at its creation).
    const latest = rows().map((r) => r.updatedAt).sort().at(-1)!;
    expect(latest > '2025-01-01T00:00:00.000Z').toBe(true);
    expect(figures).toContain(`updated ${formatDateTime(latest, 'en')}`);
  });

  it('accounts only waiting their turn (none failed) keep the message percentage, below 100% until the end', () => {
    const waiting = (id: number) => ({ ...row(id, 'in_progress', null, 0, 0), startedAt: null }) as AccountRow;
    const totals = jobTotals([row(1, 'syncing', null, 40, 40), row(2, 'in_progress', null, 10, 40), waiting(3), waiting(4)]);
    expect(totals).toMatchObject({ uncounted: 2, uncountedFailed: 0 });
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    const figures = screen.getByTestId('job-summary-figures').textContent!;
    // 50 of 80 counted: a large job's headline moves with the copy, not with whole accounts.
    expect(figures).toContain('63%');
    expect(figures).not.toContain('Accounts done');
    expect(screen.getByTestId('job-summary-uncounted').textContent).toBe('2 accounts not counted yet');
  });

  it('every mailbox empty and every account through: 100%, not 0%', () => {
    const totals = jobTotals([row(1, 'syncing', null, 0, 0), row(2, 'syncing', null, 0, 0)]);
    expect(totals.complete).toBe(true);
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    expect(screen.getByTestId('job-summary-figures').textContent).toContain('100%');
  });

  it('an account that failed after it was counted keeps the message percentage, below 100%', () => {
    const totals = jobTotals([row(1, 'syncing', null, 20, 20), { ...row(2, 'failed', null, 20, 20), firstPassDoneAt: '2026-01-01T00:01:00.000Z' } as AccountRow]);
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobSummary totals={totals} name="Job" />
      </LocaleProvider>,
    );
    expect(screen.getByTestId('job-summary-figures').textContent).toContain('99%');
    expect(screen.queryByTestId('job-summary-uncounted')).toBeNull();
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
