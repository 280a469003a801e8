// @vitest-environment jsdom
/**
 * The Last error cell of the monitor's fixed-height rows: with the "update password and retry"
 * link under the error, the lines must fit the row, or the link runs into the row's border
 * (seen in Chromium, in Chinese especially: a fallback font makes line boxes taller than 1.5em).
 * jsdom lays nothing out, so the stylesheet's fixed heights are summed against the row height.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REMEDIES } from '../../shared/errors';
import { ROW_HEIGHT, StatusTable } from '../../extension/dashboard/monitor/StatusTable';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount } from './extension-account-fixture';

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

const css = readFileSync(join(process.cwd(), 'extension/styles/dashboard.css'), 'utf8');

/** The declarations of the rule whose selector is exactly `selector`. */
function rule(selector: string): Record<string, string> {
  const body = css.match(new RegExp(`(?:^|\\})\\s*${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\{([^}]*)\\}`, 'm'))?.[1];
  expect(body, `a rule for ${selector}`).toBeDefined();
  return Object.fromEntries(
    body!
      .split(';')
      .map((d) => d.split(':').map((x) => x.trim()))
      .filter((d): d is [string, string] => d.length === 2 && !!d[0]),
  );
}
const px = (value: string | undefined, what: string) => {
  expect(value, what).toMatch(/^\d+(\.\d+)?px$/);
  return parseFloat(value!);
};

const noop = () => undefined;
const auth = { code: 'AUTH_FAILED' as const, message: 'Login failed for the source.', remedy: { en: REMEDIES.AUTH_FAILED.en, zh: REMEDIES.AUTH_FAILED.zh }, transient: false };

describe('the Last error cell fits its row', () => {
  it('marks the cell that carries the update-password link', () => {
    const rows = [makeAccount({ id: 'acc_auth', source: 'a@old.example', status: 'failed', error: auth }), makeAccount({ id: 'acc_ok', source: 'b@old.example', status: 'syncing', error: null })];
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <StatusTable rows={rows} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />
      </LocaleProvider>,
    );
    const link = screen.getByTestId('row-update-password');
    expect(link.textContent).toBe('更新密码并重试');
    expect(link.parentElement!.className).toContain('cell--error-action');
    const cells = document.querySelectorAll('[role=cell].cell--error');
    expect(cells).toHaveLength(2);
    expect(cells[1]!.className).not.toContain('cell--error-action');
  });

  it('the stylesheet gives its lines fixed heights that add up to less than the row', () => {
    const cell = rule('.cell');
    const [top, , bottom = top] = cell.padding!.split(/\s+/);
    const padding = px(top, '.cell padding') + px(bottom, '.cell padding');
    const gap = px(cell.gap, '.cell gap');
    expect(rule('.cell--error').overflow).toBe('hidden');
    const error = px(rule('.cell--error .error-inline')['max-height'], 'error max-height');
    const errorWithLink = px(rule('.cell--error-action .error-inline')['max-height'], 'error max-height above the link');
    const link = rule('.cell--error .account-link');
    const linkHeight = px(link['max-height'], 'link max-height');
    expect(px(link['line-height'], 'link line-height')).toBeLessThanOrEqual(linkHeight);
    const border = 1;
    expect(padding + error).toBeLessThanOrEqual(ROW_HEIGHT - border);
    expect(padding + errorWithLink + gap + linkHeight).toBeLessThanOrEqual(ROW_HEIGHT - border);
  });
});
