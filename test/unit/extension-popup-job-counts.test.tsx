// @vitest-environment jsdom
/**
 * The popup's line per job counts its accounts in English grammar ("1 account", "2 accounts");
 * its bar is the dashboard's. It says how many accounts wait for their employee (an invitation
 * not yet answered with the old password): nothing the admin can start, so it is counted apart,
 * in the UI's language, and left out when there are none.
 */
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

const invited = (id: string) => makeAccount({ id, mode: 'self-service', status: 'not_started', error: null });

async function renderPopup(locale: 'en' | 'zh-CN') {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <Connected state={state} />
    </LocaleProvider>,
  );
  // The job's counts line: the summary is drawn from the mirror.
  await screen.findByText(locale === 'en' ? /running ·/ : /进行中 \d/);
}

describe('popup: accounts waiting for the employee', () => {
  it.each([
    ['en', '3 accounts waiting for the employee’s password'],
    ['zh-CN', '3 个账号等待员工填写密码'],
  ] as const)('self-service invitations and "employee supplies the password" accounts are counted (%s)', async (locale, text) => {
    await mirror.accounts.bulkPut([
      invited('acc_1'),
      invited('acc_2'),
      makeAccount({ id: 'acc_3', mode: 'admin-without-passwords', status: 'not_enabled', error: null }),
      // Answered: the employee's password is in, the pass runs.
      makeAccount({ id: 'acc_4', mode: 'self-service', status: 'in_progress', error: null }),
      // Imported by the admin with passwords and not started: waits for the admin, not an employee.
      makeAccount({ id: 'acc_5', mode: 'admin-with-passwords', status: 'not_started', error: null }),
    ]);
    await renderPopup(locale);
    expect((await screen.findByTestId('popup-waiting-employee')).textContent).toBe(text);
  });

  it('one account, in English grammar', async () => {
    await mirror.accounts.put(invited('acc_1'));
    await renderPopup('en');
    expect((await screen.findByTestId('popup-waiting-employee')).textContent).toBe('1 account waiting for the employee’s password');
  });

  it('nothing is said when no account waits for its employee', async () => {
    await mirror.accounts.bulkPut([makeAccount({ id: 'acc_1', mode: 'admin-with-passwords', status: 'not_started', error: null }), makeAccount({ id: 'acc_2', mode: 'self-service', status: 'syncing', error: null })]);
    await renderPopup('zh-CN');
    expect(screen.getByText(/共 2 个账号/)).toBeTruthy();
    expect(screen.queryByTestId('popup-waiting-employee')).toBeNull();
  });
});
