// @vitest-environment jsdom
/**
 * Accepting a self-signed certificate is given for one server: a new address turns it off
 * (wizard-state withServerAddress), and the fields say so instead of unticking it silently.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { ServerFields } from '../../extension/dashboard/wizard/ServerFields';
import type { ServerDraft } from '../../extension/dashboard/wizard/wizard-state';

const start: ServerDraft = { host: 'mail.old.example', port: '993', security: 'tls', allowPlaintext: false, insecureTls: true };

function Harness() {
  const [value, setValue] = useState(start);
  return <ServerFields value={value} onChange={setValue} idPrefix="src" />;
}

const show = (locale: Locale) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      <Harness />
    </LocaleProvider>,
  );
const host = () => document.querySelector<HTMLInputElement>('input[name="src-host"]')!;
const box = () => document.querySelector<HTMLInputElement>('input[type="checkbox"]')!;

afterEach(cleanup);

describe('a new server address and the accepted certificate', () => {
  it('unticks it and says for which server it was given; ticking again clears the note', () => {
    show('en');
    expect(box().checked).toBe(true);
    fireEvent.change(host(), { target: { value: 'mail.other.example' } });
    expect(box().checked).toBe(false);
    expect(screen.getByTestId('src-insecure-reset').textContent).toBe('The self-signed certificate was accepted for mail.old.example only, so it is not accepted for the new address. Tick the box again only if you trust this server too.');
    fireEvent.click(box());
    expect(box().checked).toBe(true);
    expect(screen.queryByTestId('src-insecure-reset')).toBeNull();
  });

  it('the same host in other case keeps it, without a note; in Chinese the note is Chinese', () => {
    show('zh-CN');
    fireEvent.change(host(), { target: { value: 'MAIL.old.example' } });
    expect(box().checked).toBe(true);
    expect(screen.queryByTestId('src-insecure-reset')).toBeNull();
    fireEvent.change(host(), { target: { value: 'mail.new.example' } });
    expect(screen.getByTestId('src-insecure-reset').textContent).toBe('信任自签名证书的选择仅针对 MAIL.old.example，新地址不再沿用。如您同样信任该服务器，请重新勾选。');
  });
});
