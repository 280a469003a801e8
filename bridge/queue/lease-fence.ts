import { LOCK_DURATION_MS } from './queue-config';

/**
 * How long a worker goes on with an account whose job lock it could not renew. The lock
 * expires LOCK_DURATION_MS after the last renewal Redis carried out; then the stalled check
 * may hand the account to another worker. A worker cut off from Redis (Redis down, a network
 * partition) still reaches the mail servers and would copy on: so it halts the account (its
 * target connections closed) well before that, leaving a few seconds for what it already
 * wrote to reach the target before another worker's scan looks. Renewals go every
 * LOCK_DURATION_MS / 2 at most, so a healthy worker never comes near this.
 */
export const fenceAfterMs = (lockDurationMs: number): number => Math.floor(lockDurationMs * 0.7);
export const FENCE_AFTER_MS = fenceAfterMs(LOCK_DURATION_MS);

/**
 * Per running job (by its lock token): when its lock was last known to be held. A renewal
 * counts from when it was sent, since Redis set the new expiry at some point after that.
 */
export class LeaseFence {
  private readonly confirmed = new Map<string, { jobId: string; at: number; fenced: boolean }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onUnconfirmed: (jobId: string) => void,
    private readonly afterMs = FENCE_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A job taken with this token; `since`: when its lock was taken (moveToActive). */
  track(token: string, jobId: string, since: number): void {
    this.confirmed.set(token, { jobId, at: Math.min(since, this.now()), fenced: false });
  }

  untrack(token: string): void {
    this.confirmed.delete(token);
  }

  /** Renewals that Redis confirmed, sent at `sentAt`. */
  confirm(tokens: readonly string[], sentAt: number): void {
    for (const token of tokens) {
      const entry = this.confirmed.get(token);
      if (entry && sentAt > entry.at) entry.at = sentAt;
    }
  }

  check(): void {
    const now = this.now();
    for (const entry of this.confirmed.values()) {
      if (entry.fenced || now - entry.at <= this.afterMs) continue;
      entry.fenced = true;
      this.onUnconfirmed(entry.jobId);
    }
  }

  start(intervalMs = 500): void {
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
