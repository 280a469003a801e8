// @vitest-environment jsdom
/** After the switch the admin can hand employees the new provider's servers and, per mail client, where to enter them. */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AfterSwitch } from '../../extension/dashboard/cutover/AfterSwitch';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { CutoverView } from '../../shared/protocol';

afterEach(cleanup);

const view: CutoverView = {
  jobId: 'job-000001',
  config: { domains: ['example.com'], targetProvider: 'aliyun', oldProvider: 'tencent', dkimSelector: null, quietHours: 72 },
  reports: [],
  lastCheckedAt: null,
  nextCheckAt: null,
  checkError: null,
  mxOnTarget: true,
  mxOnTargetAt: '2026-12-04T10:00:00.000Z',
  oldMxTtl: 600,
  pendingFirstPass: 0,
  earlyMx: false,
  stage: 'switched',
  accounts: [],
  closeProposed: false,
  checklist: {},
};

function renderIn(locale: 'en' | 'zh-CN') {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <AfterSwitch view={view} disabled={false} onTick={() => undefined} />
    </LocaleProvider>,
  );
  return screen.getByTestId('client-settings');
}

describe('client set-up after the switch', () => {
  it('names the new provider\'s IMAP and SMTP servers and gives the steps for Outlook, Foxmail, iPhone and Android (en)', () => {
    const section = renderIn('en');
    expect(section.textContent).toContain('imap.qiye.aliyun.com');
    expect(section.textContent).toContain('smtp.qiye.aliyun.com');
    const steps = within(screen.getByTestId('client-steps')).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(steps).toHaveLength(4);
    expect(steps.map((s) => s.split(':')[0])).toEqual(['Outlook (Windows)', 'Foxmail', 'iPhone / iPad Mail', 'Android (Gmail or the phone’s mail app)']);
  });

  it('reads in Chinese', () => {
    renderIn('zh-CN');
    const steps = within(screen.getByTestId('client-steps')).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(steps[1]).toMatch(/^Foxmail：设置/);
    expect(steps[2]).toMatch(/^iPhone \/ iPad 邮件/);
  });
});
