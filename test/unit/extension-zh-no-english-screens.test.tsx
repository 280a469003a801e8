// @vitest-environment jsdom
/**
 * zh-CN mode shows no English when a request to the bridge fails (issue 15 point 5), on the
 * screens the monitor's test does not cover: the wizard's connection test and 开始搬家, the
 * cut-over step and the popup's pairing form. The bridge answers with its code and an English
 * text naming protocol details, as it does; the screen words the failure from the code. In
 * English mode that text stays reachable under "Technical details".
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CutoverView } from '../../shared/protocol';
import type { ConnectionReport } from '../../shared/providers';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import type { TestState } from '../../extension/dashboard/wizard/wizard-state';
import { PageRequestError } from '../../extension/lib/page-client';
import { stubPageClient } from './extension-doubles';
import { englishWords, visibleText } from './zh-english-words';

/** What the next request answers: a failure (code and the bridge's English text) or a result. */
let answer: (type: string) => unknown = () => ({});

const send = vi.fn(async (type: string) => {
  const a = answer(type);
  if (a && typeof a === 'object' && 'fail' in a) throw new PageRequestError((a as { fail: { code: string; message: string } }).fail);
  return a;
});
stubPageClient({
  bridgeRequest: send,
  bridgeRequestRaw: send,
  bridgeCommand: vi.fn(async (m: { kind: string }) => send(m.kind)),
});

const { EndpointTestPanel } = await import('../../extension/dashboard/wizard/EndpointTestPanel');
const { ConnectionResult } = await import('../../extension/dashboard/wizard/ConnectionResult');
const { StartFailure } = await import('../../extension/dashboard/wizard/StartFailure');
const { CutoverStep } = await import('../../extension/dashboard/cutover/CutoverStep');
const { PairForm } = await import('../../extension/popup/PairForm');

afterEach(() => {
  cleanup();
  answer = () => ({});
});

const fail = (code: string, message: string) => () => ({ fail: { code, message } });

/** Failures a request can end in, with the English text the bridge or the background sends. */
const FAILURES: Array<[string, string]> = [
  ['INVALID_PARAMS', 'params.source.host: String must contain at least 1 character(s) (endpoint.test)'],
  ['CONFLICT', 'Job job_abcdef has no cut-over domains yet (cutover.set).'],
  ['NOT_FOUND', 'No job job_abcdef.'],
  ['NOT_CONNECTED', 'The bridge is not connected.'],
  ['UNAUTHORIZED', 'Send hello with a valid token first.'],
  ['TIMEOUT', 'The bridge did not answer endpoint.test in time.'],
  ['UNKNOWN_TYPE', 'Unknown request type folders.preview.'],
  ['RATE_LIMITED', 'Too many requests; slow down.'],
  ['INTERNAL', 'Cannot read properties of undefined (reading "host")'],
  ['BAD_RESULT', 'Unexpected endpoint.test result.'],
];

const inLocale = (locale: Locale, ui: React.ReactElement) => (
  <LocaleProvider initial={locale} persist={false}>
    {ui}
  </LocaleProvider>
);

function TestPanel() {
  const [state, setState] = useState<TestState>({ status: 'idle' });
  return (
    <EndpointTestPanel
      state={state}
      onState={setState}
      params={() => ({ server: { host: 'imap.old.example', port: 993, security: 'tls' }, user: 'zhang@old.example', password: 'pw' }) as never}
      currentKey="k"
      providerId="custom"
      disabledReason={null}
      testId="source-test"
    />
  );
}

async function runTest(locale: Locale) {
  const view = render(inLocale(locale, <TestPanel />));
  await act(async () => {
    fireEvent.click(screen.getByTestId('source-test'));
  });
  await screen.findByTestId('source-test-failure');
  return view.container;
}

describe('the wizard, when a request fails', () => {
  it.each(FAILURES)('the connection test answered %s: a Chinese sentence, no English', async (code, message) => {
    answer = fail(code, message);
    const container = await runTest('zh-CN');
    const note = screen.getByTestId('source-test-failure');
    expect(note.textContent).not.toContain(message);
    expect(note.textContent).toMatch(/[\u4e00-\u9fff]/);
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('in English the sentence comes first and the bridge’s text is under Technical details', async () => {
    answer = fail('INVALID_PARAMS', FAILURES[0]![1]);
    const container = await runTest('en');
    expect(screen.getByTestId('source-test-failure').textContent).toBe('Some values were not accepted: check the fields and try again.');
    const details = container.querySelector('details')!;
    expect(details.querySelector('summary')!.textContent).toBe('Technical details');
    expect(details.textContent).toContain(`INVALID_PARAMS: ${FAILURES[0]![1]}`);
  });

  it('a failed login shows the code’s sentence and remedy; the server’s own words only in English', () => {
    const serverText = 'NO [AUTHENTICATIONFAILED] Authentication failed. Please use your authorization code.';
    const report = { ok: false, tls: null, warnings: [], folders: null, totals: null, error: { code: 'AUTH_FAILED', message: 'Login failed for the source.', serverText } } as unknown as ConnectionReport;
    const result = {
      ok: false,
      error: { code: 'AUTH_FAILED', message: 'Login failed for the source. The server said "NO [AUTHENTICATIONFAILED] Authentication failed." Check the password (or authorization code / app password) and that IMAP is enabled for this account.', remedy: { en: 'Check the password.', zh: '请检查密码或授权码。' }, transient: false },
      folders: null,
      ms: 120,
      report,
    };
    const zh = render(inLocale('zh-CN', <ConnectionResult result={result} providerId="custom" stale={false} />));
    expect(zh.container.textContent).toContain('AUTH_FAILED');
    expect(englishWords(visibleText(zh.container))).toEqual([]);
    cleanup();
    const en = render(inLocale('en', <ConnectionResult result={result} providerId="custom" stale={false} />));
    expect(en.container.textContent).toContain(serverText);
  });

  it.each(FAILURES)('开始搬家 answered %s: a Chinese sentence, no English', (code, message) => {
    const { container } = render(inLocale('zh-CN', <StartFailure refused={null} failure={{ code, message }} />));
    expect(screen.getByTestId('start-error').textContent).toMatch(/[\u4e00-\u9fff]/);
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('rows the bridge refused at the start are listed in Chinese, not as the English error text', () => {
    const refused = [{ fileName: 'accounts.csv', errors: [{ line: 3, message: 'target: "bob@" is not an email address', messageZh: '目标邮箱“bob@”不是有效的邮箱地址' }] }];
    const { container } = render(inLocale('zh-CN', <StartFailure refused={refused as never} failure={null} />));
    expect(screen.getByTestId('start-refused').textContent).toContain('任务未创建');
    expect(screen.getByTestId('csv-error').textContent).toContain('目标邮箱');
    expect(englishWords(visibleText(container))).toEqual([]);
  });
});

const cutoverView: CutoverView = {
  jobId: 'job_abcdef',
  config: { domains: ['example.com'], targetProvider: 'aliyun', oldProvider: 'tencent', dkimSelector: null, quietHours: 72 },
  reports: [],
  lastCheckedAt: '2026-12-04T10:00:00.000Z',
  nextCheckAt: null,
  checkError: 'queryMx ETIMEOUT example.com (DNS server 223.5.5.5 did not answer)',
  mxOnTarget: false,
  mxOnTargetAt: null,
  oldMxTtl: null,
  pendingFirstPass: 0,
  earlyMx: false,
  stage: 'ready-to-switch',
  accounts: [],
  closeProposed: false,
  checklist: {},
};

async function renderCutover(locale: Locale, failWith: [string, string]) {
  answer = (type) => (type === 'cutover.get' ? { cutover: cutoverView } : { fail: { code: failWith[0], message: failWith[1] } });
  const view = render(inLocale(locale, <CutoverStep jobId="job_abcdef" connected />));
  await waitFor(() => expect(screen.getByTestId('cutover').getAttribute('data-stage')).toBe('ready-to-switch'));
  return view.container;
}

describe('the cut-over step, when a request fails', () => {
  it.each(FAILURES)('cutover.set / cutover.check answered %s: Chinese sentences, no English', async (code, message) => {
    const container = await renderCutover('zh-CN', [code, message]);
    await act(async () => {
      fireEvent.click(screen.getByTestId('cutover-save'));
    });
    await screen.findByTestId('cutover-error');
    expect(englishWords(visibleText(container))).toEqual([]);
    await act(async () => {
      fireEvent.click(screen.getByTestId('cutover-check'));
    });
    await screen.findByTestId('cutover-error');
    expect(screen.getByTestId('cutover-error').textContent).not.toContain(message);
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('a DNS check that could not ask the resolver is said in Chinese; English keeps the resolver’s text', async () => {
    const zh = await renderCutover('zh-CN', ['CONFLICT', 'x']);
    expect(screen.getByTestId('cutover-check-error').textContent).toContain('DNS 检查未能连上域名服务器');
    expect(zh.textContent).not.toContain('ETIMEOUT');
    cleanup();
    const en = await renderCutover('en', ['CONFLICT', 'Job job_abcdef has no cut-over domains yet (cutover.set).']);
    expect(en.textContent).toContain(cutoverView.checkError);
    await act(async () => {
      fireEvent.click(screen.getByTestId('cutover-save'));
    });
    expect((await screen.findByTestId('cutover-error')).textContent).toBe('The bridge refused: the job or the account is in a state that does not allow this.');
    expect(en.textContent).toContain('CONFLICT: Job job_abcdef has no cut-over domains yet (cutover.set).');
  });
});

describe('the popup, when pairing fails', () => {
  const state = { phase: 'unpaired', port: 7878, version: '1.0.0', paired: false, tokenId: null, origin: null, problem: null, lastConnectedAt: null, nextAttemptAt: null, updatedAt: '2026-12-04T10:00:00.000Z' } as const;

  it.each([['BAD_CODE', 'Unknown or expired pairing code.'], ['RATE_LIMITED', 'Too many pairing attempts.'], ['UNREACHABLE', 'fetch failed'], ['INTERNAL', 'Cannot read properties of undefined']])(
    'bridge.pair answered %s: a Chinese sentence, no English',
    async (code, message) => {
      answer = fail(code, message);
      const { container } = render(inLocale('zh-CN', <PairForm state={{ ...state }} />));
      fireEvent.change(screen.getByPlaceholderText('ABCD-EFGH'), { target: { value: 'K7QM-2XPR' } });
      await act(async () => {
        fireEvent.submit(container.querySelector('form')!);
      });
      await waitFor(() => expect(container.querySelector('[role="alert"], .field__error')).not.toBeNull());
      expect(container.textContent).not.toContain(message);
      expect(englishWords(visibleText(container))).toEqual([]);
    },
  );
});
