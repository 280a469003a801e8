/**
 * A token bucket per connection: `burst` messages at once, refilled at `perSecond`.
 * The extension sends a few requests per user action; a client that empties the
 * bucket is misbehaving and is disconnected (close code 4429).
 */
export class FloodGuard {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst = 200,
    private readonly perSecond = 50,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
