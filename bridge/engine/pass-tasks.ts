/**
 * The tasks of one pass, as its workers take them (pass-loop.ts): a plan task per folder
 * first, the copy chunks each plan queues. A worker that finds nothing queued while a
 * folder is still being planned waits for that plan's chunks, so a single big folder's
 * chunks are spread over every worker; it ends once nothing is queued or being planned.
 */
export class PassTasks<T extends { kind: 'plan' | 'copy' }> {
  /** Tasks in the order workers take them; a plan splices its chunks in. */
  readonly queue: T[];
  private planning = 0;
  private wake: Array<() => void> = [];

  constructor(tasks: readonly T[]) {
    this.queue = [...tasks];
  }

  /** The next task, or undefined when there is none left or `stopped()` (a worker failed). */
  async take(stopped: () => boolean): Promise<T | undefined> {
    for (;;) {
      const task = this.queue.shift();
      // Counted when taken, so that no worker sees "nothing planned, nothing queued" in between.
      if (task?.kind === 'plan') this.planning++;
      if (task || this.planning === 0 || stopped()) return task;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  /** A task taken has ended (a plan's chunks are queued by then). */
  done(task: T): void {
    if (task.kind === 'plan') {
      this.planning--;
      this.notify();
    }
  }

  /** Wakes the workers waiting in take (they look again: a failure ends them). */
  notify(): void {
    const w = this.wake;
    this.wake = [];
    w.forEach((f) => f());
  }
}
