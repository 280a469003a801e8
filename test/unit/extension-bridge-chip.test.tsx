// @vitest-environment jsdom
/** The dashboard's bridge chip names every state the background can be in, "not your bridge" included. */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeChip } from '../../extension/dashboard/BridgeChip';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { BRIDGE_PHASES, type BridgeState } from '../../extension/lib/runtime-messages';

afterEach(cleanup);

function chip(phase: BridgeState['phase'], locale: 'en' | 'zh-CN'): string {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <BridgeChip bridge={{ phase, port: 7878, version: '0.1.0' } as BridgeState} />
    </LocaleProvider>,
  );
  const text = screen.getByTestId('bridge-chip').textContent ?? '';
  cleanup();
  return text;
}

describe('BridgeChip', () => {
  it('says "not your bridge" when the listener on the port failed the proof, in both languages', () => {
    expect(chip('impostor', 'en')).toBe('Not your bridge');
    expect(chip('impostor', 'zh-CN')).toBe('这不是你的桥接程序');
  });

  it('gives each phase its own label', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const labels = BRIDGE_PHASES.filter((p) => p !== 'checking').map((p) => chip(p, locale));
      expect(new Set(labels).size, locale).toBe(labels.length);
    }
  });
});
