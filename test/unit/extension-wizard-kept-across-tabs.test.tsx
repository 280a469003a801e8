// @vitest-environment jsdom
/**
 * The dashboard's wizard keeps what was entered when the admin looks at another tab mid-way.
 * Walking it as an admin: five steps filled in (old server tested, new server, a 30-account CSV
 * imported), one click on "Migrations" to check an earlier job, and "New migration" came back
 * empty at step 1, without a word. The wizard now stays in the page while another tab is shown;
 * once it has started a job, "New migration" opens a fresh one.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { stubPageClient } from './extension-doubles';

const send = vi.fn(async () => ({ jobs: [], accounts: [], queue: null, workers: [] }));
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: vi.fn(async () => ({})) });

const { App } = await import('../../extension/dashboard/App');

afterEach(cleanup);

const goTo = (hash: string) =>
  act(async () => {
    location.hash = hash;
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });

describe('the wizard across the dashboard tabs', () => {
  it('keeps the typed address when the admin looks at the migrations list and comes back', async () => {
    installDb(openDb('wizard-kept-across-tabs'));
    location.hash = '#/new';
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <App />
      </LocaleProvider>,
    );
    const user = () => document.querySelector<HTMLInputElement>('[name=verify-user]')!;
    await act(async () => void fireEvent.change(user(), { target: { value: 'zhangwei@hxkj.cn' } }));
    await goTo('#/');
    // The list is what is shown; the wizard is out of sight.
    expect(document.querySelector('.wizard')!.closest('[hidden]')).not.toBeNull();
    await goTo('#/new');
    expect(document.querySelector('.wizard')!.closest('[hidden]')).toBeNull();
    expect(user().value).toBe('zhangwei@hxkj.cn');
    expect(screen.getAllByRole('textbox').some((el) => (el as HTMLInputElement).value === 'zhangwei@hxkj.cn')).toBe(true);
  });
});
