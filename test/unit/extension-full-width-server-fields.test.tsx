// @vitest-environment jsdom
/**
 * A server address or port typed in Chinese input mode (imap。qiye.aliyun.com, ｉｍａｐ.example.com,
 * ９９３): the wizard's server fields name each full-width character and the half-width one to
 * type, as the account file's check does, and no connection test is sent with them. The port
 * field dropped full-width digits without a word, leaving it blank.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Locale } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { INITIAL_WIZARD, serverValid, type WizardState } from '../../extension/dashboard/wizard/wizard-state';
import { stubPageClient } from './extension-doubles';

const sent: string[] = [];
const send = vi.fn(async (type: string) => {
  sent.push(type);
  return { ok: true, error: null, folders: 3, ms: 10, report: null };
});
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: send });
const { SourceStep } = await import('../../extension/dashboard/wizard/SourceStep');

function Harness() {
  const [state, setState] = useState<WizardState>({ ...INITIAL_WIZARD, verifyUser: 'zhang@corp.example', verifyPassword: 'Pw-1', source: { ...INITIAL_WIZARD.source, host: 'imap.corp.example' } });
  return <SourceStep state={state} patch={(p) => setState((s) => ({ ...s, ...p }))} />;
}

const show = (locale: Locale) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      <Harness />
    </LocaleProvider>,
  );
const input = (name: string) => document.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
const errors = () => Array.from(document.querySelectorAll('.field__error'), (e) => e.textContent);
const testButton = () => screen.getByTestId('test-source') as HTMLButtonElement;

afterEach(() => {
  cleanup();
  sent.length = 0;
});

describe('full-width characters in the wizard’s server fields', () => {
  it('names the ideographic full stop in the host, in Chinese, and sends no test', async () => {
    show('zh-CN');
    expect(testButton().disabled).toBe(false);
    fireEvent.change(input('source-host'), { target: { value: 'imap。qiye.aliyun.com' } });
    expect(errors()).toEqual(['“服务器地址”中有全角字符（中文输入法全角模式下输入的）：“。”请改为半角“.”。请将输入法切换为半角（或英文）后重新输入该地址。']);
    expect(testButton().disabled).toBe(true);
    // Beside the button: the fields need correcting, not filling in.
    expect(screen.getByText('请先更正上方的服务器地址或端口。')).toBeTruthy();
    await act(async () => fireEvent.click(testButton()));
    expect(sent).toEqual([]);
  });

  it('names full-width letters in the host, in English', () => {
    show('en');
    fireEvent.change(input('source-host'), { target: { value: 'ｉｍａｐ.example.com' } });
    const [message] = errors();
    expect(message).toBe(
      'The server address contains full-width characters, as a Chinese input method types them in full-width mode: "ｉ": type the half-width "i"; "ｍ": type the half-width "m"; "ａ": type the half-width "a"; "ｐ": type the half-width "p". Switch the input method to half-width (or English) and type the address again.',
    );
    expect(testButton().disabled).toBe(true);
  });

  it.each([
    ['zh-CN', '“端口”中有全角字符（中文输入法全角模式下输入的）：“９”请改为半角“9”；“３”请改为半角“3”。请将输入法切换为半角（或英文）后重新输入该端口。'],
    ['en', 'The port contains full-width characters, as a Chinese input method types them in full-width mode: "９": type the half-width "9"; "３": type the half-width "3". Switch the input method to half-width (or English) and type the port again.'],
  ] as const)('keeps full-width digits in the port and names them (%s)', (locale, text) => {
    show(locale);
    fireEvent.change(input('source-port'), { target: { value: '９９３' } });
    expect(input('source-port').value).toBe('９９３');
    expect(errors()).toEqual([text]);
    expect(testButton().disabled).toBe(true);
    // Back to half-width digits: the field is fine and the test can run.
    fireEvent.change(input('source-port'), { target: { value: '993' } });
    expect(errors()).toEqual([]);
    expect(testButton().disabled).toBe(false);
  });

  it('a port with an ideographic space is not a valid server, although Number() reads it as 993', () => {
    expect(serverValid({ ...INITIAL_WIZARD.source, host: 'imap.corp.example', port: '993\u3000' })).toBe(false);
    expect(serverValid({ ...INITIAL_WIZARD.source, host: 'imap.corp.example', port: '993' })).toBe(true);
  });
});
