// @vitest-environment jsdom
/**
 * "Verify all (deep)" answers with what it queued. With every account accepted it said
 * "(another 0 not possible yet)" / "(另有 0 个暂不可核验)", which made an admin look for accounts
 * that did not exist, and "1 accounts" for a job of one. The refused count is named only when
 * some account was refused.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

let answer: Array<{ ok: boolean }> = [];
const send = vi.fn(async () => ({ results: answer }));
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: vi.fn(async () => ({})) });
const { JobActions } = await import('../../extension/dashboard/monitor/JobActions');

afterEach(cleanup);

async function verifyAll(locale: 'en' | 'zh-CN', results: Array<{ ok: boolean }>, job = makeJob()): Promise<string> {
  answer = results;
  render(
    <LocaleProvider initial={locale} persist={false}>
      <JobActions job={job} connected onChangeServer={() => undefined} />
    </LocaleProvider>,
  );
  fireEvent.click(screen.getByTestId('verify-job'));
  await waitFor(() => expect(screen.getByTestId('job-action-message')).toBeTruthy());
  return screen.getByTestId('job-action-message').textContent!;
}

describe('the answer of "Verify all (deep)"', () => {
  it('all accepted, in Chinese: no "另有 0 个"', async () => {
    const text = await verifyAll('zh-CN', [{ ok: true }, { ok: true }, { ok: true }]);
    expect(text).toContain('3 个账号');
    expect(text).not.toContain('另有');
  });

  it('one account, in English: singular, no "(0 not possible yet)"', async () => {
    const text = await verifyAll('en', [{ ok: true }]);
    expect(text).toContain('1 account queued');
    expect(text).not.toContain('not possible');
  });

  it('some refused: the refused count is named', async () => {
    const text = await verifyAll('zh-CN', [{ ok: true }, { ok: false }]);
    expect(text).toContain('另有 1 个暂不可核验');
  });

  it('none accepted: says why, not "0 accounts queued (2 not possible yet)"', async () => {
    const en = await verifyAll('en', [{ ok: false }, { ok: false }]);
    expect(en).toContain('No account could be queued for a deep verify');
    expect(en).not.toMatch(/^0 accounts/);
    cleanup();
    const zh = await verifyAll('zh-CN', [{ ok: false }, { ok: false }]);
    expect(zh).toContain('没有账号可以排队深度核验');
    expect(zh).not.toContain('已排队深度核验 0 个');
  });

  it('a closed job: the button is disabled and its title says why', () => {
    const closed = { ...makeJob(), status: 'closed' } as ReturnType<typeof makeJob>;
    send.mockClear();
    for (const [locale, reason] of [
      ['en', 'No account can be verified: the migration is closed and its passwords were deleted.'],
      ['zh-CN', '无法核验任何账号：此搬家任务已关闭，其密码已删除。'],
    ] as const) {
      render(
        <LocaleProvider initial={locale} persist={false}>
          <JobActions job={closed} connected onChangeServer={() => undefined} />
        </LocaleProvider>,
      );
      const button = screen.getByTestId('verify-job') as HTMLButtonElement;
      expect(button.disabled).toBe(true);
      expect(button.title).toBe(reason);
      fireEvent.click(button);
      expect(send).not.toHaveBeenCalledWith('account.verify', expect.anything());
      cleanup();
    }
  });
});
