// @vitest-environment jsdom
/**
 * Right after the employee clicks Start, the mirror still holds the account as it was before
 * (未开启搬家, 0 of 0) until the bridge's status event arrives: the panel shows the start under
 * way from the bridge's answer, not "started … [Not enabled] 0 of 0 messages", then the counts
 * once the old mailbox is counted.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import type { BridgeState } from '../../extension/lib/runtime-messages';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { PanelContext } from '../../extension/panel/messages';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

let mirror: MailmoverDb;
const zero = { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 };

stubPageClient({
  // What the bridge answers account.credentials with: the account queued, newer than the mirror's row.
  bridgeRequest: vi.fn(async () => {
    const row = (await mirror.accounts.get('acc_emp1'))!;
    const { progress: _p, syncedAt: _s, ...view } = row;
    return { account: { ...view, status: 'in_progress', phase: 'queued', hasSourcePassword: true, updatedAt: '2025-01-03T00:00:00.000Z' } };
  }),
  bridgeRequestRaw: vi.fn(async () => ({})),
});

const { EmployeeFlow } = await import('../../extension/panel/EmployeeFlow');

const bridge = { phase: 'connected', port: 7878, version: '1.0.0', paired: true, tokenId: 'tok', origin: null, problem: null, lastConnectedAt: null, nextAttemptAt: null, updatedAt: '2025-01-01T00:00:00.000Z' } as BridgeState;
const context: PanelContext = { kind: 'webmail', siteId: 'exmail', presetId: null, origin: 'https://mail.corp.example.com', address: 'emp1@corp.example.com' };

beforeAll(async () => {
  mirror = openDb('self-service-starting');
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob(), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
  await mirror.accounts.put(
    makeAccount({ id: 'acc_emp1', source: 'emp1@corp.example.com', target: 'emp1@corp.example.com', mode: 'admin-without-passwords', status: 'not_enabled', hasSourcePassword: false, error: null, counters: zero }),
  );
});
afterEach(cleanup);

describe('the moment after Start', () => {
  it('shows a starting state until the first figures, never the status the mirror had before', async () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <EmployeeFlow context={context} bridge={bridge} onOwnMigration={() => undefined} />
      </LocaleProvider>,
    );
    await screen.findByTestId('self-form');
    fireEvent.change(document.querySelector('[name=self-password]')!, { target: { value: 'Secret-1' } });
    await act(async () => fireEvent.click(screen.getByTestId('self-start')));

    const progress = await screen.findByTestId('self-progress');
    expect(progress.dataset.starting).toBe('true');
    expect(screen.getByTestId('self-starting').textContent).toContain('正在开启 emp1@corp.example.com 的邮箱搬家');
    expect(progress.textContent).not.toContain('未开启搬家');
    expect(progress.textContent).not.toContain('0 / 0');
    expect(screen.queryByTestId('self-counts')).toBeNull();

    // The mirror catches up: still queued, then counted and copying.
    await act(async () => void (await mirror.accounts.update('acc_emp1', { status: 'in_progress', phase: 'queued', updatedAt: '2025-01-03T00:00:01.000Z' })));
    expect(screen.getByTestId('self-progress').dataset.starting).toBe('true');
    await act(async () => void (await mirror.accounts.update('acc_emp1', { phase: 'copying', counters: { ...zero, messagesTotal: 13, messagesCopied: 2 }, updatedAt: '2025-01-03T00:00:02.000Z' })));
    await waitFor(() => expect(screen.getByTestId('self-progress').dataset.starting).toBe('false'));
    expect(screen.getByTestId('self-counts').textContent).toBe('已搬 2 / 13 封');
    expect(screen.getByTestId('self-state').textContent).toContain('进行中');
  });
});
