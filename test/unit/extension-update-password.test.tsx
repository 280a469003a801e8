// @vitest-environment jsdom
/**
 * 更新密码并重试 (issue 15 point 1): a failed AUTH_FAILED account is fixed where its error is
 * shown. The form asks for the password of the side that failed (the engine's message names
 * it), shows the provider's client-password hint (Tencent Exmail: 客户端专用密码), tests the typed
 * password against the account's server and sends it: the account's own with
 * account.credentials (the bridge queues the failed account again), an admin login with
 * job.update followed by account.retry. The bridge is stubbed; what is sent is asserted.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: Array<{ type: string; params: unknown }> = [];
let testAnswer: unknown = null;

stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return {};
  }),
  bridgeRequestRaw: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return testAnswer;
  }),
});

const { PasswordAgainForm } = await import('../../extension/dashboard/monitor/PasswordAgainForm');

beforeEach(() => {
  sent.length = 0;
  testAnswer = null;
});
afterEach(cleanup);

const targetFailed = makeAccount({
  error: { code: 'AUTH_FAILED', message: 'Login failed for the target. The server said "NO".', remedy: { en: 'Check.', zh: '检查。' }, transient: false },
});

describe('update password and retry', () => {
  it('asks for the old password with the Exmail hint, and sends it with account.credentials', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={makeAccount()} job={makeJob()} reason="auth_failed" />
      </LocaleProvider>,
    );
    expect(screen.getByRole('heading').textContent).toBe('更新密码并重试');
    expect(screen.getByText(/原邮箱登录失败/)).toBeTruthy();
    expect(screen.getByTestId('auth-code-hint').textContent).toContain('客户端专用密码');
    expect(screen.queryByTestId('password-again-target')).toBeNull();
    const input = screen.getByTestId('password-again-source') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'Right-Pw-1' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('password-again-submit'));
    });
    await waitFor(() => expect(sent).toEqual([{ type: 'account.credentials', params: { accountId: 'acc_abcdef', sourcePassword: 'Right-Pw-1', sourceServer: { protocol: 'imap', host: 'imap.exmail.qq.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } }]));
    expect(input.value).toBe('');
    expect(screen.getByRole('status').textContent).toBe('已保存，账号正在重试。');
  });

  it('asks for the new mailbox password when the target refused the login', async () => {
    render(
      <LocaleProvider initial="en" persist={false}>
        <PasswordAgainForm account={targetFailed} job={makeJob()} reason="auth_failed" />
      </LocaleProvider>,
    );
    expect(screen.queryByTestId('password-again-source')).toBeNull();
    expect(screen.queryByTestId('auth-code-hint')).toBeNull();
    fireEvent.change(screen.getByTestId('password-again-target'), { target: { value: 'Tgt-Pw-2' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Update password and retry' }));
    });
    await waitFor(() => expect(sent).toEqual([{ type: 'account.credentials', params: { accountId: 'acc_abcdef', targetPassword: 'Tgt-Pw-2', targetServer: { protocol: 'imap', host: 'imap.qiye.aliyun.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } }]));
  });

  it('takes the side from the error’s `side` when the bridge sends it', async () => {
    const account = makeAccount({ error: { code: 'AUTH_FAILED', message: 'Authentication failed.', side: 'target', remedy: { en: 'Check.', zh: '检查。' }, transient: false } });
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={account} job={makeJob()} reason="auth_failed" />
      </LocaleProvider>,
    );
    expect(screen.queryByTestId('password-again-source')).toBeNull();
    expect(screen.getByTestId('password-again-target')).toBeTruthy();
    expect(screen.getByText(/新邮箱登录失败/)).toBeTruthy();
  });

  it("sends a job's admin password with job.update, then retries the account", async () => {
    const job = makeJob({ sourceLogin: { kind: 'admin', adminUser: 'postmaster@old.example', form: 'authzid', hasPassword: true } });
    render(
      <LocaleProvider initial="en" persist={false}>
        <PasswordAgainForm account={makeAccount()} job={job} reason="auth_failed" />
      </LocaleProvider>,
    );
    fireEvent.change(screen.getByTestId('password-again-source'), { target: { value: 'Admin-Pw-3' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('password-again-submit'));
    });
    await waitFor(() =>
      expect(sent).toEqual([
        { type: 'job.update', params: { jobId: 'job_abcdef', patch: { sourceLogin: { kind: 'admin', adminUser: 'postmaster@old.example', form: 'authzid', password: 'Admin-Pw-3' } }, sourceServer: { protocol: 'imap', host: 'imap.exmail.qq.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } },
        { type: 'account.retry', params: { accountIds: ['acc_abcdef'] } },
      ]),
    );
  });

  it('tests the typed password against the account’s server before saving, and shows the diagnosis', async () => {
    testAnswer = {
      ok: false,
      error: { code: 'AUTH_FAILED', message: 'Login failed for the source.', remedy: { en: 'Check the password.', zh: '请检查密码。' }, transient: false },
      folders: null,
      ms: 12,
      report: null,
    };
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={makeAccount({ sourceServer: { host: 'hwimap.exmail.qq.com', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } })} job={makeJob()} reason="auth_failed" />
      </LocaleProvider>,
    );
    fireEvent.change(screen.getByTestId('password-again-source'), { target: { value: 'Still-Wrong' } });
    await act(async () => {
      fireEvent.click(screen.getByTestId('update-password-test'));
    });
    await waitFor(() => expect(screen.getByTestId('update-password-test-result').dataset.ok).toBe('false'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'endpoint.test',
      params: { side: 'source', user: 'zhang@old.example', password: 'Still-Wrong', server: { host: 'hwimap.exmail.qq.com', port: 993, protocol: 'imap' }, provider: 'tencent' },
    });
    expect(screen.getByTestId('update-password-test-result').textContent).toContain('原邮箱登录失败');
    // nothing saved by a test; the password stays for the save
    expect((screen.getByTestId('password-again-source') as HTMLInputElement).value).toBe('Still-Wrong');
  });
});
