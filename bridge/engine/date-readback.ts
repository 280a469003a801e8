import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../shared/errors';
import type { AccountJob } from './account-job';
import { closeQuietly, connectImap } from './connect';
import { changedDates, changedDateWarnings, MAX_DATE_WARNINGS, readStoredDates, type DateSuspect } from './stored-dates';

/**
 * Reads back the INTERNALDATE of the copies of this pass whose date a target may not keep, and
 * warns of each it did not. Twice, each time on a new connection that logs out before the next
 * (Dovecot shows the session that APPENDed, and the first to ask, the date it was given; see
 * changedDates): two short sessions per pass, none without a suspect. A failed read-back does
 * not fail the account (the messages are copied): it says which dates went unchecked.
 */
export async function readBackDates(
  job: AccountJob,
  suspects: readonly DateSuspect[],
  label: ((uid: number) => string) | undefined,
  signal: AbortSignal | undefined,
  /** The pass's halt closes this connection with the others. */
  track: (client: ImapFlow) => void,
): Promise<ErrorInfo[]> {
  if (suspects.length === 0) return [];
  const readOnce = async (id: string): Promise<Map<string, Date>> => {
    let client: ImapFlow | undefined;
    try {
      client = await connectImap(job.target, { side: 'target', id, stallTimeoutMs: job.options.stallTimeoutMs, signal });
      track(client);
      return await readStoredDates(client, suspects);
    } finally {
      await closeQuietly(client);
    }
  };
  try {
    const first = await readOnce('tgt-dates-1');
    const second = await readOnce('tgt-dates-2');
    return changedDateWarnings(changedDates(suspects, [first, second]), label);
  } catch (err) {
    if (signal?.aborted) throw err;
    const named = suspects.slice(0, MAX_DATE_WARNINGS).map((s) => `${label?.(s.uid) ?? `UID ${s.uid}`} of "${s.sourceFolder}" (${s.sent.toISOString()})`);
    const which = named.join(', ') + (suspects.length > named.length ? ` and ${suspects.length - named.length} more` : '');
    return [
      {
        code: 'DATE_CHANGED',
        side: 'target',
        message: `The date the target kept could not be read back for ${suspects.length} copied message(s) dated before 1970 or ahead of now: ${which} (${(err as Error).message}). They are copied; their dates may not be the source's.`,
      },
    ];
  }
}
