// @vitest-environment jsdom
/**
 * The dashboard's self-service page (issue 15 point 2) is the webmail panel's EmployeeFlow: the
 * employee tests the old password, starts, and follows the account from the local mirror: live
 * progress, a failed login with the remedy in their language and the form again, then the done
 * state when the first pass is over. The mirror is a fake IndexedDB; the bridge is stubbed.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob, connectedBridge } from './extension-account-fixture';
import { stubSelfServiceBridge } from './extension-doubles';

let mirror: MailmoverDb;

const { answerFrom, sent } = stubSelfServiceBridge();

const { SelfServicePage } = await import('../../extension/dashboard/self/SelfServicePage');

const bridge = connectedBridge;

const zero = { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 };

beforeAll(async () => {
  mirror = openDb('self-service-test');
  answerFrom(mirror);
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob({ provider: 'tencent' }), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
  await mirror.accounts.put(makeAccount({ id: 'acc_self', source: 'li@old.example', target: 'li@new.example', mode: 'self-service', status: 'not_started', error: null, counters: zero }));
});
afterEach(cleanup);

const update = (patch: Parameters<MailmoverDb['accounts']['update']>[1]) => act(async () => void (await mirror.accounts.update('acc_self', patch)));

describe('self-service in the dashboard', () => {
  it('tests, starts, shows live progress, a failed login with its remedy and the form again, then done', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <SelfServicePage bridge={bridge} onOpenWizard={() => undefined} />
      </LocaleProvider>,
    );
    await screen.findByTestId('invite');
    expect(screen.getByTestId('auth-hint').textContent).toContain('客户端专用密码');
    fireEvent.change(document.querySelector('[name=self-target]')!, { target: { value: 'li@new.example' } });
    fireEvent.change(document.querySelector('[name=self-password]')!, { target: { value: 'Wrong-1' } });

    await act(async () => fireEvent.click(screen.getByTestId('self-test')));
    await waitFor(() => expect(screen.getByTestId('self-test-result').dataset.ok).toBe('true'));
    expect(sent[0]).toMatchObject({ type: 'endpoint.test', params: { side: 'source', user: 'li@old.example', password: 'Wrong-1', server: { host: 'imap.exmail.qq.com' } } });

    await act(async () => fireEvent.click(screen.getByTestId('self-start')));
    await waitFor(() => expect(sent.at(-1)).toEqual({ type: 'account.credentials', params: { accountId: 'acc_self', sourceUser: 'li@old.example', sourcePassword: 'Wrong-1', sourceServer: { protocol: 'imap', host: 'imap.exmail.qq.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } }));

    await update({ status: 'in_progress', phase: 'copying', counters: { ...zero, messagesTotal: 20, messagesCopied: 5 } });
    await waitFor(() => expect(screen.getByTestId('self-counts').textContent).toBe('已搬 5 / 20 封'));
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');

    await update({
      status: 'failed',
      phase: null,
      error: { code: 'AUTH_FAILED', message: 'Login failed for the source.', remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false },
    });
    await waitFor(() => expect(screen.getByTestId('self-progress').dataset.status).toBe('failed'));
    expect(screen.getByTestId('self-progress').textContent).toContain('原邮箱登录失败');
    expect(screen.getByTestId('self-progress').textContent).not.toContain('Login failed');

    await act(async () => fireEvent.click(screen.getByTestId('self-try-again')));
    fireEvent.change(await screen.findByTestId('self-form').then(() => document.querySelector('[name=self-password]')!), { target: { value: 'Right-2' } });
    await act(async () => fireEvent.click(screen.getByTestId('self-start')));
    await waitFor(() => expect(sent.at(-1)).toMatchObject({ type: 'account.credentials', params: { accountId: 'acc_self', sourcePassword: 'Right-2' } }));

    await update({ status: 'syncing', phase: null, error: null, firstPassDoneAt: '2025-01-01T01:00:00.000Z', counters: { ...zero, messagesTotal: 20, messagesCopied: 20 } });
    await waitFor(() => expect(screen.getByTestId('self-progress').dataset.done).toBe('true'));
    expect(screen.getByTestId('self-done').textContent).toContain('您的邮箱已搬完：新邮箱中已有 20 封邮件。');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });
});
