import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const InflightFileSchema = z.object({
  /** Accounts whose queued pass the coordinator has not collected yet: account id → BullMQ job id. */
  pending: z.record(z.string(), z.string()).default({}),
  /** The worker that last ran each account (the account view shows it after the pass too). */
  workers: z.record(z.string(), z.string()).default({}),
});
type InflightFile = z.infer<typeof InflightFileSchema>;

/**
 * What a coordinator must remember across its own restarts about the queue: which accounts it
 * handed to the queue and not yet collected (a pass that ended while it was down is then
 * collected, not run again), and which worker ran each account. A small JSON file in the state
 * dir, written whole (rename) on each change; it holds ids and worker names, no secret.
 */
export class InflightStore {
  private readonly file: string;
  private data: InflightFile;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'queue-inflight.json');
    this.data = InflightStore.read(this.file);
  }

  private static read(file: string): InflightFile {
    if (!existsSync(file)) return { pending: {}, workers: {} };
    try {
      return InflightFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // A torn or foreign file: forgetting it only means a pass may run once more (the target scan skips what is there).
      return { pending: {}, workers: {} };
    }
  }

  pending(accountId: string): string | undefined {
    return this.data.pending[accountId];
  }

  setPending(accountId: string, jobId: string): void {
    if (this.data.pending[accountId] === jobId) return;
    this.data.pending[accountId] = jobId;
    this.write();
  }

  clearPending(accountId: string): void {
    if (!(accountId in this.data.pending)) return;
    delete this.data.pending[accountId];
    this.write();
  }

  worker(accountId: string): string | undefined {
    return this.data.workers[accountId];
  }

  /** Returns true when the name changed. */
  setWorker(accountId: string, worker: string): boolean {
    if (this.data.workers[accountId] === worker) return false;
    this.data.workers[accountId] = worker;
    this.write();
    return true;
  }

  private write(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
