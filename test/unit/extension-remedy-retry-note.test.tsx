// @vitest-environment jsdom
/**
 * "The bridge retries this by itself" is said only where it is true: under the error of an
 * account the bridge runs again (in progress or syncing, waiting for its next attempt), not
 * under the wizard's one-shot connection test, nor under an account that already failed.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { makeAccount } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async (type: string) => (type === 'account.get' ? { account: null, folders: [] } : type === 'account.skipped' ? { items: [], total: 0 } : {})),
  bridgeRequestRaw: vi.fn(async () => null),
});

const { ConnectionResult } = await import('../../extension/dashboard/wizard/ConnectionResult');
const { DetailsDrawer } = await import('../../extension/dashboard/monitor/DetailsDrawer');

const timeout = { code: 'TIMEOUT' as const, message: 'The source server stopped answering for 60 s.', side: 'source' as const, remedy: { en: REMEDIES.TIMEOUT.en, zh: REMEDIES.TIMEOUT.zh }, transient: true };
const inLocale = (locale: Locale, ui: React.ReactElement) => (
  <LocaleProvider initial={locale} persist={false}>
    {ui}
  </LocaleProvider>
);

beforeAll(() => installDb(openDb('remedy-retry-note')));
afterEach(cleanup);

describe('the "retries by itself" note', () => {
  it.each(['en', 'zh-CN'] as const)('is not under a connection test that timed out (%s)', (locale) => {
    const result = { ok: false, error: timeout, folders: null, ms: 60_000, report: null } as never;
    render(inLocale(locale, <ConnectionResult result={result} providerId="generic" stale={false} />));
    expect(screen.getByRole('note').textContent).toContain('TIMEOUT');
    expect(screen.queryByTestId('remedy-retry')).toBeNull();
    expect(document.body.textContent).not.toMatch(/retries this by itself|会自动重试/);
  });

  it('is under the error of an account the bridge will run again', async () => {
    const account = makeAccount({ status: 'in_progress', phase: 'waiting-retry', error: timeout });
    render(inLocale('zh-CN', <DetailsDrawer account={account} onClose={() => undefined} />));
    expect((await screen.findByTestId('remedy-retry')).textContent).toBe('桥接程序会自动重试。');
  });

  it('is not under an account that failed (nothing retries it until someone acts)', () => {
    const account = makeAccount({ status: 'failed', phase: null, error: timeout });
    render(inLocale('en', <DetailsDrawer account={account} onClose={() => undefined} />));
    expect(screen.getAllByRole('note')[0]!.textContent).toContain('TIMEOUT');
    expect(screen.queryByTestId('remedy-retry')).toBeNull();
    expect(document.body.textContent).not.toContain('retries this by itself');
  });
});
