/**
 * The tasks of one pass, as its workers take them (pass-loop.ts): a plan task per folder
 * first, the copy chunks each plan queues. A worker that finds nothing queued while a
 * folder is still being planned waits for that plan's chunks, so a single big folder's
 * chunks are spread over every worker; it ends once nothing is queued or being planned.
 *
 * Tasks `last` picks (the plans of folders that failed an earlier attempt of the run) are
 * taken one at a time, each only once nothing else is queued or being run: a folder that
 * fails every attempt then fails it after every other folder is copied. Behind the other
 * plans in the queue was not enough: with two workers, the second took that plan while the
 * first was still planning the next folder, and its failure (a narrowing's time later)
 * ended every attempt with the other folders copied a slice at a time, or not at all.
 */
export class PassTasks<T extends { kind: 'plan' | 'copy' }> {
  /** Tasks in the order workers take them; a plan splices its chunks in. */
  readonly queue: T[];
  private readonly lastly: T[];
  private planning = 0;
  /** Tasks taken and not done yet. */
  private running = 0;
  private wake: Array<() => void> = [];

  constructor(tasks: readonly T[], last: (task: T) => boolean = () => false) {
    this.queue = tasks.filter((t) => !last(t));
    this.lastly = tasks.filter((t) => last(t));
  }

  /** The next task, or undefined when there is none left or `stopped()` (a worker failed). */
  async take(stopped: () => boolean): Promise<T | undefined> {
    for (;;) {
      const task = this.queue.shift() ?? (this.running === 0 ? this.lastly.shift() : undefined);
      // Counted when taken, so that no worker sees "nothing planned, nothing queued" in between.
      if (task) {
        this.running++;
        if (task.kind === 'plan') this.planning++;
      }
      if (task || (this.planning === 0 && this.lastly.length === 0) || stopped()) return task;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  /** A task taken has ended (a plan's chunks are queued by then). */
  done(task: T): void {
    this.running--;
    if (task.kind === 'plan') this.planning--;
    // Every task's end: a held-back plan waits for the last one.
    this.notify();
  }

  /** Wakes the workers waiting in take (they look again: a failure ends them). */
  notify(): void {
    const w = this.wake;
    this.wake = [];
    w.forEach((f) => f());
  }
}
