// @vitest-environment jsdom
/**
 * The client-password hint under "update password and retry" for an old server of no known
 * provider (a self-hosted or "other IMAP" source). It is the generic advice, which names no place
 * where a code is made, yet it was shown as "获取方式：客户端独立密码…代替网页登录密码,或关闭客户端独立密码"
 * ("Where to get it: the client password instead of the web password, or switch it off"), which
 * answers no "where". A provider's hint with a place keeps "获取方式".
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

stubPageClient({
  bridgeRequest: vi.fn(async () => ({})),
  bridgeRequestRaw: vi.fn(async () => null),
});

const { PasswordAgainForm } = await import('../../extension/dashboard/monitor/PasswordAgainForm');

afterEach(cleanup);

const selfHosted = makeJob({ provider: null, source: { host: 'mail.hxkj.cn', port: 993, security: 'tls', allowPlaintext: false, insecureTls: false, protocol: 'imap' } });
const account = makeAccount({ source: 'lina@hxkj.cn', target: 'lina@hxkj.cn' });

describe('the client-password hint for an unknown old provider', () => {
  it('in Chinese, is a tip, not "获取方式"', () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={account} job={selfHosted} reason="auth_failed" />
      </LocaleProvider>,
    );
    const hint = screen.getByTestId('auth-code-hint').textContent!;
    expect(hint).toContain('客户端独立密码');
    expect(hint).not.toContain('获取方式');
    expect(hint.startsWith('提示：')).toBe(true);
    // A sentence (walkthrough 33), not the checklist title "提示：客户端独立密码（…）代替网页登录密码，…".
    expect(hint).toBe('提示：使用客户端独立密码（授权码 / 专用密码）代替网页登录密码，或关闭客户端独立密码。');
  });

  it('in English, is a tip, not "Where to get it"', () => {
    render(
      <LocaleProvider initial="en" persist={false}>
        <PasswordAgainForm account={account} job={selfHosted} reason="auth_failed" />
      </LocaleProvider>,
    );
    const hint = screen.getByTestId('auth-code-hint').textContent!;
    expect(hint).not.toContain('Where to get it');
    expect(hint.startsWith('Tip:')).toBe(true);
    // A sentence (walkthrough 33), not the checklist title "Tip: The client password (…) instead of …".
    expect(hint).toBe('Tip: use the client password (authorization code / app password) instead of the web login password, or switch the client password off.');
  });

  it('Tencent Exmail keeps "获取方式" with the place in its console', () => {
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <PasswordAgainForm account={makeAccount()} job={makeJob()} reason="auth_failed" />
      </LocaleProvider>,
    );
    expect(screen.getByTestId('auth-code-hint').textContent).toContain('获取方式');
  });
});
