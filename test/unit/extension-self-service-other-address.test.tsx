// @vitest-environment jsdom
/**
 * The employee panel with one invitation in the bridge (the admin's "employees supply the
 * password" account of xiaowang@) opened by someone else: the page shows stranger@ as logged in.
 * The panel took the only invitation for theirs and said "Your administrator opened …: your old
 * mailbox is waiting for your password", with the job's old server filled in; the login test
 * passed with the stranger's own old password, and only the start answered "not in the
 * migration". An invitation is claimed for the address it was opened for; with another address
 * the panel says none was opened for it and offers no start. With no address yet (the dashboard's
 * page, nothing detected) the only invitation is still shown, to be confirmed by the address.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob, connectedBridge } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async () => ({})),
  bridgeRequestRaw: vi.fn(async () => ({ ok: true, error: null, folders: 4, ms: 30, report: null })),
});

const { SelfServicePage } = await import('../../extension/dashboard/self/SelfServicePage');

const zero = { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 };

beforeAll(async () => {
  const mirror = openDb('self-service-other-address');
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob({ name: '员工自行提供密码' }), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
  await mirror.accounts.put(makeAccount({ id: 'acc_xw', source: 'xiaowang@hxkj.cn', target: 'xiaowang@hxkj.cn', mode: 'admin-without-passwords', status: 'not_enabled', error: null, counters: zero }));
});
afterEach(cleanup);

const type = (name: string, value: string) => act(async () => void fireEvent.change(document.querySelector(`[name=${name}]`)!, { target: { value } }));

describe('an invitation opened for another address', () => {
  it('is not claimed for this one (Chinese)', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <SelfServicePage bridge={connectedBridge} onOpenWizard={() => undefined} />
      </LocaleProvider>,
    );
    // No address yet: the only invitation is shown.
    await screen.findByTestId('invite');
    await type('self-target', 'stranger@hxkj.cn');
    await type('self-password', 'Strangers-own-1');
    expect(screen.queryByTestId('invite')).toBeNull();
    const note = screen.getByTestId('invite-mismatch');
    expect(note.textContent).toContain('stranger@hxkj.cn');
    expect(note.textContent).toContain('管理员');
    expect((screen.getByTestId('self-start') as HTMLButtonElement).disabled).toBe(true);
    expect((document.querySelector('[name=self-host]') as HTMLInputElement).value).toBe('');
  });

  it('the invited address, in any case, gets its invitation (English)', async () => {
    render(
      <LocaleProvider initial="en" persist={false}>
        <SelfServicePage bridge={connectedBridge} onOpenWizard={() => undefined} />
      </LocaleProvider>,
    );
    await screen.findByTestId('invite');
    await type('self-target', 'XiaoWang@HXKJ.cn');
    await type('self-password', 'Own-old-1');
    expect(screen.getByTestId('invite').textContent).toContain('员工自行提供密码');
    expect(screen.queryByTestId('invite-mismatch')).toBeNull();
    expect((screen.getByTestId('self-start') as HTMLButtonElement).disabled).toBe(false);
    expect((document.querySelector('[name=self-host]') as HTMLInputElement).value).toBe('imap.exmail.qq.com');
  });
});
