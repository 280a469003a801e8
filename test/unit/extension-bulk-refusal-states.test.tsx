// @vitest-environment jsdom
/**
 * A bulk action refused for accounts in several states worded its reason for the first one only
 * ("only failed accounts can be retried (this one is “In progress”)" while two were closed and
 * two syncing). The reason stays the first account's; the other states follow, with counts.
 */
import 'fake-indexeddb/auto';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { stubPageClient } from './extension-doubles';

const STATUSES = ['in_progress', 'closed', 'syncing', 'closed', 'syncing'] as const;
stubPageClient({
  bridgeRequest: vi.fn(async (_type: string, params: { accountIds: string[] }) => ({
    results: params.accountIds.map((accountId, i) => ({ accountId, ok: false, status: STATUSES[i]! })),
  })),
  bridgeRequestRaw: vi.fn(async () => null),
  bridgeCommand: vi.fn(async () => ({})),
});

const { BulkActions } = await import('../../extension/dashboard/monitor/BulkActions');

afterEach(cleanup);

describe('a bulk action refused for accounts in several states', () => {
  it.each([
    {
      locale: 'en' as const,
      button: 'Retry',
      text: '0 done, 5 not done: only failed accounts can be retried (this one is “In progress”). Other accounts not done were “Closed” (2), “Syncing new mail” (2).',
    },
    {
      locale: 'zh-CN' as const,
      button: '重试',
      text: '0 个已执行，5 个未执行：只有失败的账号可以重试（该账号当前为“进行中”）。其余未执行的账号状态为“已关闭”（2 个）、“同步新邮件中”（2 个）。',
    },
  ])('names every state ($locale)', async ({ locale, button, text }) => {
    render(
      <LocaleProvider initial={locale} persist={false}>
        <BulkActions ids={['a1', 'a2', 'a3', 'a4', 'a5']} disabled={false} />
      </LocaleProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: button }));
    expect((await screen.findByTestId('bulk-message', undefined, { timeout: 10_000 })).textContent).toBe(text);
  });
});
