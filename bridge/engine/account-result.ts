import type { ErrorInfo } from '../../shared/errors';
import type { AccountResult, FolderResult } from '../../shared/migration';
import { MAX_CHANGED_COPIES_NAMED } from '../../shared/warning-facts';
import type { MigrationError } from './errors';
import type { AccountJob } from './account-job';
import type { StateStore } from './state-store';
import type { FolderRun } from './folder-run';

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
    // A retried pass repeats the warnings of the attempts before it.
    warnings: warnings.filter((w, i) => warnings.findIndex((o) => o.code === w.code && o.message === w.message) === i),
    error: finalError,
  };
}

/** One warning per folder whose copies the target stored otherwise than sent. */
export function storedChangeWarnings(runs: Iterable<FolderRun>, label: (uid: number) => string = (uid) => `UID ${uid}`): ErrorInfo[] {
  const out: ErrorInfo[] = [];
  for (const run of runs) {
    if (run.storedChanges.length === 0) continue;
    const kinds = [...new Set(run.storedChanges.map((c) => c.what))].join('; ');
    const which = run.storedChanges.map((c) => `${label(c.uid)} -> target UID ${c.targetUid}`).join(', ');
    out.push({
      code: 'MESSAGE_CHANGED',
      message: `${run.storedChanges.length} message(s) copied from "${run.source}" to "${run.target}" were stored by the target with changes: ${kinds} (${which}). They are on the target, but not byte for byte.`,
      facts: {
        kind: 'message-changed',
        count: run.storedChanges.length,
        from: run.source,
        to: run.target,
        copies: run.storedChanges.slice(0, MAX_CHANGED_COPIES_NAMED).map((c) => ({ message: label(c.uid), targetUid: c.targetUid })),
      },
    });
  }
  return out;
}
