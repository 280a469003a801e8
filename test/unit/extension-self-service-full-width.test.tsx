// @vitest-environment jsdom
/**
 * 员工自助搬家 typed in Chinese input mode: an address with "＠" or full-width letters, an old
 * server with "。", a port of "９９３". Each field names its full-width characters and the
 * half-width ones to type, and neither a test nor the start is sent with them (the port fell
 * back to the migration's without a word, and the login failed on the server for an address
 * that looked right).
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import type { Locale } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { connectedBridge as bridge, makeAccount, makeJob } from './extension-account-fixture';
import { stubSelfServiceBridge } from './extension-doubles';

let mirror: MailmoverDb;

const { answerFrom, sent } = stubSelfServiceBridge();

const { SelfServicePage } = await import('../../extension/dashboard/self/SelfServicePage');

const zero = { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0, messagesSyncedSinceFirstPass: 0 };
let n = 0;
beforeEach(async () => {
  mirror = openDb(`self-service-full-width-${++n}`);
  answerFrom(mirror);
  installDb(mirror);
  await mirror.jobs.put({ ...makeJob(), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
  await mirror.accounts.put(makeAccount({ id: 'acc_self', source: 'li@old.example', target: 'li@new.example', mode: 'self-service', status: 'not_started', error: null, counters: zero }));
});
afterEach(cleanup);

const field = (name: string) => document.querySelector<HTMLInputElement>(`[name=${name}]`)!;
const errors = () => Array.from(document.querySelectorAll('.field__error'), (e) => e.textContent);
const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;

async function ready(locale: Locale) {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <SelfServicePage bridge={bridge} onOpenWizard={() => undefined} />
    </LocaleProvider>,
  );
  await screen.findByTestId('self-form');
  fireEvent.change(field('self-target'), { target: { value: 'li@new.example' } });
  fireEvent.change(field('self-password'), { target: { value: 'Old-pw-1' } });
  expect(button('self-test').disabled).toBe(false);
  expect(button('self-start').disabled).toBe(false);
}

/** Neither button works, and clicking or submitting anyway sends nothing. */
async function nothingSent() {
  expect(button('self-test').disabled).toBe(true);
  expect(button('self-start').disabled).toBe(true);
  await act(async () => fireEvent.click(button('self-test')));
  await act(async () => fireEvent.submit(screen.getByTestId('self-form')));
  expect(sent).toEqual([]);
}

describe('self-service fields typed in full-width mode', () => {
  it.each([
    ['zh-CN', '“原邮箱地址”中有全角字符（中文输入法全角模式下输入的）：“＠”请改为半角“@”。请将输入法切换为半角（或英文）后重新输入该地址。'],
    ['en', 'The old address contains full-width characters, as a Chinese input method types them in full-width mode: "＠": type the half-width "@". Switch the input method to half-width (or English) and type the address again.'],
  ] as const)('the old address with a full-width ＠ (%s)', async (locale, text) => {
    await ready(locale);
    fireEvent.change(field('self-source'), { target: { value: 'user＠corp.com' } });
    expect(errors()).toEqual([text]);
    await nothingSent();
  });

  it('the new address with full-width letters (Chinese)', async () => {
    await ready('zh-CN');
    fireEvent.change(field('self-target'), { target: { value: 'ｌｉ@new.example' } });
    expect(errors()).toEqual(['“新邮箱地址”中有全角字符（中文输入法全角模式下输入的）：“ｌ”请改为半角“l”；“ｉ”请改为半角“i”。请将输入法切换为半角（或英文）后重新输入该地址。']);
    await nothingSent();
  });

  it.each([
    ['zh-CN', '“原邮箱服务器”中有全角字符（中文输入法全角模式下输入的）：“。”请改为半角“.”。请将输入法切换为半角（或英文）后重新输入该地址。'],
    ['en', 'The old server contains full-width characters, as a Chinese input method types them in full-width mode: "。": type the half-width ".". Switch the input method to half-width (or English) and type the address again.'],
  ] as const)('the old server with an ideographic full stop (%s)', async (locale, text) => {
    await ready(locale);
    fireEvent.change(field('self-host'), { target: { value: 'imap。exmail.qq.com' } });
    expect(errors()).toEqual([text]);
    await nothingSent();
  });

  it('the port in full-width digits (English), then typed again in half-width', async () => {
    await ready('en');
    fireEvent.change(field('self-port'), { target: { value: '９９３' } });
    expect(errors()).toEqual(['The port contains full-width characters, as a Chinese input method types them in full-width mode: "９": type the half-width "9"; "３": type the half-width "3". Switch the input method to half-width (or English) and type the port again.']);
    await nothingSent();
    fireEvent.change(field('self-port'), { target: { value: '993' } });
    expect(errors()).toEqual([]);
    await act(async () => fireEvent.click(button('self-test')));
    expect(sent.map((s) => s.type)).toEqual(['endpoint.test']);
  });
});
