// @vitest-environment jsdom
/**
 * 修改服务器地址 tests before saving (issue 15 point 8): the dialog logs in to the new server
 * with one account of the job (its password typed there; stored ones are bound to the old
 * server) and shows the wizard's diagnosis in place. A failed test saves nothing until the admin
 * chooses 仍然保存; a passing test saves the move (server.change). The bridge is stubbed.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: Array<{ type: string; params: Record<string, unknown> }> = [];
let testOk = false;

stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: Record<string, unknown>) => {
    sent.push({ type, params });
    return {};
  }),
  bridgeRequestRaw: vi.fn(async (type: string, params: Record<string, unknown>) => {
    sent.push({ type, params });
    return testOk
      ? { ok: true, error: null, folders: 5, ms: 40, report: null }
      : {
          ok: false,
          error: { code: 'TLS_FAILED', message: 'The TLS certificate of the source is not trusted (--insecure-tls).', remedy: { en: REMEDIES.TLS_FAILED.en, zh: REMEDIES.TLS_FAILED.zh }, transient: false },
          folders: null,
          ms: 40,
          report: null,
        };
  }),
});

const { ServerChangeDialog } = await import('../../extension/dashboard/monitor/ServerChangeDialog');

beforeAll(async () => {
  const d = openDb('server-change-test');
  installDb(d);
  await d.accounts.put(makeAccount({ id: 'acc_1', source: 'wang@old.example', status: 'in_progress', error: null }));
});
afterEach(cleanup);

const q = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;

describe('server change dialog', () => {
  it('tests the new settings with one account, shows the diagnosis, and saves only when asked or when the login works', async () => {
    const onClose = vi.fn();
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <ServerChangeDialog job={makeJob()} onClose={onClose} />
      </LocaleProvider>,
    );
    await waitFor(() => expect(q('server-change-test-account').value).toBe('wang@old.example'));
    fireEvent.change(q('change-host'), { target: { value: 'imap.broken.example' } });
    fireEvent.change(q('server-change-test-password'), { target: { value: 'Pw-1' } });
    const save = screen.getByTestId('server-change-save');
    expect(save.textContent).toBe('测试并保存');

    await act(async () => fireEvent.click(save));
    await waitFor(() => expect(screen.getByTestId('test-result').dataset.ok).toBe('false'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'endpoint.test', params: { side: 'source', user: 'wang@old.example', password: 'Pw-1', server: { host: 'imap.broken.example', port: 993, protocol: 'imap' } } });
    expect(screen.getByTestId('test-result').textContent).toContain('TLS_FAILED');
    expect(screen.getByTestId('test-result').textContent).not.toContain('--insecure-tls');
    expect(onClose).not.toHaveBeenCalled();
    expect(save.textContent).toBe('仍然保存');

    // other settings: tested again, and saved once the login works
    testOk = true;
    fireEvent.change(q('change-host'), { target: { value: 'imap.fixed.example' } });
    expect(save.textContent).toBe('测试并保存');
    await act(async () => fireEvent.click(save));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(sent.map((s) => s.type)).toEqual(['endpoint.test', 'endpoint.test', 'server.change']);
    expect(sent[2]!.params).toMatchObject({ jobId: 'job_abcdef', scope: 'new-accounts', host: 'imap.fixed.example', port: 993 });
  });
});
