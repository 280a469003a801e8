// @vitest-environment jsdom
/**
 * The monitor's Last error cell names the mailbox the error is about. It showed the code and the
 * remedy only ("AUTH_FAILED Check the account and password…"), the same words for a wrong old
 * password and a wrong new one, so an admin with a column of AUTH_FAILED rows had to open every
 * account to learn which password to ask for; the side was only in a hover title.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { StatusTable } from '../../extension/dashboard/monitor/StatusTable';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount } from './extension-account-fixture';

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

const noop = () => undefined;
const remedy = { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh };
const rows = [
  makeAccount({ id: 'acc_src', source: 'lina@hxkj.cn', status: 'failed', error: { code: 'AUTH_FAILED', message: 'Login failed for the source.', side: 'source', remedy, transient: false } }),
  makeAccount({ id: 'acc_tgt', source: 'xujun@hxkj.cn', status: 'failed', error: { code: 'AUTH_FAILED', message: 'Login failed for the target.', side: 'target', remedy, transient: false } }),
  makeAccount({ id: 'acc_none', source: 'mahui@hxkj.cn', status: 'failed', error: { code: 'INTERNAL', message: 'Something broke.', remedy: { en: 'Retry.', zh: '请重试。' }, transient: false } }),
];

function cellOf(account: string): string {
  const row = screen.getAllByTestId('account-row').find((r) => r.getAttribute('data-account') === account)!;
  return row.querySelector('.cell--error .error-inline')!.textContent!;
}

describe('the Last error cell names the side', () => {
  it('in Chinese: 原邮箱 for the old mailbox, 新邮箱 for the new one, nothing for neither', () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <StatusTable rows={rows} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />
      </LocaleProvider>,
    );
    expect(cellOf('lina@hxkj.cn')).toContain('原邮箱：');
    expect(cellOf('lina@hxkj.cn')).not.toContain('新邮箱');
    expect(cellOf('xujun@hxkj.cn')).toContain('新邮箱：');
    expect(cellOf('xujun@hxkj.cn')).not.toContain('原邮箱');
    expect(cellOf('mahui@hxkj.cn')).not.toMatch(/原邮箱|新邮箱/);
  });

  it('in English', () => {
    render(
      <LocaleProvider initial="en" persist={false}>
        <StatusTable rows={rows} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />
      </LocaleProvider>,
    );
    expect(cellOf('lina@hxkj.cn')).toContain('Old mailbox:');
    expect(cellOf('xujun@hxkj.cn')).toContain('New mailbox:');
    expect(cellOf('mahui@hxkj.cn')).not.toMatch(/Old mailbox|New mailbox/);
  });
});
