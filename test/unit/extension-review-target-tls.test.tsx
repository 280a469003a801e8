// @vitest-environment jsdom
/**
 * Review step, New system line (walkthrough 33): "Accept a self-signed certificate" ticked for
 * the target shows its warning badge there too (it was shown on the Old system line only), and
 * the security mode is put in brackets the same way on both lines (full-width in Chinese).
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ReviewStep } from '../../extension/dashboard/wizard/ReviewStep';
import { EMPTY_SERVER, INITIAL_WIZARD, type WizardState } from '../../extension/dashboard/wizard/wizard-state';
import type { Locale } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';

afterEach(cleanup);

const state = (insecure: { source: boolean; target: boolean }): WizardState => ({
  ...INITIAL_WIZARD,
  source: { ...EMPTY_SERVER, host: 'old.example.com', port: '143', security: 'starttls', insecureTls: insecure.source },
  target: { ...EMPTY_SERVER, host: 'new.example.com', port: '143', security: 'starttls', insecureTls: insecure.target },
});

function lines(locale: Locale, s: WizardState): { old: HTMLElement; neu: HTMLElement } {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <ReviewStep state={s} patch={() => undefined} defaultName="job" />
    </LocaleProvider>,
  );
  const dds = screen.getByTestId('review').querySelectorAll('dd');
  const dts = Array.from(screen.getByTestId('review').querySelectorAll('dt'));
  const at = (label: string) => dds[dts.findIndex((dt) => dt.textContent === label)] as HTMLElement;
  return locale === 'en' ? { old: at('Old system'), neu: at('New system') } : { old: at('原邮箱系统'), neu: at('新邮箱系统') };
}

describe('review: the New system line', () => {
  it('shows the self-signed certificate badge on both lines when both sides accept one', () => {
    const { old, neu } = lines('en', state({ source: true, target: true }));
    expect(old.querySelector('.badge--warn')?.textContent).toBe('Accept a self-signed certificate');
    expect(neu.querySelector('.badge--warn')?.textContent).toBe('Accept a self-signed certificate');
  });

  it('shows it on the New system line only when only the target accepts one', () => {
    const { old, neu } = lines('en', state({ source: false, target: true }));
    expect(old.querySelector('.badge--warn')).toBeNull();
    expect(neu.querySelector('.badge--warn')).not.toBeNull();
  });

  it('brackets the security mode full-width in Chinese on both lines', () => {
    const { old, neu } = lines('zh-CN', state({ source: false, target: false }));
    expect(old.textContent).toContain('（STARTTLS）');
    expect(neu.textContent).toContain('（STARTTLS）');
    expect(neu.textContent).not.toContain('(STARTTLS)');
  });
});
