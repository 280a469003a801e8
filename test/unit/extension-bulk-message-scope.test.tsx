// @vitest-environment jsdom
/**
 * The outcome of a bulk action ("2 done.") stays while the accounts it was
 * about change status under it, and goes when the person picks other accounts (a selection, a
 * status filter, a search): it used to stay and read as the outcome for the new choice.
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
  if (type.startsWith('account.')) return { results: (params.accountIds ?? []).map((accountId) => ({ accountId, ok: true, status: 'paused' })) };
  return {};
});
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: vi.fn(async () => ({})) });

const { MonitorPage } = await import('../../extension/dashboard/monitor/MonitorPage');

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

async function renderMonitor(dbName: string) {
  const mirror = openDb(dbName);
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob({ status: 'active' }), syncedAt: '2026-01-01T00:00:00.000Z' } as never);
  for (const [id, source] of [['acc_a', 'a@old.example'], ['acc_b', 'b@old.example']] as const) {
    await mirror.accounts.put(makeAccount({ id, source, target: source.replace('old', 'new'), status: 'in_progress', phase: 'copying', error: null }));
  }
  render(
    <LocaleProvider initial="en" persist={false}>
      <MonitorPage jobId="job_abcdef" bridge={{ phase: 'connected' } as never} />
    </LocaleProvider>,
  );
  await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(2));
  return mirror;
}

async function pauseAllShown() {
  fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
  // Generous: the request and the render take longer on a busy 2-core machine than testing-library's 1 s.
  return (await screen.findByTestId('bulk-message', undefined, { timeout: 10_000 })).textContent;
}

describe('the bulk actions’ outcome', () => {
  it('stays while the accounts change status, and goes when another account is selected', async () => {
    const mirror = await renderMonitor('bulk-scope-select');
    expect(await pauseAllShown()).toBe('2 done.');
    await mirror.accounts.update('acc_a', { status: 'paused', phase: null });
    await waitFor(() => expect(screen.getAllByTestId('account-row').find((r) => r.dataset.account === 'a@old.example')!.dataset.status).toBe('paused'));
    expect(screen.getByTestId('bulk-message').textContent).toBe('2 done.');
    fireEvent.click(screen.getByLabelText('Select b@old.example'));
    await waitFor(() => expect(screen.queryByTestId('bulk-message')).toBeNull());
  });

  it('goes when the search changes what is shown', async () => {
    await renderMonitor('bulk-scope-search');
    await pauseAllShown();
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'b@' } });
    await waitFor(() => expect(screen.queryByTestId('bulk-message')).toBeNull());
  });
});
