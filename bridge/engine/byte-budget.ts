/**
 * Bounds the message bytes held in memory by all copy workers together. A message
 * larger than the whole budget still goes through, alone, so one 30 MB attachment
 * does not multiply memory by the number of workers.
 */
export class ByteBudget {
  private available: number;
  private readonly waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(private readonly capacity: number) {
    this.available = capacity;
  }

  async acquire(bytes: number): Promise<() => void> {
    const n = Math.min(Math.max(bytes, 1), this.capacity);
    if (this.waiters.length === 0 && this.available >= n) {
      this.available -= n;
    } else {
      await new Promise<void>((resolve) => this.waiters.push({ n, resolve }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += n;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.available >= this.waiters[0]!.n) {
      const w = this.waiters.shift()!;
      this.available -= w.n;
      w.resolve();
    }
  }
}
