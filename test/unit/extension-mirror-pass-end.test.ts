/**
 * The Dexie mirror at the end of a pass: the bridge's last (throttled) progress event and the
 * status event that ends the pass arrive within one flush; the row must show the status's final
 * figures, not the progress's older ones with a running phase and an ETA.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView, EventData } from '../../shared/protocol';
import { Mirror } from '../../extension/db/mirror';
import { openDb, type MailmoverDb } from '../../extension/db/schema';

const counters = (copied: number, total: number) => ({
  messagesTotal: total,
  messagesCopied: copied,
  messagesSkipped: 0,
  messagesAlreadyPresent: 0,
  bytesCopied: copied * 100,
  messagesSyncedSinceFirstPass: 0,
});

const view = (patch: Partial<AccountView>): AccountView =>
  ({
    id: 'acct-1',
    jobId: 'job-1',
    source: 'a@old.example.com',
    target: 'a@new.example.com',
    mode: 'admin-with-passwords',
    status: 'in_progress',
    phase: 'copying',
    hasSourcePassword: true,
    hasTargetPassword: true,
    sourceServer: null,
    counters: counters(0, 20),
    error: null,
    attempts: 1,
    nextRunAt: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    firstPassDoneAt: null,
    lastSyncAt: null,
    syncEndsAt: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...patch,
  }) as AccountView;

const progress = (copied: number, total: number): EventData<'account.progress'> =>
  ({
    accountId: 'acct-1',
    jobId: 'job-1',
    phase: 'copying',
    pass: 'first',
    messagesTotal: total,
    messagesCopied: copied,
    messagesSkipped: 0,
    messagesAlreadyPresent: 0,
    bytesTotal: total * 100,
    bytesCopied: copied * 100,
    rate: 10,
    bytesPerSecond: 1000,
    etaSeconds: 1,
    messagesSyncedSinceFirstPass: 0,
    folders: [],
  }) as EventData<'account.progress'>;

let d: MailmoverDb | undefined;
afterEach(async () => {
  d?.close();
  if (d) await d.delete();
});

describe('Mirror at the end of a pass', () => {
  it('keeps the final status when the last progress and the pass end arrive in one flush', async () => {
    d = openDb(`mirror-test-${Math.random()}`);
    const mirror = new Mirror(d);
    await mirror.snapshot([], [view({})]);
    mirror.progressEvent(progress(13, 16));
    mirror.status(view({ status: 'syncing', phase: null, counters: counters(20, 20), firstPassDoneAt: '2026-01-01T00:01:00.000Z' }));
    await mirror.flush();
    const row = (await d.accounts.get('acct-1'))!;
    expect(row.status).toBe('syncing');
    expect(row.phase).toBeNull();
    expect(row.counters.messagesCopied).toBe(20);
    expect(row.counters.messagesTotal).toBe(20);
    expect(row.progress).toBeNull();
  });

  it('still applies progress that arrives after the status', async () => {
    d = openDb(`mirror-test-${Math.random()}`);
    const mirror = new Mirror(d);
    await mirror.snapshot([], [view({})]);
    mirror.status(view({ phase: 'copying', counters: counters(5, 20) }));
    mirror.progressEvent(progress(8, 20));
    await mirror.flush();
    const row = (await d.accounts.get('acct-1'))!;
    expect(row.counters.messagesCopied).toBe(8);
    expect(row.progress?.etaSeconds).toBe(1);
  });
});
