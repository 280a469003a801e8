// @vitest-environment jsdom
/**
 * "Close migration" (关闭搬家) ends every copy for good and deletes the stored passwords. Its
 * confirmation read the same for a job whose accounts all finished their first pass and for one
 * with accounts still copying, failed or never started, so one click on the wrong job left their
 * mail behind. The confirmation now counts the accounts that have not finished.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const sent: string[] = [];
const send = vi.fn(async (type: string) => {
  sent.push(type);
  return {};
});
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: vi.fn(async () => ({})) });
const { JobActions } = await import('../../extension/dashboard/monitor/JobActions');

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  sent.length = 0;
});

function closeWith(locale: 'en' | 'zh-CN', counts: Record<string, number>, answer: boolean): string {
  const asked: string[] = [];
  vi.spyOn(window, 'confirm').mockImplementation((q?: string) => {
    asked.push(String(q));
    return answer;
  });
  render(
    <LocaleProvider initial={locale} persist={false}>
      <JobActions job={makeJob({ counts: counts as never })} connected onChangeServer={() => undefined} />
    </LocaleProvider>,
  );
  fireEvent.click(screen.getByRole('button', { name: locale === 'en' ? 'Close migration' : '关闭搬家' }));
  expect(asked).toHaveLength(1);
  return asked[0]!;
}

describe('closing a migration', () => {
  it('names the accounts not finished yet (Chinese), and a "no" closes nothing', () => {
    const q = closeWith('zh-CN', { syncing: 27, in_progress: 1, failed: 1, not_started: 1 }, false);
    expect(q).toContain('还有 3 个账号没有搬完');
    expect(sent).toEqual([]);
  });

  it('in English', () => {
    const q = closeWith('en', { syncing: 1, paused: 2 }, false);
    expect(q).toContain('2 account(s) have not finished');
  });

  it('a job whose accounts all finished gets the plain question, and a "yes" closes it', () => {
    const q = closeWith('zh-CN', { syncing: 29, first_pass_done: 1, closed: 2 }, true);
    expect(q).toBe('确定关闭此搬家任务吗？所有账号将永久停止，已保存的密码会被删除。');
    expect(sent).toEqual(['job.close']);
  });
});

describe('closing from the monitor', () => {
  it("counts the accounts as the monitor shows them, not the job's older counts", () => {
    const asked: string[] = [];
    vi.spyOn(window, 'confirm').mockImplementation((q?: string) => {
      asked.push(String(q));
      return false;
    });
    render(
      <LocaleProvider initial="en" persist={false}>
        <JobActions job={makeJob({ counts: { syncing: 3 } as never })} connected onChangeServer={() => undefined} counts={{ syncing: 2, failed: 1 }} />
      </LocaleProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Close migration' }));
    expect(asked[0]).toContain('1 account(s) have not finished');
  });
});
