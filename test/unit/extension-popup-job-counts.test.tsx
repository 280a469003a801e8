// @vitest-environment jsdom
/** The popup's line per job counts its accounts in English grammar: "1 account", "2 accounts". */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import { Connected } from '../../extension/popup/Connected';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { BridgeState } from '../../extension/lib/runtime-messages';
import { makeAccount, makeJob } from './extension-account-fixture';

const state = { phase: 'connected', port: 7878, version: '1.0.0', paired: true, tokenId: 'tok', origin: null, problem: null, lastConnectedAt: null, nextAttemptAt: null, updatedAt: '2025-01-01T00:00:00.000Z' } as BridgeState;

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
});
