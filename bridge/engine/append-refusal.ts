import type { ImapFlow } from 'imapflow';
import { appendBatch, type AppendItem } from './append-batch';
import { MigrationError } from './errors';
import { systemFlagsOnly } from './flags';

interface ServerError {
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  message?: string;
}

/** A NO/BAD answer to APPEND: the server refused the content, the connection is fine. */
export function isRefusal(err: unknown): err is ServerError {
  const e = err as ServerError;
  return e?.responseStatus === 'NO' || e?.responseStatus === 'BAD' || e?.serverResponseCode === 'APPENDLIMIT';
}

export function refusalReason(err: ServerError): { code: 'MESSAGE_TOO_LARGE' | 'MESSAGE_REJECTED' | 'QUOTA_EXCEEDED'; text: string } {
  const code = (err.serverResponseCode ?? '').toUpperCase();
  const text = (err.responseText || err.message || 'refused').trim();
  if (code === 'OVERQUOTA' || /quota/i.test(text)) return { code: 'QUOTA_EXCEEDED', text };
  if (code === 'TOOBIG' || code === 'APPENDLIMIT' || /too (big|large)|size limit|exceeds|larger than|maximum size/i.test(text)) {
    return { code: 'MESSAGE_TOO_LARGE', text };
  }
  return { code: 'MESSAGE_REJECTED', text };
}

/**
 * APPENDs one message on its own, after its batch was refused. A refusal becomes the
 * reason to skip it; a full mailbox fails the account instead, since every later
 * message would fail the same way. Keywords the server may not know are dropped
 * before giving up: the message matters more than its tags.
 */
export async function appendOneOrSkip(target: ImapFlow, folder: string, item: AppendItem): Promise<{ targetUid: number | null } | { reason: string }> {
  try {
    return { targetUid: (await appendBatch(target, folder, [item])).uids[0] ?? null };
  } catch (err) {
    if (!isRefusal(err)) throw err;
    const reason = refusalReason(err);
    if (reason.code === 'QUOTA_EXCEEDED') {
      throw new MigrationError('QUOTA_EXCEEDED', `The target mailbox is full while copying into "${folder}": ${reason.text}`, { side: 'target', cause: err });
    }
    const system = systemFlagsOnly(item.flags);
    if (system.length !== item.flags.length) {
      try {
        return { targetUid: (await appendBatch(target, folder, [{ ...item, flags: system }])).uids[0] ?? null };
      } catch (retryErr) {
        if (!isRefusal(retryErr)) throw retryErr;
      }
    }
    return { reason: `${reason.code}: ${reason.text}` };
  }
}
