// @vitest-environment jsdom
/**
 * The drawer's reopen form (到期可重新开启) clears its password fields once the request is sent,
 * whether the bridge reopens the account, refuses it or cannot be reached, like the other
 * password forms: a password does not stay in the page after it was sent.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: Array<{ type: string; params: Record<string, unknown> }> = [];
let reopen: () => Promise<unknown> = async () => ({ results: [{ accountId: 'acc_abcdef', ok: true, status: 'syncing' }] });

stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: Record<string, unknown>) => {
    if (type === 'account.get') return { account: null, folders: [] };
    sent.push({ type, params });
    return reopen();
  }),
});

const { DetailsDrawer } = await import('../../extension/dashboard/monitor/DetailsDrawer');

beforeAll(async () => {
  const d = openDb('reopen-clears-passwords');
  installDb(d);
  await d.jobs.put({ ...makeJob(), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
});
beforeEach(() => {
  sent.length = 0;
});
afterEach(cleanup);

const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;

async function sendReopen() {
  render(
    <LocaleProvider initial="en" persist={false}>
      <DetailsDrawer account={makeAccount({ status: 'closed', error: null, hasSourcePassword: false, hasTargetPassword: false })} onClose={() => {}} />
    </LocaleProvider>,
  );
  await screen.findByTestId('reopen-form');
  // The job (from the mirror) names the servers the passwords are for.
  // (IndexedDB answers late on a loaded machine: waitFor's default second was not always enough.)
  await waitFor(() => expect((screen.getByRole('button', { name: 'Reopen' }) as HTMLButtonElement).disabled).toBe(false), { timeout: 10_000 });
  fireEvent.change(field('reopen-source-password'), { target: { value: 'Old-Pw-1' } });
  fireEvent.change(field('reopen-target-password'), { target: { value: 'New-Pw-2' } });
  await act(async () => {
    fireEvent.submit(screen.getByTestId('reopen-form'));
  });
  await waitFor(() => expect(screen.getByTestId('reopen-form').querySelector('[role="status"]')).not.toBeNull());
  expect(sent).toEqual([
    {
      type: 'account.reopen',
      params: {
        accountIds: ['acc_abcdef'],
        sourcePassword: 'Old-Pw-1',
        targetPassword: 'New-Pw-2',
        sourceServer: { protocol: 'imap', host: 'imap.exmail.qq.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false },
        targetServer: { protocol: 'imap', host: 'imap.qiye.aliyun.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false },
      },
    },
  ]);
}

describe('reopen form', () => {
  it('clears both password fields after a successful reopen', async () => {
    reopen = async () => ({ results: [{ accountId: 'acc_abcdef', ok: true, status: 'syncing' }] });
    await sendReopen();
    expect(field('reopen-source-password').value).toBe('');
    expect(field('reopen-target-password').value).toBe('');
  });

  it('clears them when the bridge refuses the reopen', async () => {
    reopen = async () => ({ results: [{ accountId: 'acc_abcdef', ok: false, status: 'closed', reason: 'no-password' }] });
    await sendReopen();
    expect(field('reopen-source-password').value).toBe('');
    expect(field('reopen-target-password').value).toBe('');
  });

  it('clears them when the request fails', async () => {
    reopen = async () => {
      throw new Error('bridge away');
    };
    await sendReopen();
    expect(field('reopen-source-password').value).toBe('');
    expect(field('reopen-target-password').value).toBe('');
  });
});
