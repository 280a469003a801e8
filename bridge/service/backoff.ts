/**
 * Delay before retry number `failures` (1 = first retry) of a transient error:
 * exponential from `baseMs`, capped at `maxMs`, with "full jitter" (a random
 * point between half and all of it) so that accounts failing together (the
 * provider throttled the whole company) do not come back together.
 */
export function backoffDelay(failures: number, opts: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
