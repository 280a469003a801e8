/**
 * Admission to POST /pair, decided synchronously when the request arrives, before anything is
 * awaited. Counting a failure only after the body had been read let a thousand concurrent
 * guesses all pass the check and all be evaluated; here every attempt counts the moment it is
 * admitted, so at most `maxAttempts` codes are ever compared per window, whatever the
 * concurrency. A correct code gives its slot back (a user who mistyped and then succeeded is
 * not locked out of pairing a second browser). At most `maxConcurrent` requests are in
 * flight at once: a slow-body client cannot pile up pending requests either.
 */
export type PairAdmission =
  | { ok: true; release(succeeded: boolean): void }
  | { ok: false; reason: 'RATE_LIMITED' | 'BUSY'; retryAfterMs: number };

export class PairGate {
  private attempts: number[] = [];
  private inFlight = 0;

  constructor(
    private readonly maxAttempts = 5,
    private readonly windowMs = 60_000,
    private readonly maxConcurrent = 2,
    private readonly now: () => number = Date.now,
  ) {}

  admit(): PairAdmission {
    const t = this.now();
    this.attempts = this.attempts.filter((a) => t - a < this.windowMs);
    if (this.attempts.length >= this.maxAttempts) return { ok: false, reason: 'RATE_LIMITED', retryAfterMs: this.windowMs - (t - this.attempts[0]!) };
    if (this.inFlight >= this.maxConcurrent) return { ok: false, reason: 'BUSY', retryAfterMs: 1000 };
    const at = t;
    this.attempts.push(at);
    this.inFlight++;
    let released = false;
    return {
      ok: true,
      release: (succeeded) => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (succeeded) {
          const i = this.attempts.indexOf(at);
          if (i >= 0) this.attempts.splice(i, 1);
        }
      },
    };
  }

  /** How many codes were compared in the current window (for tests and the log). */
  get counted(): number {
    return this.attempts.length;
  }
}
