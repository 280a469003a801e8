// @vitest-environment jsdom
/**
 * The monitor's "password needed again" state (issue 12 #1): an account whose stored password
 * was entered for other server settings shows the status in both languages and a form that sends
 * the password again: the account's own with account.credentials, a job's admin password with
 * job.update. The bridge and the local mirror are stubbed; what is sent is asserted.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobView } from '../../shared/protocol';
import { STATUS_HINT_KEYS, STATUS_KEYS } from '../../extension/components/status';
import { translate } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: Array<{ type: string; params: unknown }> = [];

stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return {};
  }),
});

const { PasswordAgainForm } = await import('../../extension/dashboard/monitor/PasswordAgainForm');

const server = { host: 'imap.new-host.example', port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false };

function jobWith(sourceAdmin: boolean): JobView {
  return makeJob({
    name: 'j',
    source: { ...server, protocol: 'imap' },
    sourceLogin: sourceAdmin ? { kind: 'admin', adminUser: 'postmaster', form: 'authzid', hasPassword: false } : { kind: 'per-account' },
    target: { ...server, host: 'imap.target.example' },
    provider: null,
  });
}

const account = makeAccount({ status: 'password_needed', hasSourcePassword: false, error: null });

beforeEach(() => {
  sent.length = 0;
});
afterEach(cleanup);

describe('password needed again', () => {
  it('names the status in English and Chinese', () => {
    expect(translate('en', STATUS_KEYS.password_needed)).toBe('Password needed again');
    expect(translate('zh-CN', STATUS_KEYS.password_needed)).toBe('需重新输入密码');
    expect(translate('en', STATUS_HINT_KEYS.password_needed)).toMatch(/server settings changed/);
    expect(translate('zh-CN', STATUS_HINT_KEYS.password_needed)).toMatch(/服务器设置已更改/);
  });

  it("sends the account's own old password with account.credentials, and clears the field", async () => {
    const job = jobWith(false);
    render(
      <LocaleProvider initial="en" persist={false}>
        <PasswordAgainForm account={account} job={job} />
      </LocaleProvider>,
    );
    const input = (await screen.findByTestId('password-again-source')) as HTMLInputElement;
    expect(screen.queryByTestId('password-again-target')).toBeNull();
    expect(await screen.findByText(/imap\.new-host\.example:993/)).toBeTruthy();
    fireEvent.change(input, { target: { value: 'New-Old-Pw-1' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    });
    await waitFor(() => expect(sent).toEqual([{ type: 'account.credentials', params: { accountId: 'acc_abcdef', sourcePassword: 'New-Old-Pw-1', sourceServer: { protocol: 'imap', host: 'imap.new-host.example', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } }]));
    expect(input.value).toBe('');
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Saved: the account continues.');
  });

  it("asks for the job's admin password in Chinese and sends it with job.update", async () => {
    const job = jobWith(true);
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={account} job={job} />
      </LocaleProvider>,
    );
    await screen.findByText('原邮箱系统管理员密码（postmaster）');
    fireEvent.change(screen.getByTestId('password-again-source'), { target: { value: 'Admin-Pw-2' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '保存并继续' }));
    });
    await waitFor(() =>
      expect(sent).toEqual([{ type: 'job.update', params: { jobId: 'job_abcdef', patch: { sourceLogin: { kind: 'admin', adminUser: 'postmaster', form: 'authzid', password: 'Admin-Pw-2' } }, sourceServer: { protocol: 'imap', host: 'imap.new-host.example', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } }]),
    );
  });

  it('sends nothing when no password was typed', async () => {
    const job = jobWith(false);
    render(
      <LocaleProvider initial="en" persist={false}>
        <PasswordAgainForm account={account} job={job} />
      </LocaleProvider>,
    );
    await screen.findByTestId('password-again-source');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    });
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Enter at least one password.');
    expect(sent).toEqual([]);
  });

  it('names the server shown when the password was typed, though the mirror moved the job meanwhile, and words the refusal', async () => {
    const job = jobWith(false);
    const form = (j: JobView) => (
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={account} job={j} />
      </LocaleProvider>
    );
    const { rerender } = render(form(job));
    fireEvent.change(await screen.findByTestId('password-again-source'), { target: { value: 'Typed-For-New-Host-1' } });
    // Another tab moved the job's source: the mirror brings the new server into this form.
    rerender(form({ ...job, source: { ...job.source, host: 'imap.moved-again.example' } }));
    expect(await screen.findByText(/imap\.moved-again\.example:993/)).toBeTruthy();
    const { bridgeRequest, PageRequestError } = await import('../../extension/lib/page-client');
    vi.mocked(bridgeRequest).mockRejectedValueOnce(new PageRequestError({ code: 'SERVER_CHANGED', message: 'changed' }));
    await act(async () => fireEvent.submit(screen.getByTestId('password-again-form')));
    expect(vi.mocked(bridgeRequest).mock.lastCall).toEqual([
      'account.credentials',
      { accountId: 'acc_abcdef', sourcePassword: 'Typed-For-New-Host-1', sourceServer: { protocol: 'imap', ...server } },
    ]);
    expect((await screen.findByRole('status')).textContent).toMatch(/服务器设置已被更改/);
  });
});
