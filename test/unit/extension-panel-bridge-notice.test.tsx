// @vitest-environment jsdom
/**
 * The webmail panel while the bridge cannot be reached says so once, in words that fit the
 * state: an unpaired browser is told how to pair, a paired one whose bridge is down is told to
 * start the bridge (not to pair) and sees the last known state of its migration. Whether the
 * administrator opened a migration for the employee is not claimed then: the mirror may be old.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { installDb, openDb, type MailmoverDb } from '../../extension/db/schema';
import type { BridgeState } from '../../extension/lib/runtime-messages';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import type { Locale } from '../../extension/i18n';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubBridgeState, stubPageClient, stubPanelClient, stubVisibility } from './extension-doubles';

let bridge: BridgeState;

stubPageClient({
  bridgeRequest: vi.fn(async () => ({})),
  bridgeRequestRaw: vi.fn(async () => ({})),
  bridgeCommand: vi.fn(async () => ({})),
});
stubBridgeState(() => bridge);
stubPanelClient({
  claimTicket: vi.fn(async () => ({ kind: 'webmail', siteId: 'exmail', presetId: null, origin: 'https://mail.corp.example.com', address: 'emp1@corp.example.com' })),
});
stubVisibility({ useUnobscured: () => [true, () => undefined] });

const { PanelApp } = await import('../../extension/panel/PanelApp');

const state = (phase: BridgeState['phase'], paired: boolean): BridgeState =>
  ({ phase, port: 7878, version: null, paired, tokenId: paired ? 'tok' : null, origin: null, problem: null, lastConnectedAt: null, nextAttemptAt: null, updatedAt: '2025-01-01T00:00:00.000Z' }) as BridgeState;

let mirror: MailmoverDb;
beforeAll(() => {
  mirror = openDb('panel-bridge-notice');
  installDb(mirror);
});
beforeEach(async () => {
  await mirror.accounts.clear();
  await mirror.jobs.clear();
});
afterEach(cleanup);

const open = async (locale: Locale) => {
  render(
    <LocaleProvider initial={locale} persist={false}>
      <PanelApp />
    </LocaleProvider>,
  );
  return screen.findByTestId('self-bridge-notice');
};

/** How often a sentence appears in the panel. */
const times = (text: string) => (document.body.textContent ?? '').split(text).length - 1;

describe('the webmail panel without a connected bridge', () => {
  it('not paired: one message, how to pair, and no claim about invitations', async () => {
    bridge = state('unpaired', false);
    const notice = await open('en');
    expect(notice.dataset.state).toBe('unpaired');
    expect(notice.textContent).toContain('enter the pairing code');
    expect(times('pairing code')).toBe(1);
    expect(screen.queryByTestId('no-invite')).toBeNull();
    expect(document.body.textContent).not.toContain('No migration was opened for you');
  });

  it('paired but the bridge is offline: start the bridge, not pair it; once', async () => {
    bridge = state('not-found', true);
    const notice = await open('en');
    expect(notice.textContent).toContain('The bridge is not running');
    // The chip says "Bridge offline"; nothing asks to pair a browser that is paired.
    expect(screen.getByTestId('panel').textContent).not.toMatch(/\bpair/i);
    expect(times('The bridge is not running')).toBe(1);
    expect(screen.queryByTestId('no-invite')).toBeNull();
  });

  it('in Chinese: 桥接程序, no English word “bridge”, no claim about invitations', async () => {
    bridge = state('not-found', true);
    const notice = await open('zh-CN');
    expect(notice.textContent).toContain('桥接程序未在运行');
    expect(document.body.textContent).not.toContain('配对');
    expect(document.body.textContent).not.toContain('管理员尚未为您开启搬家');
    expect(screen.getByTestId('panel').textContent).not.toMatch(/bridge/i);
  });

  it('offline with a migration in the mirror: its last known state, said to be that', async () => {
    bridge = state('not-found', true);
    await mirror.jobs.put({ ...makeJob(), syncedAt: '2025-01-01T00:00:00.000Z' } as never);
    await mirror.accounts.put(
      makeAccount({
        id: 'acc_emp1',
        source: 'emp1@corp.example.com',
        target: 'emp1@corp.example.com',
        mode: 'admin-without-passwords',
        status: 'syncing',
        error: null,
        firstPassDoneAt: '2025-01-02T00:00:00.000Z',
        counters: { messagesTotal: 13, messagesCopied: 13, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 1, messagesSyncedSinceFirstPass: 0 },
      }),
    );
    const notice = await open('en');
    await screen.findByTestId('self-progress');
    expect(notice.textContent).toContain('the last state the bridge reported');
  });
});
