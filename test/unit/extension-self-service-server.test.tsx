// @vitest-environment jsdom
/**
 * 员工自助搬家: the bridge stores the employee's old password for the server the account reads
 * from (the job's old server, or the one the account kept after a server change for new
 * accounts only) and uses it there. The form must show that server, test that server, and never
 * send a password typed for a server other than the one it will be used with: an employee who
 * edited the old server (for a test) cannot start with it until it is the migration's again.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import type { BridgeState } from '../../extension/lib/runtime-messages';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubSelfServiceBridge } from './extension-doubles';

let mirror: MailmoverDb;

const { answerFrom, sent } = stubSelfServiceBridge();

const { SelfServicePage } = await import('../../extension/dashboard/self/SelfServicePage');

const bridge = { phase: 'connected', port: 7878, version: '1.0.0', paired: true, tokenId: 'tok', origin: null, problem: null, lastConnectedAt: null, nextAttemptAt: null, updatedAt: '2025-01-01T00:00:00.000Z' } as BridgeState;
const zero = { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 };
const PINNED = { host: 'imap.old-pinned.example', port: 995, security: 'tls' as const, allowPlaintext: false, insecureTls: false };

let n = 0;
beforeEach(async () => {
  mirror = openDb(`self-service-server-${++n}`);
  answerFrom(mirror);
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob({ provider: 'tencent' }), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
  await mirror.accounts.put(makeAccount({ id: 'acc_self', source: 'li@old.example', target: 'li@new.example', mode: 'self-service', status: 'not_started', error: null, counters: zero }));
});
afterEach(cleanup);

const field = (name: string) => document.querySelector<HTMLInputElement>(`[name=${name}]`)!;

function renderPage(locale: 'en' | 'zh-CN' = 'en') {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <SelfServicePage bridge={bridge} onOpenWizard={() => undefined} />
    </LocaleProvider>,
  );
}

describe('self-service: the password goes only where it was typed for', () => {
  it.each(['en', 'zh-CN'] as const)('an edited old server is tested, but the password is not sent for the migration’s other server (%s)', async (locale) => {
    renderPage(locale);
    await screen.findByTestId('invite');
    fireEvent.change(field('self-target'), { target: { value: 'li@new.example' } });
    fireEvent.change(field('self-host'), { target: { value: 'imap.elsewhere.example' } });
    fireEvent.change(field('self-password'), { target: { value: 'Typed-for-elsewhere-1' } });

    await act(async () => fireEvent.click(screen.getByTestId('self-test')));
    await waitFor(() => expect(screen.getByTestId('self-test-result').dataset.ok).toBe('true'));
    expect(sent[0]).toMatchObject({ type: 'endpoint.test', params: { server: { host: 'imap.elsewhere.example' } } });

    // The bridge would store and use it for imap.exmail.qq.com: not sent, and the form says why.
    expect((screen.getByTestId('self-start') as HTMLButtonElement).disabled).toBe(true);
    await act(async () => fireEvent.submit(screen.getByTestId('self-form')));
    expect(sent.filter((s) => s.type === 'account.credentials')).toEqual([]);
    const note = screen.getByTestId('self-other-server').textContent ?? '';
    expect(note).toContain('imap.exmail.qq.com:993');
    if (locale === 'zh-CN') expect(note).toMatch(/管理员/);
    else expect(note).toMatch(/administrator/);

    // Back to the migration's server: the password may go.
    fireEvent.change(field('self-host'), { target: { value: 'imap.exmail.qq.com' } });
    await act(async () => fireEvent.click(screen.getByTestId('self-start')));
    await waitFor(() => expect(sent.at(-1)).toMatchObject({ type: 'account.credentials', params: { accountId: 'acc_self', sourcePassword: 'Typed-for-elsewhere-1' } }));
  });

  it('after a failed start, an account that kept its old server is shown and tested with that server, not the job’s', async () => {
    renderPage();
    await screen.findByTestId('invite');
    fireEvent.change(field('self-target'), { target: { value: 'li@new.example' } });
    fireEvent.change(field('self-password'), { target: { value: 'Wrong-1' } });
    await act(async () => fireEvent.click(screen.getByTestId('self-start')));
    await screen.findByTestId('self-progress');
    // The pass started and failed; meanwhile the admin moved the job's old server for new
    // accounts only, so this account keeps reading (and the bridge binds its password to) its own.
    await act(async () => {
      await mirror.accounts.update('acc_self', { status: 'failed', startedAt: '2025-01-01T00:00:00.000Z', sourceServer: PINNED });
      await mirror.jobs.update('job_abcdef', { source: { ...makeJob().source, host: 'imap.new-old-server.example' } });
    });
    await act(async () => fireEvent.click(await screen.findByTestId('self-try-again')));
    await screen.findByTestId('self-form');
    expect(field('self-host').value).toBe(PINNED.host);
    expect(field('self-port').value).toBe('995');
    fireEvent.change(field('self-password'), { target: { value: 'Right-2' } });
    await act(async () => fireEvent.click(screen.getByTestId('self-test')));
    await waitFor(() => expect(sent.at(-1)).toMatchObject({ type: 'endpoint.test', params: { server: { host: PINNED.host, port: 995 } } }));
    await act(async () => fireEvent.click(screen.getByTestId('self-start')));
    await waitFor(() => expect(sent.at(-1)).toMatchObject({ type: 'account.credentials', params: { accountId: 'acc_self', sourcePassword: 'Right-2' } }));
  });
});
