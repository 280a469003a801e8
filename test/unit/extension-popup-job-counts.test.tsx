// @vitest-environment jsdom
/** The popup's line per job counts its accounts in English grammar ("1 account", "2 accounts"); its bar is the dashboard's. */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import { Connected } from '../../extension/popup/Connected';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { connectedBridge as state, makeAccount, makeJob } from './extension-account-fixture';

let mirror: MailmoverDb;
beforeAll(() => {
  mirror = openDb('popup-job-counts');
  installDb(mirror);
});
beforeEach(async () => {
  await mirror.jobs.clear();
  await mirror.accounts.clear();
  await mirror.jobs.put({ ...makeJob(), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
});
afterEach(cleanup);

const line = async () => {
  render(
    <LocaleProvider initial="en" persist={false}>
      <Connected state={state} />
    </LocaleProvider>,
  );
  return (await screen.findByText(/running ·/)).textContent;
};

describe('popup job line', () => {
  it('one account', async () => {
    await mirror.accounts.put(makeAccount({ status: 'in_progress', error: null }));
    expect(await line()).toBe('1 running · 0 done · 0 failed · 1 account');
  });

  it('two accounts', async () => {
    await mirror.accounts.bulkPut([makeAccount({ id: 'acc_1', status: 'in_progress', error: null }), makeAccount({ id: 'acc_2' })]);
    expect(await line()).toBe('1 running · 0 done · 1 failed · 2 accounts');
  });

  it("the bar is not full while an account failed before its messages were counted (as the dashboard's)", async () => {
    const counters = { messagesTotal: 234, messagesCopied: 234, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 1, messagesSyncedSinceFirstPass: 0 };
    await mirror.accounts.bulkPut([
      makeAccount({ id: 'acc_1', status: 'syncing', error: null, counters, firstPassDoneAt: '2025-01-02T00:00:00.000Z' }),
      makeAccount({ id: 'acc_2', status: 'syncing', error: null, counters, firstPassDoneAt: '2025-01-02T00:00:00.000Z' }),
      makeAccount({ id: 'acc_3', status: 'failed', counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }),
    ]);
    await line();
    const now = Number(screen.getByRole('progressbar').getAttribute('aria-valuenow'));
    expect(now).toBeLessThan(100);
    expect(now).toBeGreaterThan(0);
  });
});
