/**
 * Bounds the message bytes held in memory by all copy workers together. A message
 * larger than the whole budget still goes through, alone, so one 30 MB attachment
 * does not multiply memory by the number of workers.
 *
 * A pass over a long link may widen it up to its ceiling (link-window.ts): the round
 * trip, not the memory, is then what keeps the workers waiting.
 */
export class ByteBudget {
  private current: number;
  private available: number;
  private readonly waiters: Array<{ bytes: number; resolve: (granted: number) => void }> = [];

  constructor(
    /** The capacity when nothing widens it. */
    readonly base: number,
    /** The most `widen` may raise the capacity to, all widenings together. */
    private readonly ceiling = base * 2,
  ) {
    this.current = base;
    this.available = base;
  }

  /** Bytes that may be held at once now: the base, plus what passes widened it by. */
  get capacity(): number {
    return this.current;
  }

  async acquire(bytes: number): Promise<() => void> {
    const want = Math.max(bytes, 1);
    let n: number;
    if (this.waiters.length === 0 && this.available >= this.grantable(want)) {
      n = this.grantable(want);
      this.available -= n;
    } else {
      n = await new Promise<number>((resolve) => this.waiters.push({ bytes: want, resolve }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += n;
      this.drain();
    };
  }

  /**
   * Raises the capacity by up to `bytes` (never above the ceiling) and returns what
   * takes the raise back. Bytes already handed out beyond the narrowed capacity are
   * simply not handed out again until they come back.
   */
  widen(bytes: number): () => void {
    const added = Math.max(0, Math.min(Math.floor(bytes), this.ceiling - this.current));
    this.current += added;
    this.available += added;
    this.drain();
    let narrowed = false;
    return () => {
      if (narrowed) return;
      narrowed = true;
      this.current -= added;
      this.available -= added;
      // A waiter over the narrowed capacity now asks for less.
      this.drain();
    };
  }

  /** What a request of `bytes` is charged: an oversized one the whole capacity, as it is now. */
  private grantable(bytes: number): number {
    return Math.min(bytes, this.current);
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.available >= this.grantable(this.waiters[0]!.bytes)) {
      const w = this.waiters.shift()!;
      const n = this.grantable(w.bytes);
      this.available -= n;
      w.resolve(n);
    }
  }
}
