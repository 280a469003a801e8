// @vitest-environment jsdom
/**
 * An address typed in Chinese input mode (zhang＠corp.example.com, ｗａｎｇ@new.example.com) in the
 * wizard's verification address (old system) or the new system's test account: named character
 * by character under the field, as the server fields and the self-service page do, and nothing
 * is sent with it: no connection test, no MX look-up of its domain.
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Locale } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { INITIAL_WIZARD, type WizardState } from '../../extension/dashboard/wizard/wizard-state';
import { stubPageClient } from './extension-doubles';

const sent: string[] = [];
const send = vi.fn(async (type: string) => {
  sent.push(type);
  return type === 'provider.detect' ? { detection: { presetId: null } } : { ok: true, error: null, folders: 3, ms: 10, report: null };
});
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: send });
const { SourceStep } = await import('../../extension/dashboard/wizard/SourceStep');
const { TargetStep } = await import('../../extension/dashboard/wizard/TargetStep');

const server = { ...INITIAL_WIZARD.source, host: 'imap.corp.example', port: '993' };

function SourceHarness() {
  const [state, setState] = useState<WizardState>({ ...INITIAL_WIZARD, verifyPassword: 'Pw-1', source: server });
  return <SourceStep state={state} patch={(p) => setState((s) => ({ ...s, ...p }))} />;
}
function TargetHarness() {
  const [state, setState] = useState<WizardState>({ ...INITIAL_WIZARD, target: server });
  return <TargetStep state={state} patch={(p) => setState((s) => ({ ...s, ...p }))} />;
}

const show = (locale: Locale, ui: React.ReactNode) =>
  render(
    <LocaleProvider initial={locale} persist={false}>
      {ui}
    </LocaleProvider>,
  );
const input = (name: string) => document.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
const errors = () => Array.from(document.querySelectorAll('.field__error'), (e) => e.textContent);
const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;

afterEach(() => {
  cleanup();
  sent.length = 0;
});

describe('full-width characters in the wizard’s address fields', () => {
  it.each([
    ['zh-CN', '“邮箱地址”中有全角字符（中文输入法全角模式下输入的）：“＠”请改为半角“@”。请将输入法切换为半角（或英文）后重新输入该地址。', '请先更正上方的邮箱地址。'],
    ['en', 'The email address contains full-width characters, as a Chinese input method types them in full-width mode: "＠": type the half-width "@". Switch the input method to half-width (or English) and type the address again.', 'Correct the email address above.'],
  ] as const)('verification address (%s): named under the field, no test', async (locale, message, why) => {
    show(locale, <SourceHarness />);
    fireEvent.change(input('verify-user'), { target: { value: 'zhang＠corp.example.com' } });
    expect(errors()).toEqual([message]);
    expect(button('test-source').disabled).toBe(true);
    // Beside the button: the address needs correcting, not filling in.
    expect(screen.getByText(why)).toBeTruthy();
    await act(async () => fireEvent.click(button('test-source')));
    expect(sent).toEqual([]);
    // Typed again in half-width: the field is fine and the test can run.
    fireEvent.change(input('verify-user'), { target: { value: 'zhang@corp.example.com' } });
    expect(errors()).toEqual([]);
    expect(button('test-source').disabled).toBe(false);
  });

  it('verification address with full-width letters, which pass the address format: no test, no MX look-up on leaving the field', async () => {
    show('zh-CN', <SourceHarness />);
    fireEvent.change(input('verify-user'), { target: { value: 'ｚｈａｎｇ@corp.example.com' } });
    expect(errors()).toEqual(['“邮箱地址”中有全角字符（中文输入法全角模式下输入的）：“ｚ”请改为半角“z”；“ｈ”请改为半角“h”；“ａ”请改为半角“a”；“ｎ”请改为半角“n”；其他全角字符同样处理。请将输入法切换为半角（或英文）后重新输入该地址。']);
    await act(async () => fireEvent.blur(input('verify-user')));
    expect(button('test-source').disabled).toBe(true);
    await act(async () => fireEvent.click(button('test-source')));
    expect(sent).toEqual([]);
  });

  it.each([
    ['zh-CN', '“新邮箱系统的账号”中有全角字符（中文输入法全角模式下输入的）：“。”请改为半角“.”。请将输入法切换为半角（或英文）后重新输入该地址。', '请先更正上方的新邮箱系统账号。'],
    ['en', 'The account of the new system contains full-width characters, as a Chinese input method types them in full-width mode: "。": type the half-width ".". Switch the input method to half-width (or English) and type the address again.', 'Correct the account of the new system above.'],
  ] as const)('new system’s test account (%s): named under the field, no test', async (locale, message, why) => {
    show(locale, <TargetHarness />);
    fireEvent.change(input('target-test-password'), { target: { value: 'New-1' } });
    // An ASCII dot elsewhere: the address format alone would let it through.
    fireEvent.change(input('target-test-user'), { target: { value: 'wang@new.example。com' } });
    expect(errors()).toEqual([message]);
    expect(button('test-target').disabled).toBe(true);
    expect(screen.getByText(why)).toBeTruthy();
    await act(async () => fireEvent.click(button('test-target')));
    expect(sent).toEqual([]);
    fireEvent.change(input('target-test-user'), { target: { value: 'wang@new.example.com' } });
    expect(errors()).toEqual([]);
    expect(button('test-target').disabled).toBe(false);
  });
});
