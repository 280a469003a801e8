import type { ErrorInfo } from '../../../shared/errors';
import type { AccountProgress, AccountResult } from '../../../shared/migration';
import type { WorkersList } from '../../../shared/protocol/workers';
import type { AccountJob } from '../../engine/migrate';

/**
 * Runs one pass of one account: where the engine runs is the runner's business, everything
 * else (which account runs when, what its state becomes afterwards) stays in the service.
 *
 * Today's runner is in-process (in-process-runner.ts): the engine runs in the bridge itself.
 * A queue runner (a worker process taking passes from a queue) implements the same three
 * things:
 * - `run` resolves with the pass's AccountResult (a plain JSON value), or rejects when the
 *   pass could not run at all (the service records that as an INTERNAL failure);
 * - `callbacks` are called while the pass runs, with plain JSON values only, so a worker can
 *   send them over the wire; progress arrives at the engine's bounded rate;
 * - `signal` aborts the pass: the engine stops between chunks with its checkpoints written,
 *   and `run` then resolves (status failed or done) as soon as it has stopped.
 * The request carries the account's passwords (AccountJob's endpoints): a queue runner must
 * not store it anywhere they would outlive the pass.
 */
export interface AccountRunner {
  run(request: PassRequest, callbacks: PassCallbacks, signal: AbortSignal): Promise<AccountResult>;
  /** Runners with remote workers: which worker runs (or last ran) the account. */
  workerOf?(accountId: string): string | null;
  /** Runners with remote workers: the workers, for the workers panel. */
  workers?(): Promise<WorkersList>;
  /** Called before the service's shutdown aborts the running passes: remote passes may then keep running. */
  prepareShutdown?(): void;
  /** Called after the service stopped. */
  close?(): Promise<void>;
}

export interface PassRequest {
  /** The service's account id (for logs and routing; the engine's state key is job.stateKey). */
  accountId: string;
  /** Endpoints, options and the state store key of the account, as the engine takes them. */
  job: AccountJob;
}

export interface PassCallbacks {
  onProgress(progress: AccountProgress): void;
  /** The engine retries within the pass (a dropped connection): the error, which retry, in how long. */
  onRetry(error: ErrorInfo, attempt: number, delayMs: number): void;
  /** A (remote) worker took the pass, or another one took it over. */
  onWorker?(worker: string): void;
}
