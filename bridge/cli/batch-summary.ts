import type { AccountResult } from '../../shared/migration';

/**
 * The end of a batch, local or over the queue: one line per account on stderr and, with
 * --json, one document `{accounts: [...]}` on stdout. Results may carry extra fields
 * (the queue's `worker`); they go into the JSON as they are.
 */
export function writeBatchSummary(results: AccountResult[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, json: boolean): void {
  for (const r of results) {
    io.stderr.write(
      `${r.status === 'done' ? 'Done' : 'FAILED'} ${r.source} -> ${r.target}: ${r.messagesCopied} copied, ${r.messagesAlreadyPresent} already there, ${r.messagesSkipped} skipped, ${(r.bytesCopied / 1048576).toFixed(1)} MB\n`,
    );
  }
  if (json) io.stdout.write(JSON.stringify({ accounts: results }, null, 2) + '\n');
}

/** Exit status of a batch: 0 when every account is done, else 1. */
export function batchExitCode(results: AccountResult[]): 0 | 1 {
  return results.every((r) => r.status === 'done') ? 0 : 1;
}
