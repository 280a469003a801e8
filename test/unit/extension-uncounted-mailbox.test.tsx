// @vitest-environment jsdom
/**
 * An account that failed at login before its old mailbox was counted (walkthrough 33) showed
 * "0 / 0 messages · 0 B · 0%" in its monitor row, "Total messages 0" in its drawer and "0 of 0
 * messages" / "已搬 0 / 0 封" in the employee panel: an empty mailbox, to whoever reads it. It says
 * "not counted yet" instead; an empty mailbox whose first pass finished keeps its 0 / 0.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { installDb, openDb, type AccountRow, type MailmoverDb } from '../../extension/db/schema';
import type { Locale } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { PanelContext } from '../../extension/panel/messages';
import { connectedBridge, makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async (type: string) => (type === 'account.get' ? { account: null, folders: [] } : { items: [], total: 0 })),
  bridgeRequestRaw: vi.fn(async () => null),
});

const { StatusTable } = await import('../../extension/dashboard/monitor/StatusTable');
const { DetailsDrawer } = await import('../../extension/dashboard/monitor/DetailsDrawer');
const { EmployeeFlow } = await import('../../extension/panel/EmployeeFlow');
const { isUncounted } = await import('../../extension/dashboard/monitor/monitor-model');

let mirror: MailmoverDb;
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  mirror = openDb('uncounted-mailbox');
  installDb(mirror);
});
beforeEach(async () => {
  await mirror.accounts.clear();
  await mirror.jobs.clear();
  await mirror.jobs.put({ ...makeJob({ provider: 'tencent' }), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
});
afterEach(cleanup);

const inLocale = (locale: Locale, node: ReactNode) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      {node}
    </LocaleProvider>,
  );

// makeAccount's default: failed at login (AUTH_FAILED), nothing counted, no first pass.
const failedUncounted = makeAccount({ id: 'acc_failed', source: 'staff3@old.example.com' });
const emptyDone = makeAccount({ id: 'acc_empty', source: 'empty@old.example.com', status: 'syncing', error: null, startedAt: '2025-01-01T00:00:00.000Z', firstPassDoneAt: '2025-01-01T00:01:00.000Z' });
const noop = () => undefined;

describe('a mailbox not counted yet', () => {
  it('is told from an empty mailbox whose first pass finished', () => {
    expect(isUncounted(failedUncounted)).toBe(true);
    expect(isUncounted(emptyDone)).toBe(false);
  });

  it('monitor row: "Not counted yet", not "0 / 0 messages · 0 B · 0%"; the finished empty one keeps 0 / 0', () => {
    inLocale('en', <StatusTable rows={[failedUncounted, emptyDone]} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />);
    const rows = screen.getAllByTestId('account-row');
    const failed = rows.find((r) => r.dataset.account === 'staff3@old.example.com')!;
    const empty = rows.find((r) => r.dataset.account === 'empty@old.example.com')!;
    expect(failed.textContent).toContain('Not counted yet');
    expect(failed.textContent).not.toContain('0 / 0');
    expect(empty.textContent).toContain('0 / 0 messages');
  });

  it('monitor row in Chinese: 尚未统计', () => {
    inLocale('zh-CN', <StatusTable rows={[failedUncounted]} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />);
    const row = screen.getByTestId('account-row');
    expect(row.textContent).toContain('尚未统计');
    expect(row.textContent).not.toContain('0 / 0');
  });

  it('details drawer: total messages "Not counted yet" / "尚未统计", 0 for the finished empty one', () => {
    const total = (account: AccountRow, locale: Locale) => {
      inLocale(locale, <DetailsDrawer account={account} onClose={noop} />);
      const text = screen.getByTestId('drawer-total').textContent;
      cleanup();
      return text;
    };
    expect(total(failedUncounted, 'en')).toBe('Not counted yet');
    expect(total(failedUncounted, 'zh-CN')).toBe('尚未统计');
    expect(total(emptyDone, 'en')).toBe('0');
  });

  it('employee panel: "Messages not counted yet" / "尚未统计邮件数", not "0 of 0 messages"', async () => {
    const context: PanelContext = { kind: 'webmail', siteId: 'exmail', presetId: null, origin: 'https://mail.corp.example.com', address: 'emp1@corp.example.com' };
    await mirror.accounts.put(makeAccount({ id: 'acc_emp1', source: 'emp1@corp.example.com', target: 'emp1@corp.example.com', mode: 'admin-without-passwords' }));
    for (const [locale, text] of [
      ['en', 'Messages not counted yet'],
      ['zh-CN', '尚未统计邮件数'],
    ] as const) {
      inLocale(locale, <EmployeeFlow context={context} bridge={connectedBridge} onOwnMigration={noop} />);
      const counts = await screen.findByTestId('self-counts');
      expect(counts.textContent).toBe(text);
      cleanup();
    }
  });
});
