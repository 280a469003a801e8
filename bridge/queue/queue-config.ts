import { createHash } from 'node:crypto';
import type { JobsOptions, WorkerOptions } from 'bullmq';

/** BullMQ prefix and queue name: every key of the queue mode starts with "mailmover:". */
export const QUEUE_PREFIX = 'mailmover';
export const ACCOUNTS_QUEUE = 'accounts';
/** Keys of our own (heartbeats, host caps) beside BullMQ's, same prefix. */
export const OWN_KEY_PREFIX = `${QUEUE_PREFIX}:cluster`;

/**
 * The job id of an account: the same account always gets the same id, and BullMQ adds no
 * second job under an id that exists, so an account is never queued or run twice at once
 * anywhere in the cluster. A hash, because BullMQ job ids may not contain ":" and the
 * account key holds user@host:port.
 */
export function accountJobId(accountKey: string): string {
  return 'acct-' + createHash('sha256').update(accountKey, 'utf8').digest('hex').slice(0, 32);
}

/**
 * A SIGKILLed worker's lock expires after LOCK_DURATION_MS; the stalled check (every
 * STALLED_INTERVAL_MS) first marks the job, then on its next round moves it back to wait,
 * so another worker takes it within about LOCK_DURATION_MS + 2 × STALLED_INTERVAL_MS = 25 s.
 * The lock is renewed every LOCK_DURATION_MS / 2 while the account runs; the engine does
 * its work off the event loop's critical path (network I/O), so 7.5 s is ample.
 */
export const LOCK_DURATION_MS = 15_000;
export const STALLED_INTERVAL_MS = 5_000;
/** Kills of the worker holding an account before BullMQ gives up on it ("job stalled more than allowable limit"). */
export const MAX_STALLED_COUNT = 5;

/** At most one progress update per job per this many ms (the last one always goes). */
export const PROGRESS_INTERVAL_MS = 1_000;

/**
 * `lockDurationMs` other than LOCK_DURATION_MS: the integration tests that wait out an
 * expired lock, which is the same mechanism on a shorter clock. The stalled check runs at
 * least three times per lock, as with the default.
 */
export function workerOptions(lockDurationMs = LOCK_DURATION_MS): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'prefix'> {
  return {
    lockDuration: lockDurationMs,
    stalledInterval: Math.min(STALLED_INTERVAL_MS, Math.floor(lockDurationMs / 3)),
    maxStalledCount: MAX_STALLED_COUNT,
    prefix: QUEUE_PREFIX,
  };
}

/**
 * One attempt: the engine retries transient errors itself and returns a failed account
 * result (a completed job) when it gives up; a failed job means a refusal or a crash.
 * No stack traces in Redis (failed-job records are kept a week for the admin).
 */
export function accountJobOptions(jobId: string): JobsOptions {
  return {
    jobId,
    attempts: 1,
    stackTraceLimit: 0,
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
