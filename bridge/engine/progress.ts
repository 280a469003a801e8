import type { AccountProgress } from '../../shared/migration';
import type { FolderRun } from './folder-run';

export type ProgressSink = (p: AccountProgress) => void;
type Phase = AccountProgress['phase'];

/** The rate's window spans at least this long... */
const RATE_WINDOW_MS = 10_000;
/** ...and at least this many steps of the counts: over a slow link they move in bursts, a chunk's APPENDs answered together. */
const RATE_MIN_STEPS = 4;
/** At most this long: a stalled copy's rate falls instead of keeping the figure of long ago. */
const RATE_MAX_WINDOW_MS = 300_000;

/**
 * Collects an account's counters and hands snapshots to the sink at most every
 * `intervalMs` (the UI and the socket must not be flooded by a fast copy), plus a
 * final one on every phase change. Rate and ETA come from a sliding window over the
 * moments the counts moved: a window of a fixed 10 s swung between 7 and 83 msg/s (and its
 * ETA between 12 and 52 s) over a link where a chunk took 25 s.
 */
export class ProgressTracker {
  private phase: Phase = 'connecting';
  private readonly runs = new Map<string, FolderRun>();
  /** Each folder's message count from before it was planned: the total is the whole account's from the start. */
  private readonly expected = new Map<string, number>();
  private lastEmit = 0;
  /** The moments the counts moved (and the first one), oldest first. */
  private readonly steps: Array<{ t: number; messages: number; bytes: number }> = [];

  constructor(
    private readonly account: string,
    private readonly sink: ProgressSink | undefined,
    private readonly intervalMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  setPhase(phase: Phase): void {
    this.phase = phase;
    this.emit(true);
  }

  track(run: FolderRun): void {
    this.runs.set(run.source, run);
    this.emit(false);
  }

  /**
   * Counts every folder that will be copied before any is planned (one STATUS each on IMAP), so
   * that the first progress already has the account's total instead of the folders planned so far.
   * A folder that cannot be counted is left out until its plan says how many it holds.
   */
  async expectFolders(folders: readonly string[], count: (folder: string) => Promise<number>): Promise<void> {
    for (const folder of folders) {
      try {
        this.expected.set(folder, await count(folder));
      } catch {
        // Planning reports the folder's problem; its count arrives with its plan.
      }
    }
    this.emit(true);
  }

  /** Forget the runs of a failed attempt: the retry plans the folders again. */
  reset(): void {
    this.runs.clear();
  }

  tick(): void {
    this.emit(false);
  }

  snapshot(): AccountProgress {
    const folders = [...this.runs.values()].map((r) => ({
      source: r.source,
      target: r.target,
      total: r.counts.total,
      copied: r.counts.copied,
      skipped: r.counts.skipped,
      alreadyPresent: r.counts.alreadyPresent,
      bytesCopied: r.counts.bytesCopied,
      done: r.done,
    }));
    const sum = (f: (r: FolderRun) => number) => [...this.runs.values()].reduce((s, r) => s + f(r), 0);
    const copied = sum((r) => r.counts.copied);
    const bytesCopied = sum((r) => r.counts.bytesCopied);
    const t = this.now();
    const latest = this.steps.at(-1);
    if (!latest || latest.messages !== copied || latest.bytes !== bytesCopied) this.steps.push({ t, messages: copied, bytes: bytesCopied });
    // The oldest step goes when the window still spans RATE_WINDOW_MS and RATE_MIN_STEPS steps without it, or is too old.
    while (this.steps.length > 2) {
      const age = t - this.steps[1]!.t;
      if (age < RATE_MAX_WINDOW_MS && (age < RATE_WINDOW_MS || this.steps.length - 2 < RATE_MIN_STEPS)) break;
      this.steps.shift();
    }
    const first = this.steps[0]!;
    const dt = (t - first.t) / 1000;
    const rate = dt > 0 ? (copied - first.messages) / dt : 0;
    const bytesPerSecond = dt > 0 ? (bytesCopied - first.bytes) / dt : 0;
    let total = sum((r) => r.counts.total);
    for (const [folder, n] of this.expected) if (!this.runs.has(folder)) total += n;
    const settled = copied + sum((r) => r.counts.skipped + r.counts.alreadyPresent);
    const remaining = Math.max(0, total - settled);
    return {
      type: 'account-progress',
      account: this.account,
      phase: this.phase,
      messagesTotal: total,
      messagesCopied: copied,
      messagesSkipped: sum((r) => r.counts.skipped),
      messagesAlreadyPresent: sum((r) => r.counts.alreadyPresent),
      bytesTotal: sum((r) => r.counts.bytesTotal),
      bytesCopied,
      rate,
      bytesPerSecond,
      etaSeconds: remaining === 0 ? 0 : rate > 0 ? remaining / rate : null,
      folders,
    };
  }

  private emit(force: boolean): void {
    if (!this.sink) return;
    const t = this.now();
    if (!force && t - this.lastEmit < this.intervalMs) return;
    this.lastEmit = t;
    this.sink(this.snapshot());
  }
}
