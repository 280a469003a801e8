import { describe, expect, it } from 'vitest';
import type { AccountResult } from '../../shared/migration';
import { credentialsReceived, importedStatus, passwordNeeded, queued, reopened, runStarted, sourceServerChanged, windowMoved } from '../../bridge/service/account-transitions';
import { EMPTY_COUNTERS } from '../../bridge/service/accounts-repo';
import { passEnd } from '../../bridge/service/run-outcome';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const DAY = 86_400_000;

describe('account transitions (pure, clock injected)', () => {
  it('queued: one patch for every way back into the queue', () => {
    expect(queued()).toEqual({ status: 'in_progress', phase: 'queued', error: null, failures: 0, nextRunAt: null });
    expect(queued({ keepError: true })).toEqual({ status: 'in_progress', phase: 'queued', failures: 0, nextRunAt: null });
    expect(queued({ keepError: true, status: 'syncing' })).toMatchObject({ status: 'syncing', phase: 'queued' });
  });

  it('password needed names the missing sides and stops the account', () => {
    const p = passwordNeeded({ source: 'a@x.cn' }, ['source', 'target']);
    expect(p).toMatchObject({ status: 'password_needed', phase: null, nextRunAt: null, error: { code: 'CONFIG_INVALID' } });
    expect(p.error!.message).toContain('source and target password for a@x.cn');
  });

  it('a run start counts the attempt and keeps the first start time', () => {
    expect(runStarted({ attempts: 2, startedAt: null }, '2026-03-01T10:00:00.000Z')).toEqual({ phase: 'connecting', attempts: 3, startedAt: '2026-03-01T10:00:00.000Z', nextRunAt: null });
    expect(runStarted({ attempts: 0, startedAt: '2026-01-01T00:00:00.000Z' }, 'later').startedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('reopen: a new window from now when syncing is on, else one more pass', () => {
    expect(reopened({ firstPassDoneAt: '2026-01-01' }, { intervalMinutes: 5, windowDays: 30 }, NOW)).toEqual({ status: 'syncing', phase: null, error: null, failures: 0, nextRunAt: NOW, syncUntil: NOW + 30 * DAY });
    expect(reopened({ firstPassDoneAt: '2026-01-01' }, { intervalMinutes: 0, windowDays: 30 }, NOW)).toEqual({ ...queued(), syncUntil: null });
    expect(reopened({ firstPassDoneAt: null }, { intervalMinutes: 5, windowDays: 30 }, NOW)).toEqual({ ...queued(), syncUntil: null });
  });

  it('credentials: paused stays, syncing runs now, complete ones are queued', () => {
    expect(credentialsReceived({ status: 'paused' }, [], NOW)).toEqual({});
    expect(credentialsReceived({ status: 'syncing' }, [], NOW)).toEqual({ nextRunAt: NOW, error: null, failures: 0 });
    expect(credentialsReceived({ status: 'not_enabled' }, ['target'], NOW)).toEqual({});
    expect(credentialsReceived({ status: 'not_enabled' }, [], NOW)).toEqual(queued());
  });

  it('a changed window length moves the end of running windows only', () => {
    expect(windowMoved({ status: 'syncing', syncUntil: NOW, nextRunAt: NOW - DAY }, 30, 30)).toBeUndefined();
    expect(windowMoved({ status: 'closed', syncUntil: NOW, nextRunAt: null }, 30, 10)).toBeUndefined();
    expect(windowMoved({ status: 'syncing', syncUntil: NOW, nextRunAt: NOW - DAY }, 30, 40)).toEqual({ syncUntil: NOW + 10 * DAY });
    expect(windowMoved({ status: 'syncing', syncUntil: NOW, nextRunAt: NOW - 1000 }, 30, 29)).toEqual({ syncUntil: NOW - DAY, nextRunAt: NOW - DAY });
  });

  it('a source server change for all accounts: failed ones retried (error kept), waiting ones run now', () => {
    expect(sourceServerChanged({ status: 'failed', phase: null }, NOW)).toEqual({ sourceServer: null, ...queued({ keepError: true }) });
    expect(sourceServerChanged({ status: 'in_progress', phase: 'waiting-retry' }, NOW)).toEqual({ sourceServer: null, nextRunAt: NOW });
    expect(sourceServerChanged({ status: 'first_pass_done', phase: null }, NOW)).toEqual({ sourceServer: null });
  });

  it('imported accounts start by mode; only a ready admin import with autoStart is queued', () => {
    expect(importedStatus('admin-with-passwords', true, true)).toEqual({ status: 'in_progress', phase: 'queued' });
    expect(importedStatus('admin-with-passwords', true, false)).toEqual({ status: 'not_started', phase: null });
    expect(importedStatus('admin-with-passwords', false, true)).toEqual({ status: 'not_started', phase: null });
    expect(importedStatus('admin-without-passwords', true, true)).toEqual({ status: 'not_enabled', phase: null });
    expect(importedStatus('self-service', true, true)).toEqual({ status: 'not_started', phase: null });
  });
});

describe('passEnd', () => {
  const result = (o: Partial<AccountResult>): AccountResult => ({
    source: 's',
    target: 't',
    status: 'done',
    messagesCopied: 0,
    messagesSkipped: 0,
    messagesAlreadyPresent: 0,
    bytesCopied: 0,
    folders: [],
    skipped: [],
    warnings: [],
    error: null,
    ...o,
  });

  it('a finished pass takes the total from its folders (mail deleted on the source leaves it)', () => {
    const base = { ...EMPTY_COUNTERS, messagesTotal: 50, messagesCopied: 40 };
    const folder: AccountResult['folders'][number] = { source: 'INBOX', target: 'INBOX', total: 45, copied: 5, skipped: 0, alreadyPresent: 40, bytesCopied: 0, error: null };
    const end = passEnd(base, result({ messagesCopied: 5, messagesAlreadyPresent: 40, folders: [folder] }), base, 'sync');
    expect(end.counters).toMatchObject({ messagesTotal: 45, messagesCopied: 45, messagesSyncedSinceFirstPass: 5 });
  });

  it('a failed pass without folders keeps the total progress reported', () => {
    const sofar = { ...EMPTY_COUNTERS, messagesTotal: 12 };
    const end = passEnd(EMPTY_COUNTERS, result({ status: 'failed', error: { code: 'AUTH_FAILED', message: 'no' } }), sofar, 'first');
    expect(end).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED' }, counters: { messagesTotal: 12, messagesCopied: 0 } });
  });
});
