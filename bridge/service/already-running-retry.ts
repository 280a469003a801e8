/**
 * A pass refused as ALREADY_RUNNING (another process of the machine copies between the same
 * mailboxes: a command-line run, a cron job) is not a failure of its account: it is asked again
 * after a few minutes, by the service's scheduler (run-outcome.ts) and by a queue worker
 * (bridge/queue/account-processor.ts) alike, without counting as a failed pass.
 */

/** The wait before a refused pass is tried again (plus up to as much again, at random). */
export const ALREADY_RUNNING_RETRY_MS = 2 * 60_000;

/**
 * When a pass refused at `now` is tried again: 2 to 4 minutes later, at random, so that passes
 * refused together (a batch beside a long command-line run) do not all knock at once again.
 */
export function alreadyRunningRetryAt(now: number, random: () => number = Math.random): number {
  return now + ALREADY_RUNNING_RETRY_MS + Math.round(random() * ALREADY_RUNNING_RETRY_MS);
}
