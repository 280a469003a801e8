import { describe, expect, it } from 'vitest';
import { accountRunOptions, SYNC_UNREADABLE_RETRY_MS } from '../../bridge/service/account-endpoints';
import { planImport } from '../../bridge/service/account-import';
import type { AccountRecord } from '../../bridge/service/accounts-repo';
import { EMPTY_COUNTERS } from '../../bridge/service/accounts-repo';
import { accountRecord, jobRecord } from '../support/service-records';
import { backoffDelay } from '../../bridge/service/backoff';
import type { JobRecord } from '../../bridge/service/jobs-repo';
import { escapeCsvCell, reportCsv } from '../../bridge/service/report-csv';
import { ALREADY_RUNNING_RETRY_MS, DEFAULT_RETRY_POLICY, decideOutcome, mergeCounters } from '../../bridge/service/run-outcome';
import { Scheduler, type Candidate } from '../../bridge/service/scheduler';
import { isExtensionOrigin } from '../../bridge/service/trusted-origins';
import { isAllowedHost } from '../../bridge/server/guards';
import { FloodGuard } from '../../bridge/server/flood-guard';
import { defaultDataDir } from '../../bridge/cli/data-dir';

const job = (intervalMinutes = 60, windowDays = 30): JobRecord => jobRecord('job_test01', { name: 'j', incremental: { intervalMinutes, windowDays } });

const account = (over: Partial<AccountRecord> = {}): AccountRecord =>
  accountRecord({ id: 'acc_test01', jobId: 'job_test01', source: 'a@old.cn', target: 'a@new.cn', phase: 'copying', attempts: 1, ...over });

const NOW = Date.parse('2025-03-01T00:00:00Z');
const done = { status: 'done' as const, error: null, counters: EMPTY_COUNTERS };
const failed = (code: 'AUTH_FAILED' | 'CONNECT_FAILED' | 'THROTTLED' | 'ALREADY_RUNNING') => ({ status: 'failed' as const, error: { code, message: 'm' }, counters: EMPTY_COUNTERS });

describe('the engine options of an account run', () => {
  it('the syncs after the first pass try unreadable messages again at most every few hours; the first pass and the last sync of the window every time', () => {
    expect(accountRunOptions(job(), account(), 2, 1000, NOW).unreadableRetryMs).toBeUndefined();
    const syncing = (syncUntil: number) => account({ status: 'syncing', firstPassDoneAt: '2025-03-01T00:00:00.000Z', syncUntil });
    const sync = accountRunOptions(job(60), syncing(NOW + 10 * 86_400_000), 2, 1000, NOW);
    expect(sync.unreadableRetryMs).toBe(SYNC_UNREADABLE_RETRY_MS);
    // The window ends before the next sync (every 60 minutes) would start: after this one the
    // account closes and its passwords are deleted, so it tries them.
    expect(accountRunOptions(job(60), syncing(NOW + 59 * 60_000), 2, 1000, NOW).unreadableRetryMs).toBeUndefined();
    expect(accountRunOptions(job(60), syncing(NOW + 61 * 60_000), 2, 1000, NOW).unreadableRetryMs).toBe(SYNC_UNREADABLE_RETRY_MS);
    // At the default five-minute interval: at most one try in 72 syncs.
    expect(SYNC_UNREADABLE_RETRY_MS / (5 * 60_000)).toBeGreaterThanOrEqual(72);
    expect(sync.concurrency).toBe(2);
  });
});

describe('run outcome', () => {
  const decide = (o: Partial<Parameters<typeof decideOutcome>[0]>) =>
    decideOutcome({ account: account(), job: job(), end: done, stopReason: undefined, now: NOW, passStartedAt: NOW, policy: DEFAULT_RETRY_POLICY, random: () => 0.5, ...o });

  it('after the first pass: syncing on the job interval, or "first pass done" without incremental sync', () => {
    const sync = decide({});
    expect(sync.patch).toMatchObject({ status: 'syncing', nextRunAt: NOW + 60 * 60_000, firstPassDoneAt: new Date(NOW).toISOString() });
    expect(decide({ job: job(0) }).patch).toMatchObject({ status: 'first_pass_done', nextRunAt: null });
  });

  it('closes the account and drops its passwords when the incremental window is over (seed: 30 days)', () => {
    const first = new Date(NOW - 31 * 86_400_000).toISOString();
    const out = decide({ account: account({ status: 'syncing', firstPassDoneAt: first }) });
    expect(out).toMatchObject({ patch: { status: 'closed' }, deleteCredentials: true });
    // Started before the end, ended after it: one more pass, at once, closes it.
    const straddling = decide({ account: account({ status: 'syncing', firstPassDoneAt: first, syncUntil: NOW - 1 }), passStartedAt: NOW - 2 });
    expect(straddling).toMatchObject({ patch: { status: 'syncing', nextRunAt: NOW - 1 }, deleteCredentials: false });
  });

  it('accepts sub-minute intervals and fractional windows; a reopened window (syncUntil) wins over the first pass date', () => {
    const fast = decide({ job: job(2 / 60, 30) });
    expect(fast.patch).toMatchObject({ status: 'syncing', nextRunAt: NOW + 2000, syncUntil: NOW + 30 * 86_400_000 });
    // A 10-second window: the next run is at its end at the latest.
    const short = decide({ job: job(1, 10 / 86_400) });
    expect(short.patch).toMatchObject({ status: 'syncing', nextRunAt: NOW + 10_000, syncUntil: NOW + 10_000 });
    // First pass long ago, but reopened: the window is the reopen's.
    const first = new Date(NOW - 31 * 86_400_000).toISOString();
    const reopened = decide({ account: account({ status: 'syncing', firstPassDoneAt: first, syncUntil: NOW + 5000 }), job: job(1 / 60) });
    expect(reopened).toMatchObject({ patch: { status: 'syncing', nextRunAt: NOW + 1000, syncUntil: NOW + 5000 }, deleteCredentials: false });
    const over = decide({ account: account({ status: 'syncing', firstPassDoneAt: first, syncUntil: NOW - 1 }) });
    expect(over).toMatchObject({ patch: { status: 'closed', nextRunAt: null }, deleteCredentials: true });
  });

  it('a pass that met another process running the same mailbox pair (ALREADY_RUNNING) waits and is run again, with its facts kept for the monitor', () => {
    const facts = { kind: 'already-running' as const, pid: 4242, since: new Date(NOW - 60_000).toISOString() };
    const out = decide({ end: { ...failed('ALREADY_RUNNING'), error: { code: 'ALREADY_RUNNING', message: 'Another mailmover run on this computer (process 4242, …)', facts } } });
    expect(out.patch).toMatchObject({ phase: 'waiting-retry', error: { code: 'ALREADY_RUNNING', transient: true, facts } });
    expect(out.patch.status).toBeUndefined();
    // Not a failure of the account: a first pass of hours beside it never makes it fail for good,
    // and it is asked again within minutes (not an hour of back-off) after the other run ends.
    expect(out.patch.failures).toBeUndefined();
    expect(out.patch.nextRunAt).toBe(NOW + ALREADY_RUNNING_RETRY_MS * 1.5);
    const longAfter = decide({ account: account({ failures: DEFAULT_RETRY_POLICY.maxTransientFailures + 5 }), end: { ...failed('ALREADY_RUNNING'), error: { code: 'ALREADY_RUNNING', message: 'm', facts } } });
    expect(longAfter.patch.status).toBeUndefined();
    expect(longAfter.patch.phase).toBe('waiting-retry');
  });

  it('keeps counters cumulative across runs; sync copies count as synced since the first pass', () => {
    const first = mergeCounters(EMPTY_COUNTERS, { messagesTotal: 10, messagesCopied: 8, messagesSkipped: 1, messagesAlreadyPresent: 1, bytesCopied: 800 }, 'first');
    expect(first).toEqual({ messagesTotal: 10, messagesCopied: 8, messagesSkipped: 1, messagesAlreadyPresent: 1, bytesCopied: 800, messagesSyncedSinceFirstPass: 0 });
    // A sync run still planning (nothing counted yet) does not drop the counters.
    expect(mergeCounters(first, { messagesTotal: 0, messagesCopied: 0, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 0 }, 'sync')).toEqual(first);
    // The engine counts earlier copies as "already present" in the next run.
    const sync = mergeCounters(first, { messagesTotal: 12, messagesCopied: 2, messagesSkipped: 1, messagesAlreadyPresent: 9, bytesCopied: 200 }, 'sync');
    expect(sync).toEqual({ messagesTotal: 12, messagesCopied: 10, messagesSkipped: 1, messagesAlreadyPresent: 1, bytesCopied: 1000, messagesSyncedSinceFirstPass: 2 });
  });

  it('retries transient errors with back-off, fails permanent ones at once', () => {
    const t = decide({ end: failed('CONNECT_FAILED') });
    expect(t.patch).toMatchObject({ phase: 'waiting-retry', failures: 1, error: { code: 'CONNECT_FAILED', transient: true } });
    expect(t.patch.status).toBeUndefined();
    expect(t.patch.nextRunAt).toBeGreaterThan(NOW);
    const p = decide({ end: failed('AUTH_FAILED') });
    expect(p.patch).toMatchObject({ status: 'failed', nextRunAt: null, error: { code: 'AUTH_FAILED', transient: false, remedy: { zh: expect.any(String) } } });
    const exhausted = decide({ account: account({ failures: DEFAULT_RETRY_POLICY.maxTransientFailures }), end: failed('THROTTLED') });
    expect(exhausted.patch.status).toBe('failed');
    // Inside an open sync window an outage does not end the syncing; once the window is over it does.
    const syncing = account({ status: 'syncing', failures: DEFAULT_RETRY_POLICY.maxTransientFailures, firstPassDoneAt: new Date(NOW - 86_400_000).toISOString(), syncUntil: NOW + 1 });
    expect(decide({ account: syncing, end: failed('CONNECT_FAILED') }).patch).toMatchObject({ phase: 'waiting-retry', failures: DEFAULT_RETRY_POLICY.maxTransientFailures + 1 });
    expect(decide({ account: { ...syncing, syncUntil: NOW }, end: failed('CONNECT_FAILED') }).patch.status).toBe('failed');
    expect(decide({ account: syncing, end: failed('AUTH_FAILED') }).patch.status).toBe('failed');
  });

  it('keeps the queue on shutdown, pauses and closes on request', () => {
    expect(decide({ stopReason: 'shutdown', end: failed('CONNECT_FAILED') }).patch).toMatchObject({ phase: 'queued' });
    expect(decide({ stopReason: 'pause' }).patch).toMatchObject({ status: 'paused' });
    expect(decide({ stopReason: 'stop' })).toMatchObject({ patch: { status: 'closed' }, deleteCredentials: true });
  });

  it('a first pass stopped to make room for a sync goes back to the queue at the place it had', () => {
    const made = decide({ stopReason: 'make-room', end: failed('CONNECT_FAILED'), queuedSince: NOW - 3_600_000 });
    expect(made).toEqual({ patch: expect.objectContaining({ phase: 'queued', nextRunAt: NOW - 3_600_000 }), deleteCredentials: false });
    expect(made.patch).not.toHaveProperty('status');
    expect(made.patch).not.toHaveProperty('error');
  });
});

describe('back-off', () => {
  it('grows exponentially, is capped, and is jittered within [half, full]', () => {
    const o = { baseMs: 1000, maxMs: 10_000 };
    expect(backoffDelay(1, o, () => 1)).toBe(1000);
    expect(backoffDelay(3, o, () => 1)).toBe(4000);
    expect(backoffDelay(10, o, () => 1)).toBe(10_000);
    expect(backoffDelay(3, o, () => 0)).toBe(2000);
  });
});

describe('scheduler', () => {
  it('respects the global limit and the per-source-host connection cap', async () => {
    const mk = (id: string, host: string, connections: number): Candidate => ({ account: account({ id }), firstPass: true, host, connections });
    const list = [mk('a1', 'imap.a.cn', 3), mk('a2', 'imap.a.cn', 3), mk('a3', 'imap.a.cn', 2), mk('b1', 'imap.b.cn', 20), mk('c1', 'imap.c.cn', 1), mk('d1', 'imap.d.cn', 1)];
    const started: Array<[string, number]> = [];
    const release: Array<() => void> = [];
    const s = new Scheduler({
      limits: { maxAccounts: 4, maxConnectionsPerHost: 5 },
      candidates: () => list,
      run: (c, n) => {
        started.push([c.account.id, n]);
        return new Promise<void>((r) => release.push(r));
      },
      tickMs: 60_000,
    });
    s.tick();
    // a1 (3) fits; a2 (3) would make 6 > 5, so it waits and a3 after it does not take the room a2
    // waits for; b1 is narrowed to the cap; c1 and d1 fill the 4 slots.
    expect(started).toEqual([['a1', 3], ['b1', 5], ['c1', 1], ['d1', 1]]);
    expect(s.hostLoad().get('imap.a.cn')).toBe(3);
    release.forEach((r) => r());
    await s.stop();
  });

  it('lends the place kept for syncs to a first pass only while no sync falls due within a minute, and takes it back one first pass at a time', async () => {
    const NOW = 1_000_000;
    const mk = (id: string, firstPass: boolean, host = 'h'): Candidate => ({ account: account({ id }), firstPass, host, connections: 1 });
    let list = [mk('f1', true), mk('f2', true), mk('f3', true)];
    let nextSync: number | null = NOW + 30_000;
    const started: string[] = [];
    const stopped: Array<[string, string | undefined]> = [];
    const s = new Scheduler({
      limits: { maxAccounts: 2, maxConnectionsPerHost: 8 },
      candidates: () => list.filter((c) => !stopped.some(([id]) => id === c.account.id)),
      nextSyncAt: () => nextSync,
      now: () => NOW,
      run: (c, _n, signal, reason) => {
        started.push(c.account.id);
        return new Promise<void>((r) => signal.addEventListener('abort', () => (stopped.push([c.account.id, reason()]), r())));
      },
      tickMs: 60_000,
    });
    // A sync due in 30 s: one place stays for it.
    s.tick();
    expect(started).toEqual(['f1']);
    // None due within the minute: the second place goes to f2.
    nextSync = NOW + 120_000;
    s.tick();
    expect(started).toEqual(['f1', 'f2']);
    // A sync waits: f2 (started last) is asked to stop, once, however many ticks pass before it has.
    list = [mk('sync', false), ...list];
    s.tick();
    s.tick();
    await new Promise((r) => setImmediate(r));
    expect(stopped).toEqual([['f2', 'make-room']]);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['f1', 'f2', 'sync']);
    await s.stop();
  });

  it('aborts running accounts and waits for them on stop', async () => {
    let signalled = false;
    const s = new Scheduler({
      limits: { maxAccounts: 1, maxConnectionsPerHost: 1 },
      candidates: () => [{ account: account(), firstPass: true, host: 'h', connections: 1 }],
      run: (_c, _n, signal, reason) =>
        new Promise<void>((r) =>
          signal.addEventListener('abort', () => {
            signalled = reason() === 'shutdown';
            r();
          }),
        ),
      tickMs: 60_000,
    });
    s.tick();
    await s.stop('shutdown');
    expect(signalled).toBe(true);
  });
});

describe('account import modes', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  const logins = { source: { kind: 'per-account' as const }, target: { kind: 'per-account' as const } };

  it('admin with passwords needs both passwords unless the job has admin logins', () => {
    const f = bytes('source,target,source_password,target_password\na@old.cn,a@new.cn,,tp\n');
    expect(planImport(f, 'admin-with-passwords', logins).errors.map((e) => e.line)).toEqual([2]);
    expect(planImport(f, 'admin-with-passwords', { ...logins, source: { kind: 'admin', adminUser: 'adm', form: 'authzid' } }).errors).toEqual([]);
  });

  it('without passwords: same address on both sides, no password column', () => {
    const r = planImport(bytes('source,target\na@x.cn,a@x.cn\nb@old.cn,b@new.cn\n'), 'admin-without-passwords', logins);
    expect(r.errors.map((e) => e.line)).toEqual([3]);
    expect(r.rows).toEqual([]); // nothing is imported while a row is bad
    expect(planImport(bytes('source,target,source_password\na@x.cn,a@x.cn,pw\n'), 'self-service', logins).errors).toHaveLength(1);
  });

  it('refuses more than 1000 rows per import', () => {
    const lines = ['source,target', ...Array.from({ length: 1001 }, (_, i) => `u${i}@old.cn,u${i}@new.cn`)];
    const r = planImport(bytes(lines.join('\n')), 'self-service', logins);
    expect(r.rows).toEqual([]);
    expect(r.errors[0]!.message).toMatch(/at most 1000/);
  });
});

describe('report CSV', () => {
  it('escapes formula-like cells and quotes separators', () => {
    expect(escapeCsvCell('=SUM(A1)')).toBe(`'=SUM(A1)`);
    expect(escapeCsvCell('+1')).toBe(`'+1`);
    expect(escapeCsvCell('-1')).toBe(`'-1`);
    expect(escapeCsvCell('@x')).toBe(`'@x`);
    expect(escapeCsvCell('\tx')).toBe(`'\tx`);
    expect(escapeCsvCell('a,"b"')).toBe(`"a,""b"""`);
    expect(escapeCsvCell('=a,b')).toBe(`"'=a,b"`);
    expect(escapeCsvCell(42)).toBe('42');
    expect(escapeCsvCell(null)).toBe('');
    expect(reportCsv([]).startsWith('\ufeffsource,target,')).toBe(true);
  });
});

describe('guards', () => {
  it('accepts only loopback Host names with the bridge port', () => {
    expect(isAllowedHost('127.0.0.1:7878', 7878)).toBe(true);
    expect(isAllowedHost('LOCALHOST:7878', 7878)).toBe(true);
    expect(isAllowedHost('[::1]:7878', 7878)).toBe(true);
    for (const h of ['127.0.0.1', '127.0.0.1:80', 'evil.example:7878', '127.0.0.1.evil.example:7878', 'localhost.:7878', undefined]) {
      expect(isAllowedHost(h, 7878), String(h)).toBe(false);
    }
  });

  it('trusts only extension origins', () => {
    expect(isExtensionOrigin('chrome-extension://cecebljahdhogcjfihcheahabdjoppkk')).toBe(true);
    expect(isExtensionOrigin('moz-extension://0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9')).toBe(true);
    for (const o of ['https://qiye.aliyun.com', 'null', 'chrome-extension://short', 'chrome-extension://cecebljahdhogcjfihcheahabdjoppkk.evil', 'http://127.0.0.1:7878']) {
      expect(isExtensionOrigin(o), o).toBe(false);
    }
  });

  it('floods empty the bucket; time refills it', () => {
    let t = 0;
    const f = new FloodGuard(3, 1, () => t);
    expect([f.take(), f.take(), f.take(), f.take()]).toEqual([true, true, true, false]);
    t = 1000;
    expect(f.take()).toBe(true);
  });
});

describe('data dir', () => {
  it('follows each OS, and MAILMOVER_HOME overrides it', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/share/mailmover');
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/mailmover');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/mailmover');
    expect(defaultDataDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Local\\mailmover');
    expect(defaultDataDir({ MAILMOVER_HOME: '/m' }, 'darwin', '/Users/u')).toBe('/m');
  });
});

describe('state file upgrade', () => {
  it('adds the incremental-window columns to a state file written before them; old counters read the new field as 0', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const Database = (await import('better-sqlite3')).default;
    const { openServiceDb, STATE_FILE } = await import('../../bridge/service/db');
    const { AccountsRepo } = await import('../../bridge/service/accounts-repo');
    const dir = mkdtempSync(join(tmpdir(), 'mailmover-upgrade-'));
    try {
      const old = new Database(join(dir, STATE_FILE));
      old.exec(`CREATE TABLE svc_jobs (id TEXT PRIMARY KEY, spec TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE svc_accounts (id TEXT PRIMARY KEY, job_id TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL,
          phase TEXT, source_server TEXT, counters TEXT NOT NULL, error TEXT, attempts INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
          next_run_at INTEGER, started_at TEXT, first_pass_done_at TEXT, last_sync_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        INSERT INTO svc_jobs VALUES ('job_old001', '{}', 'active', '', '');
        INSERT INTO svc_accounts (id, job_id, source, target, mode, status, counters, created_at, updated_at)
          VALUES ('acc_old001', 'job_old001', 'a@b.cn', 'a@b.cn', 'admin-with-passwords', 'syncing', '{"messagesTotal":3,"messagesCopied":3,"messagesSkipped":0,"messagesAlreadyPresent":0,"bytesCopied":9}', '', '');`);
      old.close();
      const db = openServiceDb(dir);
      try {
        const a = new AccountsRepo(db).get('acc_old001')!;
        expect(a.syncUntil).toBeNull();
        expect(a.counters).toEqual({ messagesTotal: 3, messagesCopied: 3, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 9, messagesSyncedSinceFirstPass: 0 });
        expect(new AccountsRepo(db).update('acc_old001', { syncUntil: 42 }).syncUntil).toBe(42);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
