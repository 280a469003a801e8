/**
 * Reconnection delays: exponential from `baseMs`, capped at `maxMs`, with ±20 % jitter so
 * that several browsers do not knock on a restarted bridge at the same instant.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

/**
 * The bridge is on loopback: an attempt costs next to nothing, and an admin who restarts the
 * bridge expects the extension back within seconds, not after a 15 or 30 s wait.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 4_000 };

export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  const jitter = 0.8 + 0.4 * (opts.random ?? Math.random)();
  return Math.round(Math.min(opts.maxMs, exp * jitter));
}
