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
import type { AccountRow } from '../../extension/db/schema';
import { STATUS_HINT_KEYS, STATUS_KEYS } from '../../extension/components/status';
import { translate } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';

const sent: Array<{ type: string; params: unknown }> = [];

vi.mock('../../extension/lib/page-client', () => ({
  PageRequestError: class extends Error {},
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return {};
  }),
}));

const { PasswordAgainForm } = await import('../../extension/dashboard/monitor/PasswordAgainForm');

const server = { host: 'imap.new-host.example', port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false };

function makeJob(sourceAdmin: boolean): JobView {
  return {
    id: 'job_abcdef',
    name: 'j',
    status: 'active',
    source: { ...server, protocol: 'imap' },
    sourceLogin: sourceAdmin ? { kind: 'admin', adminUser: 'postmaster', form: 'authzid', hasPassword: false } : { kind: 'per-account' },
    target: { ...server, host: 'imap.target.example' },
    targetLogin: { kind: 'per-account' },
    storage: 'mapped',
    filters: { since: null, includeFolders: [], excludeFolders: [], deleted: 'copy' },
    incremental: { intervalMinutes: 5, windowDays: 30 },
    concurrency: 2,
    batchMessages: 200,
    provider: null,
    counts: {} as JobView['counts'],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

const account: AccountRow = {
  id: 'acc_abcdef',
  jobId: 'job_abcdef',
  source: 'zhang@old.example',
  target: 'zhang@new.example',
  mode: 'admin-with-passwords',
  status: 'password_needed',
  phase: null,
  hasSourcePassword: false,
  hasTargetPassword: true,
  sourceServer: null,
  counters: { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 },
  error: null,
  attempts: 1,
  nextRunAt: null,
  startedAt: null,
  firstPassDoneAt: null,
  lastSyncAt: null,
  syncEndsAt: null,
  updatedAt: '2025-01-01T00:00:00.000Z',
  progress: null,
  syncedAt: '2025-01-01T00:00:00.000Z',
};

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
    const job = makeJob(false);
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
    await waitFor(() => expect(sent).toEqual([{ type: 'account.credentials', params: { accountId: 'acc_abcdef', sourcePassword: 'New-Old-Pw-1' } }]));
    expect(input.value).toBe('');
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Saved: the account continues.');
  });

  it("asks for the job's admin password in Chinese and sends it with job.update", async () => {
    const job = makeJob(true);
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
      expect(sent).toEqual([{ type: 'job.update', params: { jobId: 'job_abcdef', patch: { sourceLogin: { kind: 'admin', adminUser: 'postmaster', form: 'authzid', password: 'Admin-Pw-2' } } } }]),
    );
  });

  it('sends nothing when no password was typed', async () => {
    const job = makeJob(false);
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
});
