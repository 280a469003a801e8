import type { MigrationOptions } from '../../shared/migration';
import type { ByteBudget } from './byte-budget';
import type { Endpoint } from './endpoint';
import type { MigrationError } from './errors';
import type { ProgressSink } from './progress';

/** One account to migrate: where from, where to, and how. */
export interface AccountJob {
  source: Endpoint;
  target: Endpoint;
  options: MigrationOptions;
  /**
   * Names this account's checkpoints. Defaults to both mailboxes' user@host:port; the
   * bridge service passes its own account id so that a changed server address keeps
   * the checkpoints instead of planning everything again.
   */
  stateKey?: string;
}

export interface MigrateHooks {
  onProgress?: ProgressSink;
  /** A byte budget shared by several accounts run at once (a batch), instead of one each. */
  budget?: ByteBudget;
  signal?: AbortSignal;
  /**
   * Stops the account at once, without waiting for a checkpoint: every target connection of the
   * pass is closed, an APPEND under way included (what it stored without a row is found by the
   * next pass's target scan, as after a crash). For a queue worker that can no longer be sure it
   * holds the account: another worker may start on it any moment, and two must never APPEND
   * the same messages. Also stops the account as `signal` does.
   */
  halt?: AbortSignal;
  /** Messages a folder's planning window holds at most (the driver's default when unset; tests use a few). */
  planWindow?: number;
  /** Called with each retry's reason and delay, for logs. */
  onRetry?: (err: MigrationError, attempt: number, delayMs: number) => void;
}

/** The key under which an account's checkpoints are stored: both mailboxes, no secret. */
export function accountKey(job: AccountJob): string {
  if (job.stateKey) return job.stateKey;
  return `${job.source.user}@${job.source.host}:${job.source.port} -> ${job.target.user}@${job.target.host}:${job.target.port}`;
}
