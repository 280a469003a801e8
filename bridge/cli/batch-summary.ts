import type { AccountResult } from '../../shared/migration';

/** Skipped messages listed per account on stderr; the JSON report has them all. */
export const SKIPS_LISTED = 10;

/**
 * The end of a batch, local or over the queue: one line per account on stderr, with the
 * messages it skipped and why, and, with --json, one document `{accounts: [...]}` on stdout.
 * Results may carry extra fields (the queue's `worker`); they go into the JSON as they are.
 */
export function writeBatchSummary(results: AccountResult[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, json: boolean): void {
  for (const r of results) {
    io.stderr.write(`${accountLine(r)}\n`);
    for (const s of r.skipped.slice(0, SKIPS_LISTED)) io.stderr.write(`  skipped: ${s.folder} UID ${s.uid}: ${s.reason}\n`);
    if (r.skipped.length > SKIPS_LISTED) io.stderr.write(`  … and ${r.skipped.length - SKIPS_LISTED} more skipped (every one, with its reason, in the --json report)\n`);
  }
  if (json) io.stdout.write(JSON.stringify({ accounts: results }, null, 2) + '\n');
}

function accountLine(r: AccountResult): string {
  const pair = `${r.source} -> ${r.target}`;
  const counts = `${r.messagesCopied} copied, ${r.messagesAlreadyPresent} already migrated, ${r.messagesSkipped} skipped, ${(r.bytesCopied / 1048576).toFixed(1)} MB`;
  if (r.status === 'done') return `Done ${pair}: ${counts}`;
  // Stopped by Ctrl+C / SIGTERM: nothing failed, the same command carries on.
  if (r.error?.code === 'CANCELLED') {
    const begun = r.folders.length > 0 || r.messagesCopied + r.messagesAlreadyPresent + r.messagesSkipped > 0;
    return begun
      ? `STOPPED ${pair}: ${counts}; the same command again carries on from here`
      : `NOT STARTED ${pair}: the run was stopped before its turn; the same command again migrates it`;
  }
  return `FAILED ${pair}: ${counts}${r.error ? ` [${r.error.code}]` : ''}`;
}

/** Characters of a warning shown on the terminal: some list every message concerned (thousands of UIDs). */
export const WARNING_SHOWN_CHARS = 400;

/** A warning's line on stderr: long ones are cut, the JSON report keeps them whole. */
export function warningLine(account: string, w: { code: string; message: string }): string {
  if (w.message.length <= WARNING_SHOWN_CHARS) return `Warning [${w.code}] ${account}: ${w.message}`;
  // Cut between words, not inside a UID or a folder name.
  const shown = w.message.slice(0, WARNING_SHOWN_CHARS).replace(/[,;]?\s+\S*$/, '');
  return `Warning [${w.code}] ${account}: ${shown} … (${w.message.length - shown.length} more characters in the --json report)`;
}

/** Exit status of a batch: 0 when every account is done, else 1. */
export function batchExitCode(results: AccountResult[]): 0 | 1 {
  return results.every((r) => r.status === 'done') ? 0 : 1;
}
