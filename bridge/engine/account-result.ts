import type { ErrorInfo } from '../../shared/errors';
import type { AccountResult, FolderResult } from '../../shared/migration';
import type { MigrationError } from './errors';
import type { AccountJob } from './migrate-account';
import type { StateStore } from './state-store';

/**
 * The report of one account (the CLI's --json, the bridge's run outcome), the same for
 * IMAP and POP3 sources: totals summed over the folders, every skipped message the
 * store knows of, and the account's error, else the first folder's.
 */
export function accountResult(
  job: AccountJob,
  store: StateStore,
  account: string,
  folders: FolderResult[],
  error: MigrationError | null,
  warnings: ErrorInfo[],
): AccountResult {
  const sum = (f: (r: FolderResult) => number) => folders.reduce((s, r) => s + f(r), 0);
  const finalError = error ? error.toInfo() : (folders.find((f) => f.error)?.error ?? null);
  return {
    source: job.source.user,
    target: job.target.user,
    status: finalError ? 'failed' : 'done',
    messagesCopied: sum((f) => f.copied),
    messagesSkipped: sum((f) => f.skipped),
    messagesAlreadyPresent: sum((f) => f.alreadyPresent),
    bytesCopied: sum((f) => f.bytesCopied),
    folders,
    skipped: store.skipped(account).map((s) => ({ folder: s.sourceFolder, uid: s.uid, reason: s.reason })),
    warnings,
    error: finalError,
  };
}
