/**
 * Limits failed pairing attempts across all clients (everything comes from
 * loopback, so per-address limits would mean nothing): at most `maxFailures`
 * failures in a sliding `windowMs`. While over the limit every attempt is
 * refused, even one with the right code, so guessing cannot race the limit.
 */
export class PairingRateLimit {
  private failures: number[] = [];

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until an attempt is allowed again; 0 when it is allowed now. */
  retryAfterMs(): number {
    const t = this.now();
    this.failures = this.failures.filter((f) => t - f < this.windowMs);
    if (this.failures.length < this.maxFailures) return 0;
    return this.windowMs - (t - this.failures[0]!);
  }

  recordFailure(): void {
    this.failures.push(this.now());
  }
}
