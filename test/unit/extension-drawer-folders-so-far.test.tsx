// @vitest-environment jsdom
/**
 * The details drawer's folder table of an account whose first pass has not finished (paused,
 * stopped or failed part-way) comes from what the bridge's store settled per folder, which is
 * not the folder's size: it showed a folder of 3,000 messages as a full green "400 / 400". It
 * says "400 in so far" until the first pass has gone through; after it, stored counts are totals.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const STORED = [{ source: 'INBOX', target: 'INBOX', lastUid: 400, copied: 400, alreadyPresent: 0, skipped: 0, updatedAt: '2025-01-01T00:02:00.000Z' }];
stubPageClient({
  bridgeRequest: vi.fn(async (type: string) => (type === 'account.get' ? { account: null, folders: STORED } : { items: [], total: 0 })),
  bridgeRequestRaw: vi.fn(async () => null),
});

const { DetailsDrawer } = await import('../../extension/dashboard/monitor/DetailsDrawer');

beforeAll(async () => {
  const mirror = openDb('drawer-folders-so-far');
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob(), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
});
afterEach(cleanup);

const counters = { messagesTotal: 3000, messagesCopied: 400, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 2_000_000, messagesSyncedSinceFirstPass: 0 };
const paused = makeAccount({ id: 'acc_paused', status: 'paused', phase: null, error: null, counters, startedAt: '2025-01-01T00:00:00.000Z', firstPassDoneAt: null });

async function inboxCell(account: ReturnType<typeof makeAccount>, locale: 'en' | 'zh-CN') {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <DetailsDrawer account={account} onClose={() => undefined} />
    </LocaleProvider>,
  );
  const row = await screen.findByTestId('folder-row', undefined, { timeout: 10_000 });
  return row;
}

describe('the drawer’s folders before and after the first pass', () => {
  it('paused part-way: a count so far, no full bar (en, zh)', async () => {
    const en = await inboxCell(paused, 'en');
    expect(within(en).getByTestId('folder-so-far').textContent).toBe('400 in so far (the folder’s count comes with the next pass)');
    expect(within(en).queryByRole('progressbar')).toBeNull();
    cleanup();
    const zh = await inboxCell(paused, 'zh-CN');
    expect(within(zh).getByTestId('folder-so-far').textContent).toBe('目前已搬 400 封（该文件夹的总数在下次搬家时统计）');
  });

  it('after the first pass: the stored counts are the folder’s, shown as done', async () => {
    const row = await inboxCell({ ...paused, status: 'syncing', firstPassDoneAt: '2025-01-01T00:05:00.000Z', counters: { ...counters, messagesTotal: 400 } }, 'en');
    expect(within(row).queryByTestId('folder-so-far')).toBeNull();
    expect(row.textContent).toContain('400 / 400');
  });
});
