// @vitest-environment jsdom
/**
 * A job paused with "Pause all" keeps its accounts' own statuses: an account whose pass was cut
 * short stays in_progress with the phase "queued", and "Start / resume" on an account of a paused
 * job is accepted by the bridge but runs nothing until the job is resumed. The monitor showed
 * those rows as "In progress · queued" and answered "1 done", so the admin could not tell that
 * the pause had worked, nor why a started account never moved. A paused job now says so above the
 * table, its active rows say they wait for the job, and a start on them says what it waits for.
 */
import 'fake-indexeddb/auto';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const send = vi.fn(async (type: string, params: { accountIds?: string[] }) => {
  if (type === 'cutover.get') return { cutover: null };
  if (type.startsWith('account.')) return { results: (params.accountIds ?? []).map((accountId) => ({ accountId, ok: true, status: 'in_progress' })) };
  return {};
});
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: vi.fn(async () => ({})) });

const { MonitorPage } = await import('../../extension/dashboard/monitor/MonitorPage');
const { BulkActions } = await import('../../extension/dashboard/monitor/BulkActions');

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

const connected = { phase: 'connected' } as never;

async function renderMonitor(dbName: string, status: 'active' | 'paused', locale: 'en' | 'zh-CN') {
  const mirror = openDb(dbName);
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob({ status }), syncedAt: '2026-01-01T00:00:00.000Z' } as never);
  await mirror.accounts.put(
    makeAccount({
      id: 'acc_cut',
      status: 'in_progress',
      phase: 'queued',
      error: null,
      counters: { messagesTotal: 3051, messagesCopied: 1144, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 44_100_000, messagesSyncedSinceFirstPass: 0 },
    }),
  );
  render(
    <LocaleProvider initial={locale} persist={false}>
      <MonitorPage jobId="job_abcdef" bridge={connected} />
    </LocaleProvider>,
  );
  await screen.findByTestId('account-row');
}

describe('a paused job in the monitor', () => {
  it('says above the table that nothing copies until "Resume all", in Chinese', async () => {
    await renderMonitor('job-paused-zh', 'paused', 'zh-CN');
    const note = await screen.findByTestId('job-paused-note');
    expect(note.textContent).toContain('已暂停');
    expect(note.textContent).toContain('全部继续');
    const row = screen.getByTestId('account-row');
    expect(row.textContent).not.toContain('排队中');
    expect(row.textContent).toContain('等待任务继续');
  });

  it('in English, the row waits for the job instead of reading "queued"', async () => {
    await renderMonitor('job-paused-en', 'paused', 'en');
    expect((await screen.findByTestId('job-paused-note')).textContent).toContain('Resume all');
    const row = screen.getByTestId('account-row');
    expect(row.textContent).not.toContain('queued');
    expect(row.textContent).toContain('migration paused');
  });

  it('an active job shows no such note and the row its phase', async () => {
    await renderMonitor('job-active', 'active', 'zh-CN');
    expect(screen.queryByTestId('job-paused-note')).toBeNull();
    expect(screen.getByTestId('account-row').textContent).toContain('排队中');
  });
});

describe('"Start / resume" on accounts of a paused job', () => {
  it('says they start only once the job is resumed', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <BulkActions ids={['acc_cut']} disabled={false} jobId="job_abcdef" jobPaused />
      </LocaleProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: '开始 / 继续' }));
    await waitFor(() => expect(screen.getByTestId('bulk-message').textContent).toContain('1 个已执行'));
    expect(screen.getByTestId('bulk-message').textContent).toContain('全部继续');
  });

  it('in an active job, the answer is the count alone', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <BulkActions ids={['acc_cut']} disabled={false} jobId="job_abcdef" jobPaused={false} />
      </LocaleProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: '开始 / 继续' }));
    await waitFor(() => expect(screen.getByTestId('bulk-message').textContent).toContain('1 个已执行'));
    expect(screen.getByTestId('bulk-message').textContent).not.toContain('全部继续');
  });
});
