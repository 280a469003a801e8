import type { AccountProgress } from '../../shared/migration';

/**
 * What a worker has done, for its heartbeat: the accounts it runs now and its throughput
 * (messages and bytes copied, totals and per second over the last minute).
 */
export class WorkerStats {
  readonly running = new Map<string, string>();
  messagesCopied = 0;
  bytesCopied = 0;
  accountsDone = 0;
  accountsFailed = 0;
  private readonly last = new Map<string, { messages: number; bytes: number }>();
  private readonly samples: Array<{ t: number; messages: number; bytes: number }> = [];

  start(jobId: string, label: string): void {
    this.running.set(jobId, label);
    this.last.set(jobId, { messages: 0, bytes: 0 });
  }

  progress(jobId: string, p: AccountProgress): void {
    const prev = this.last.get(jobId) ?? { messages: 0, bytes: 0 };
    // A retry pass starts its counters again: only growth counts.
    this.messagesCopied += Math.max(0, p.messagesCopied - prev.messages);
    this.bytesCopied += Math.max(0, p.bytesCopied - prev.bytes);
    this.last.set(jobId, { messages: p.messagesCopied, bytes: p.bytesCopied });
  }

  /** A pass ended: done, failed, or refused because another process of the machine copies its pair (ALREADY_RUNNING), which counts as neither. */
  finish(jobId: string, end: 'done' | 'failed' | 'refused'): void {
    this.running.delete(jobId);
    this.last.delete(jobId);
    if (end === 'done') this.accountsDone++;
    else if (end === 'failed') this.accountsFailed++;
  }

  /** Per-second rates over the last minute of samples (one sample per heartbeat). */
  rates(now = Date.now()): { messagesPerSecond: number; bytesPerSecond: number } {
    this.samples.push({ t: now, messages: this.messagesCopied, bytes: this.bytesCopied });
    while (this.samples.length > 2 && now - this.samples[0]!.t > 60_000) this.samples.shift();
    const first = this.samples[0]!;
    const secs = (now - first.t) / 1000;
    if (secs <= 0) return { messagesPerSecond: 0, bytesPerSecond: 0 };
    return { messagesPerSecond: (this.messagesCopied - first.messages) / secs, bytesPerSecond: (this.bytesCopied - first.bytes) / secs };
  }
}
