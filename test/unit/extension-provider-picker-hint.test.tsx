// @vitest-environment jsdom
/**
 * The provider picker is on the wizard's old-system step and its new-system step: the hint it
 * shows for a provider without a fixed server (“Other IMAP server”, a self-hosted system) must
 * fit either step, so no hint speaks of the old provider or the new one.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDER_PRESETS } from '../../shared/providers';
import { ProviderPicker } from '../../extension/dashboard/wizard/ProviderPicker';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';

afterEach(cleanup);

/** Words that tie a text to one side of the migration. */
const SIDED = { en: /\b(old|new|previous|current|source|target)\b/i, zh: /原|新邮箱|旧/ };

const picker = (locale: Locale, side: 'source' | 'target') =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      <ProviderPicker idPrefix={side} label="Provider" value="generic" onChange={() => undefined} protocol="imap" onPickServer={() => undefined} detectedVia={null} />
    </LocaleProvider>,
  );

describe('the host hint of a provider without a fixed server', () => {
  it.each([
    ['en', 'source'],
    ['en', 'target'],
    ['zh-CN', 'source'],
    ['zh-CN', 'target'],
  ] as const)('“Other IMAP server” in %s on the %s step fits the step', (locale, side) => {
    const { container } = picker(locale, side);
    const hint = container.querySelector('.provider-picker .hint')!;
    expect(hint.textContent).toMatch(/IMAP/);
    expect(hint.textContent).not.toMatch(locale === 'en' ? SIDED.en : SIDED.zh);
    expect(screen.queryByText(/old provider|原服务商/)).toBeNull();
  });

  it('no preset’s hint names a side', () => {
    for (const p of PROVIDER_PRESETS) {
      if (!p.hostHint) continue;
      expect(p.hostHint.en, p.id).not.toMatch(SIDED.en);
      expect(p.hostHint.zh, p.id).not.toMatch(SIDED.zh);
    }
  });
});
