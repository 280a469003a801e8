import type { AccountJob, MigrateHooks } from './account-job';
import { MigrationError, classifyError } from './errors';
import type { ProgressTracker } from './progress';

/** Exchange/Microsoft 365 say how long to wait: "Request is throttled. Suggested Backoff Time: 5000 milliseconds". */
export function suggestedBackoffMs(text: string): number {
  const m = /suggested backoff time:?\s*(\d+)\s*(milliseconds|ms|seconds|s)?/i.exec(text);
  if (!m) return 0;
  const n = Number(m[1]);
  const ms = /^s/i.test(m[2] ?? 'ms') && !/^ms/i.test(m[2] ?? '') ? n * 1000 : n;
  return Math.min(ms, 10 * 60_000);
}

/**
 * FOLDER_UNREADABLE is only raised once the folder's FETCH failed on a retry already
 * (source-rescue.ts): another attempt at the same folder would narrow it again on a dozen
 * or so fresh connections, after a longer back-off, to fail the same way. So it is retried
 * only when `retryUnreadable` says the next attempt, which leaves that folder out, has other
 * folders to copy; the next run (the service's retry, the user's) tries the folder again.
 */
function retriedInRun(code: string, retryUnreadable: (() => boolean) | undefined): boolean {
  if (code === 'CANCELLED') return false;
  return code !== 'FOLDER_UNREADABLE' || retryUnreadable?.() === true;
}

/**
 * Waits `ms`, or until `signal` aborts. The listener goes when the wait ends either way: the
 * signal is the whole run's (a batch, the service), and each back-off left one behind.
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs passes over one account until one succeeds or a failure is not worth another
 * try. A transient failure (connection cut, throttling, timeout; a UIDVALIDITY change
 * when `retrySourceChanged`) waits with exponential back-off, or the server's suggested
 * time, then the next pass resumes from the checkpoints, so a retry costs only what
 * was not yet confirmed. An attempt that copied something before it failed starts the
 * count again: a flaky link over a big mailbox is slow progress, not a dead end.
 * Returns the last error, or null.
 */
export async function retryPasses(
  job: AccountJob,
  tracker: ProgressTracker,
  hooks: MigrateHooks,
  /** `lastChance`: a failure of this attempt without progress ends the run (see appendMessages). */
  runPass: (lastChance: boolean) => Promise<void>,
  beforeRetry: () => void,
  /** `settled`: how many messages the account has settled so far (grows when an attempt gets anywhere). */
  opts: { retrySourceChanged?: boolean; settled?: () => number; retryUnreadable?: () => boolean } = {},
): Promise<MigrationError | null> {
  let failuresInARow = 0;
  for (let attempt = 1; ; attempt++) {
    const settledBefore = opts.settled?.() ?? 0;
    try {
      await runPass(failuresInARow + 1 >= job.options.maxAttempts || attempt >= job.options.maxAttempts * 20);
      return null;
    } catch (err) {
      failuresInARow = (opts.settled?.() ?? 0) > settledBefore ? 1 : failuresInARow + 1;
      const side = err instanceof MigrationError ? err.options.side : undefined;
      const ep = side === 'target' ? job.target : job.source;
      const error = classifyError(err, { side: side ?? 'source', account: ep.user, host: ep.host, port: ep.port });
      const retryable = (error.transient || (opts.retrySourceChanged === true && error.code === 'SOURCE_CHANGED')) && retriedInRun(error.code, opts.retryUnreadable);
      if (!retryable || failuresInARow >= job.options.maxAttempts || attempt >= job.options.maxAttempts * 20 || hooks.signal?.aborted) return error;
      const delay = Math.max(job.options.retryBaseMs * 2 ** (failuresInARow - 1), suggestedBackoffMs(error.message));
      hooks.onRetry?.(error, attempt, delay);
      tracker.setPhase('retrying');
      beforeRetry();
      tracker.reset();
      await sleep(delay, hooks.signal);
    }
  }
}
