// @vitest-environment jsdom
/**
 * An employee opens the webmail panel again after their migration ran (another day, after a
 * bridge restart): the panel has no memory of the start, only the mirror does. They see that
 * migration's state (syncing with its counts, or the failure with its remedy and the form
 * again), never "no migration was opened for you" nor an offer to set up a second one.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import type { PanelContext } from '../../extension/panel/messages';
import { makeAccount, makeJob, connectedBridge } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async () => ({})),
  bridgeRequestRaw: vi.fn(async () => ({})),
});

const { EmployeeFlow } = await import('../../extension/panel/EmployeeFlow');

const bridge = connectedBridge;

const context: PanelContext = { kind: 'webmail', siteId: 'exmail', presetId: null, origin: 'https://mail.corp.example.com', address: 'emp1@corp.example.com' };
const counters = { messagesTotal: 13, messagesCopied: 13, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 13_000, messagesSyncedSinceFirstPass: 0 };

let mirror: MailmoverDb;
beforeAll(() => {
  mirror = openDb('self-service-reopen');
  installDb(mirror);
});
beforeEach(async () => {
  await mirror.accounts.clear();
  await mirror.jobs.clear();
  await mirror.settings.clear();
  await mirror.jobs.put({ ...makeJob({ provider: 'tencent' }), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
});
afterEach(cleanup);

const open = (locale: Locale) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      <EmployeeFlow context={context} bridge={bridge} onOwnMigration={() => undefined} />
    </LocaleProvider>,
  );

const emp1 = (patch: Parameters<typeof makeAccount>[0]) =>
  makeAccount({ id: 'acc_emp1', source: 'emp1@corp.example.com', target: 'emp1@corp.example.com', mode: 'admin-without-passwords', ...patch });

describe('the webmail panel opened again after the migration ran', () => {
  it('shows the syncing migration with its counts, and no invitation to set one up', async () => {
    await mirror.accounts.put(emp1({ status: 'syncing', error: null, counters, firstPassDoneAt: '2025-01-02T00:00:00.000Z' }));
    open('en');
    const progress = await screen.findByTestId('self-progress');
    expect(progress.dataset.status).toBe('syncing');
    expect(progress.dataset.done).toBe('true');
    expect(screen.getByTestId('self-counts').textContent).toBe('13 of 13 messages');
    expect(screen.getByTestId('self-done').textContent).toContain('new mail in the old mailbox keeps arriving here');
    expect(screen.queryByTestId('no-invite')).toBeNull();
    expect(screen.queryByTestId('self-form')).toBeNull();
    expect(document.body.textContent).not.toContain('No migration was opened for you');
  });

  it('in Chinese too, and a running one shows its progress', async () => {
    await mirror.accounts.put(emp1({ mode: 'self-service', status: 'in_progress', phase: 'copying', error: null, counters: { ...counters, messagesCopied: 5 } }));
    open('zh-CN');
    const progress = await screen.findByTestId('self-progress');
    expect(progress.dataset.status).toBe('in_progress');
    expect(screen.getByTestId('self-counts').textContent).toBe('已搬 5 / 13 封');
    expect(document.body.textContent).not.toContain('管理员尚未为您开启搬家');
  });

  it('a failed one shows its error and remedy, and the form again for that account only on request', async () => {
    const error = { code: 'AUTH_FAILED' as const, message: 'Login failed for the source.', remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false };
    await mirror.accounts.put(emp1({ status: 'failed', error, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('zh-CN');
    const progress = await screen.findByTestId('self-progress');
    expect(progress.dataset.status).toBe('failed');
    expect(progress.textContent).toContain('AUTH_FAILED');
    expect(progress.textContent).toContain(REMEDIES.AUTH_FAILED.zh);
    expect(screen.queryByTestId('no-invite')).toBeNull();
    await act(async () => fireEvent.click(screen.getByTestId('self-try-again')));
    await waitFor(() => expect(screen.getByTestId('self-form')).toBeTruthy());
    expect(screen.getByTestId('invite').textContent).toContain('Exmail to Alibaba');
  });

  it.each(['closed', 'failed'] as const)('a new invitation of the admin for the address wins over a migration that is %s', async (status) => {
    // The admin opened the same address again in a second job, after the first one's account ended.
    await mirror.jobs.put({ ...makeJob({ id: 'job-2', provider: 'tencent' }), syncedAt: '2025-02-01T00:00:00.000Z' } as never);
    await mirror.accounts.put(emp1({ status, error: null, counters, updatedAt: '2025-01-05T00:00:00.000Z' }));
    await mirror.accounts.put(emp1({ id: 'acc_emp1_again', jobId: 'job-2', status: 'not_enabled', error: null, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('en');
    await screen.findByTestId('self-form');
    expect(screen.queryByTestId('self-progress')).toBeNull();
  });

  it('a migration still under way is shown rather than another invitation for the address', async () => {
    await mirror.jobs.put({ ...makeJob({ id: 'job-2', provider: 'tencent' }), syncedAt: '2025-02-01T00:00:00.000Z' } as never);
    await mirror.accounts.put(emp1({ status: 'syncing', error: null, counters, firstPassDoneAt: '2025-01-02T00:00:00.000Z' }));
    await mirror.accounts.put(emp1({ id: 'acc_emp1_again', jobId: 'job-2', status: 'not_enabled', error: null, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('en');
    expect((await screen.findByTestId('self-progress')).dataset.status).toBe('syncing');
  });

  it('a password typed into the form is dropped when the migration starts from elsewhere, and not filled in again', async () => {
    const error = { code: 'AUTH_FAILED' as const, message: 'Login failed for the source.', remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false };
    await mirror.accounts.put(emp1({ status: 'not_enabled', error: null, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('en');
    await screen.findByTestId('self-form');
    const field = () => document.querySelector<HTMLInputElement>('input[name="self-password"]')!;
    fireEvent.change(field(), { target: { value: 'typed-but-not-sent' } });
    expect(field().value).toBe('typed-but-not-sent');
    // The admin (or another tab) started it; then it failed, and the employee asks for the form again.
    await act(async () => mirror.accounts.put(emp1({ status: 'failed', error, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 }, updatedAt: '2025-01-03T00:00:00.000Z' })));
    await screen.findByTestId('self-progress');
    await act(async () => fireEvent.click(screen.getByTestId('self-try-again')));
    await waitFor(() => expect(screen.getByTestId('self-form')).toBeTruthy());
    expect(field().value).toBe('');
  });

  it('a waiting invitation for the address is still the form', async () => {
    await mirror.accounts.put(emp1({ status: 'not_enabled', error: null, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('en');
    await screen.findByTestId('self-form');
    expect(screen.queryByTestId('self-progress')).toBeNull();
  });
});

describe('a mailbox the admin migrates with the password they entered', () => {
  const admin = (patch: Parameters<typeof makeAccount>[0]) => emp1({ mode: 'admin-with-passwords', ...patch });

  it('shows that migration and who runs it, not "no migration was opened for you"', async () => {
    await mirror.accounts.put(admin({ status: 'in_progress', phase: 'copying', error: null, counters: { ...counters, messagesCopied: 4 } }));
    open('en');
    const progress = await screen.findByTestId('self-progress');
    expect(progress.dataset.status).toBe('in_progress');
    expect(screen.getByTestId('self-counts').textContent).toBe('4 of 13 messages');
    expect(screen.getByTestId('self-by-admin').textContent).toContain('Your administrator is migrating this mailbox');
    expect(screen.queryByTestId('no-invite')).toBeNull();
    expect(screen.queryByTestId('self-form')).toBeNull();
  });

  it('before it starts: no form asking the employee for a password the admin entered', async () => {
    await mirror.accounts.put(admin({ status: 'not_started', error: null, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('zh-CN');
    await screen.findByTestId('self-progress');
    expect(screen.getByTestId('self-by-admin').textContent).toContain('尚未开始');
    expect(screen.queryByTestId('self-form')).toBeNull();
    expect(screen.queryByTestId('self-counts')).toBeNull();
    expect(document.body.textContent).not.toContain('管理员尚未为您开启搬家');
  });

  it('a failure says to tell the admin, with no "try again" form', async () => {
    const error = { code: 'AUTH_FAILED' as const, message: 'Login failed for the source.', remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false };
    await mirror.accounts.put(admin({ status: 'failed', error, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
    open('en');
    await screen.findByTestId('self-progress');
    expect(screen.getByTestId('self-by-admin').textContent).toContain('tell them about this error');
    expect(screen.queryByTestId('self-try-again')).toBeNull();
  });

  it('the address is found whatever its case', async () => {
    await mirror.accounts.put(admin({ target: 'Emp1@Corp.Example.com', status: 'syncing', error: null, counters, firstPassDoneAt: '2025-01-02T00:00:00.000Z' }));
    open('en');
    expect((await screen.findByTestId('self-progress')).dataset.status).toBe('syncing');
  });
});

describe('"no migration was opened for you"', () => {
  const at = (iso: string) => ({ ...connectedBridge, lastConnectedAt: iso });
  const openWith = (b: typeof connectedBridge, locale: Locale = 'en') =>
    render(
      <LocaleProvider initial={locale} persist={false}>
        <EmployeeFlow context={context} bridge={b} onOwnMigration={() => undefined} />
      </LocaleProvider>,
    );

  it('is said from a mirror holding the connected bridge’s snapshot', async () => {
    await mirror.settings.put({ key: 'lastSnapshotAt', value: '2025-03-01T10:00:00.100Z' });
    openWith(at('2025-03-01T10:00:00.000Z'), 'zh-CN');
    expect((await screen.findByTestId('no-invite')).textContent).toContain('管理员尚未为您开启搬家');
  });

  it('is not said while the page has not seen that snapshot yet (a first pairing): the invitation comes instead', async () => {
    await mirror.settings.put({ key: 'lastSnapshotAt', value: '2025-03-01T09:00:00.000Z' });
    openWith(at('2025-03-01T10:00:00.000Z'));
    await screen.findByTestId('self-bridge-notice').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(screen.queryByTestId('no-invite')).toBeNull();
    // The snapshot reaches the page, with the admin's invitation in it.
    await act(async () => {
      await mirror.accounts.put(emp1({ status: 'not_enabled', error: null, counters: { ...counters, messagesTotal: 0, messagesCopied: 0 } }));
      await mirror.settings.put({ key: 'lastSnapshotAt', value: '2025-03-01T10:00:00.050Z' });
    });
    await screen.findByTestId('self-form');
    expect(screen.queryByTestId('no-invite')).toBeNull();
  });
});
