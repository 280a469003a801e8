// @vitest-environment jsdom
/**
 * A job with an admin login for the old system keeps one admin password, and job.update stores
 * it for the job's old server of today. An account that kept the server it started with (a
 * server change for new accounts only) reads another server: the drawer's form named that
 * server and sent the admin password typed for it with job.update, so the bridge stored it for,
 * and logged in with it to, the job's other server. The form must not send a password as being
 * for one server when the bridge will use it with another.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobView } from '../../shared/protocol';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: Array<{ type: string; params: unknown }> = [];

stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return {};
  }),
  bridgeRequestRaw: vi.fn(async (type: string, params: unknown) => {
    sent.push({ type, params });
    return { ok: true, error: null, folders: 3, ms: 20, report: null };
  }),
});

const { PasswordAgainForm } = await import('../../extension/dashboard/monitor/PasswordAgainForm');

const tls = { port: 993, security: 'tls' as const, allowPlaintext: false, insecureTls: false };
const OLD = { ...tls, host: 'imap.kept-old.example' };

function job(hasPassword: boolean): JobView {
  return makeJob({
    source: { ...tls, host: 'imap.moved-to.example', protocol: 'imap' },
    sourceLogin: { kind: 'admin', adminUser: 'postmaster', form: 'authzid', hasPassword },
    target: { ...tls, host: 'imap.target.example' },
    provider: null,
  });
}

beforeEach(() => {
  sent.length = 0;
});
afterEach(cleanup);

describe('admin password of an account that kept its old server', () => {
  it.each(['en', 'zh-CN'] as const)('password needed: the job’s admin password is not asked for as the kept server’s (%s)', async (locale) => {
    // The target server changed (the account's own new-mailbox password is needed); the job's
    // admin password is stored for the kept server, not for the job's server of today.
    const account = makeAccount({ status: 'password_needed', hasSourcePassword: false, hasTargetPassword: false, error: null, sourceServer: OLD });
    render(
      <LocaleProvider initial={locale} persist={false}>
        <PasswordAgainForm account={account} job={job(false)} />
      </LocaleProvider>,
    );
    await screen.findByTestId('password-again-target');
    const admin = screen.queryByTestId('password-again-source');
    if (admin) fireEvent.change(admin, { target: { value: 'Admin-of-kept-old-1' } });
    fireEvent.change(screen.getByTestId('password-again-target'), { target: { value: 'Own-target-2' } });
    await act(async () => fireEvent.submit(screen.getByTestId('password-again-form')));
    expect(JSON.stringify(sent)).not.toContain('Admin-of-kept-old-1');
    expect(sent.filter((s) => s.type === 'job.update')).toEqual([]);
    expect(sent).toEqual([{ type: 'account.credentials', params: { accountId: 'acc_abcdef', targetPassword: 'Own-target-2', targetServer: { protocol: 'imap', host: 'imap.target.example', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false } } }]);
    const note = screen.getByTestId('password-again-admin-kept').textContent ?? '';
    expect(note).toContain('imap.kept-old.example:993');
    expect(note).toContain('imap.moved-to.example:993');
    expect(note).toContain(locale === 'zh-CN' ? '“修改原邮箱服务器地址”' : '“Change the old mailbox’s server address”');
  });

  it('failed login: the admin password tested on the kept server is not sent as the job’s', async () => {
    const account = makeAccount({ sourceServer: OLD });
    render(
      <LocaleProvider initial="en" persist={false}>
        <PasswordAgainForm account={account} job={job(true)} reason="auth_failed" />
      </LocaleProvider>,
    );
    await screen.findByTestId('update-password-form');
    const admin = screen.queryByTestId('password-again-source');
    if (admin) {
      fireEvent.change(admin, { target: { value: 'Admin-of-kept-old-3' } });
      await act(async () => fireEvent.click(screen.getByTestId('update-password-test')));
    }
    await act(async () => fireEvent.submit(screen.getByTestId('update-password-form')));
    expect(sent.filter((s) => s.type === 'job.update')).toEqual([]);
    expect(screen.getByTestId('password-again-admin-kept').textContent).toContain('imap.kept-old.example:993');
  });
});
