import { REMEDIES, type ErrorInfo } from '../../shared/errors';
import type { AccountProgress, AccountResult } from '../../shared/migration';
import type { AccountCounters } from '../../shared/protocol/account';
import type { AccountPatch, AccountRecord } from './accounts-repo';
import { backoffDelay } from './backoff';
import type { JobRecord } from './jobs-repo';
import type { StopReason } from './scheduler';
import { classified } from './views';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Transient failures in a row after which the account is marked failed and waits for a person. */
  maxTransientFailures: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 30_000, maxMs: 60 * 60_000, maxTransientFailures: 8 };

/**
 * The account's cumulative counters during and after a run, from the counters it had when
 * the run started (`base`) and the engine's counters of this run (`run`). The engine counts
 * what earlier runs settled as "already present" in each run, so:
 * - copied and bytes add up over runs;
 * - already present = the run's minus what earlier runs copied (never below what it was);
 * - total and skipped never drop while a run is still planning its folders;
 * - a sync run's copies also count as messagesSyncedSinceFirstPass.
 */
export function mergeCounters(base: AccountCounters, run: Omit<AccountCounters, 'messagesSyncedSinceFirstPass'>, pass: 'first' | 'sync'): AccountCounters {
  return {
    messagesTotal: Math.max(base.messagesTotal, run.messagesTotal),
    messagesCopied: base.messagesCopied + run.messagesCopied,
    messagesSkipped: Math.max(base.messagesSkipped, run.messagesSkipped),
    messagesAlreadyPresent: Math.max(base.messagesAlreadyPresent, run.messagesAlreadyPresent - base.messagesCopied),
    bytesCopied: base.bytesCopied + run.bytesCopied,
    messagesSyncedSinceFirstPass: base.messagesSyncedSinceFirstPass + (pass === 'sync' ? run.messagesCopied : 0),
  };
}

export interface RunEnd {
  /** null when the run could not start (e.g. a missing password). */
  status: 'done' | 'failed';
  error: ErrorInfo | null;
  counters: AccountCounters;
}

/**
 * A pass's end as the account records it, from the engine's result: counters added to what the
 * account had (`base`), and the total taken from the folders when the engine listed them. A
 * finished pass knows the source's real size, so messages deleted on the source since leave the
 * total. `sofar` is what progress reported last (the total when no folder was listed).
 */
export function passEnd(base: AccountCounters, result: AccountResult, sofar: AccountCounters, pass: 'first' | 'sync'): RunEnd {
  const total = result.folders.reduce((s, f) => s + f.total, 0);
  const end: RunEnd = {
    status: result.status,
    error: result.error,
    counters: mergeCounters(
      base,
      {
        messagesTotal: total || sofar.messagesTotal,
        messagesCopied: result.messagesCopied,
        messagesSkipped: result.messagesSkipped,
        messagesAlreadyPresent: result.messagesAlreadyPresent,
        bytesCopied: result.bytesCopied,
      },
      pass,
    ),
  };
  if (result.status === 'done' && total) end.counters.messagesTotal = total;
  return end;
}

/** The engine's progress counters of this pass, in the account's counter fields. */
export function progressCounters(p: AccountProgress): Omit<AccountCounters, 'messagesSyncedSinceFirstPass'> {
  return {
    messagesTotal: p.messagesTotal,
    messagesCopied: p.messagesCopied,
    messagesSkipped: p.messagesSkipped,
    messagesAlreadyPresent: p.messagesAlreadyPresent,
    bytesCopied: p.bytesCopied,
  };
}

/**
 * What an account becomes after a run (pure, so it is unit-tested on its own):
 * - stopped on purpose: paused / closed, or back in the queue when the bridge shuts
 *   down or the job is paused (so a restart carries on by itself), or when a first
 *   pass made room for a sync (at the place in the queue it had);
 * - done: the first pass is recorded; with incremental sync on, the account syncs
 *   again after `intervalMinutes` until `windowDays` after the first pass, then it is
 *   closed (搬家服务默认开启30天自动关闭: on for 30 days by default, then closed); with it off it stays "first pass done".
 *   Only a pass that started at or after the window's end closes it: one that was running
 *   when the window ended may have read a folder before mail arrived in it;
 * - failed: a transient error (cut connection, throttling) waits with exponential
 *   back-off and jitter; a permanent one (wrong password, TLS, quota) fails the
 *   account, which is not tried again until a person changes something. Transient
 *   errors fail it too after `maxTransientFailures` in a row, except inside an open
 *   sync window: an outage of the old server there would otherwise end the syncing
 *   for good, and the mail arriving after it would stay behind.
 */
export function decideOutcome(opts: {
  account: AccountRecord;
  job: JobRecord;
  end: RunEnd;
  stopReason: StopReason | undefined;
  now: number;
  /** When the pass began (ms since the epoch). */
  passStartedAt: number;
  /** Since when the account had waited for that pass (its place in the queue); see 'make-room'. */
  queuedSince?: number;
  policy: RetryPolicy;
  random?: () => number;
}): { patch: AccountPatch; deleteCredentials: boolean } {
  const { account, job, end, stopReason, now, policy } = opts;
  const iso = new Date(now).toISOString();
  switch (stopReason) {
    case 'pause':
      return { patch: { status: 'paused', phase: null, nextRunAt: null, counters: end.counters }, deleteCredentials: false };
    case 'stop':
      return { patch: { status: 'closed', phase: null, nextRunAt: null, counters: end.counters }, deleteCredentials: true };
    case 'make-room':
      // Stopped for a sync to run: back in the queue at the place it had, not behind those queued since.
      return { patch: { phase: 'queued', nextRunAt: opts.queuedSince ?? now, counters: end.counters }, deleteCredentials: false };
    case 'shutdown':
    case 'job-paused':
      return { patch: { phase: account.status === 'syncing' ? null : 'queued', nextRunAt: account.status === 'syncing' ? now : null, counters: end.counters }, deleteCredentials: false };
    case undefined:
      break;
  }
  if (end.status === 'done') {
    const firstPassDoneAt = account.firstPassDoneAt ?? iso;
    const base: AccountPatch = { phase: null, error: null, failures: 0, counters: end.counters, firstPassDoneAt, lastSyncAt: iso };
    const { intervalMinutes, windowDays } = job.spec.incremental;
    if (intervalMinutes === 0) return { patch: { ...base, status: 'first_pass_done', nextRunAt: null, syncUntil: null }, deleteCredentials: false };
    const windowEnd = windowEndOf(account.syncUntil, firstPassDoneAt, windowDays);
    if (opts.passStartedAt >= windowEnd) return { patch: { ...base, status: 'closed', nextRunAt: null, syncUntil: windowEnd }, deleteCredentials: true };
    return {
      // Past the end already: the closing pass runs at once.
      patch: { ...base, status: 'syncing', nextRunAt: Math.min(now + Math.round(intervalMinutes * 60_000), windowEnd), syncUntil: windowEnd },
      deleteCredentials: false,
    };
  }
  const error = end.error ?? { code: 'INTERNAL' as const, message: 'The run ended without an error description.' };
  if (error.code === 'ALREADY_RUNNING') {
    // Another process (a command-line run, a cron job) copies between the same mailboxes: not a
    // failure of this account, which must not fail for good behind a first pass of hours, nor wait
    // an hour of back-off after it ended. Asked again every few minutes, its failure count untouched.
    return {
      patch: { phase: 'waiting-retry', error: classified(error), counters: end.counters, nextRunAt: now + ALREADY_RUNNING_RETRY_MS + Math.round((opts.random ?? Math.random)() * ALREADY_RUNNING_RETRY_MS) },
      deleteCredentials: false,
    };
  }
  const failures = account.failures + 1;
  if (REMEDIES[error.code].transient && (failures <= policy.maxTransientFailures || syncWindowOpen(account, job, now))) {
    return {
      patch: {
        phase: 'waiting-retry',
        error: classified(error),
        failures,
        counters: end.counters,
        nextRunAt: now + backoffDelay(failures, policy, opts.random),
      },
      deleteCredentials: false,
    };
  }
  return { patch: { status: 'failed', phase: null, error: classified(error), failures, counters: end.counters, nextRunAt: null }, deleteCredentials: false };
}

/** The wait before a pass refused as ALREADY_RUNNING is tried again (plus up to as much again, at random). */
export const ALREADY_RUNNING_RETRY_MS = 2 * 60_000;

/** The end of an account's sync window: the reopen's (syncUntil), or `windowDays` after the first pass. */
function windowEndOf(syncUntil: number | null, firstPassDoneAt: string, windowDays: number): number {
  return syncUntil ?? Date.parse(firstPassDoneAt) + Math.round(windowDays * 86_400_000);
}

/** Whether the account is past its first pass and its sync window is still open at `now`. */
function syncWindowOpen(account: AccountRecord, job: JobRecord, now: number): boolean {
  const { intervalMinutes, windowDays } = job.spec.incremental;
  return intervalMinutes > 0 && account.firstPassDoneAt !== null && now < windowEndOf(account.syncUntil, account.firstPassDoneAt, windowDays);
}
