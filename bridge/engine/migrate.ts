import type { ErrorInfo } from '../../shared/errors';
import type { AccountResult } from '../../shared/migration';
import { endpointProtocol } from './endpoint';
import { MigrationError } from './errors';
import { accountKey, type AccountJob } from './account-job';
import { migrateAccount } from './migrate-account';
import { migratePop3Account, type Pop3MigrateHooks } from './pop3/migrate-pop3';
import type { StateStore } from './state-store';

export type { AccountJob, MigrateHooks } from './account-job';
export type { Pop3MigrateHooks } from './pop3/migrate-pop3';

/**
 * Migrates one account, choosing the engine by the source's protocol: IMAP folders
 * (migrateAccount) or a POP3 maildrop (migratePop3Account). The target is always IMAP.
 * Same result and progress shapes either way.
 */
export async function migrate(job: AccountJob, store: StateStore, hooks: Pop3MigrateHooks = {}): Promise<AccountResult> {
  if (endpointProtocol(job.target) !== 'imap') {
    const err = new MigrationError('CONFIG_INVALID', `The target ${job.target.user} at ${job.target.host}:${job.target.port} must be an IMAP server: POP3 can only be read from.`, { side: 'target' });
    hooks.onProgress?.({
      type: 'account-progress',
      account: accountKey(job),
      phase: 'failed',
      messagesTotal: 0,
      messagesCopied: 0,
      messagesSkipped: 0,
      messagesAlreadyPresent: 0,
      bytesTotal: 0,
      bytesCopied: 0,
      rate: 0,
      bytesPerSecond: 0,
      etaSeconds: 0,
      folders: [],
    });
    return notRunResult(job, err.toInfo());
  }
  return endpointProtocol(job.source) === 'pop3' ? migratePop3Account(job, store, hooks) : migrateAccount(job, store, hooks);
}

/** The result of an account that failed before anything was copied (refused, or never started). */
export function notRunResult(job: AccountJob, error: ErrorInfo): AccountResult {
  return {
    source: job.source.user,
    target: job.target.user,
    status: 'failed',
    messagesCopied: 0,
    messagesSkipped: 0,
    messagesAlreadyPresent: 0,
    bytesCopied: 0,
    folders: [],
    skipped: [],
    warnings: [],
    error,
  };
}
