import type { ImapFlow } from 'imapflow';
import { appendBatch, type AppendItem } from './append-batch';
import { MigrationError } from './errors';
import { isTemporaryRefusal } from './temporary-refusal';
import { systemFlagsOnly } from './flags';
import { EARLIEST_DATE } from './stored-dates';
import type { DeletedPolicy } from '../../shared/migration';

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

export interface Refusal {
  code: 'MESSAGE_TOO_LARGE' | 'MESSAGE_REJECTED' | 'QUOTA_EXCEEDED';
  text: string;
  /**
   * True when the answer names a property of the message (its size, its syntax, its
   * content). Only such a refusal may skip a message: anything else (a read-only or
   * missing folder, missing rights, a server fault) would refuse every other message
   * too, and skipping would lose them all while reporting success.
   */
  messageBound: boolean;
}

/** Response codes of RFC 5530 / RFC 7889 that are about the message being appended. */
const MESSAGE_CODES = new Set(['TOOBIG', 'APPENDLIMIT', 'PARSE']);
/**
 * Words servers use when the message itself is the problem: Dovecot ("Mail size is larger
 * than the maximum size"), Cyrus ("Message contains bare newlines", "Message contains NUL
 * characters", "Message has invalid header"), Courier, Exchange ("message is too large"),
 * and content filters ("virus", "spam").
 */
const MESSAGE_TEXT = /unable to parse|bare (newline|lf|cr)|nul (char|byte)|8-?bit|non-?ascii|invalid (message|header|mime|character)|malformed|parse error|syntax error in (message|header)|line (is )?too long|header.*too long|virus|spam|not rfc ?822|message (contains|has)/i;
/** Refusals that are never the message's fault, whatever else the text says. */
const MAILBOX_TEXT = /read-?only|permission|not allowed|denied|no such (mailbox|folder)|does ?n[o']t exist|nonexistent|trycreate|try again|temporar|internal (server )?error|unavailable|server ?bug|locked|in use|mailbox (is )?full|message (count )?limit|too many messages/i;
/** Size wording about the message itself (Dovecot: "Mail size is larger than the maximum size allowed"). */
const SIZE_TEXT = /(message|mail|literal) (size|is too (big|large))|too (big|large)|larger than|maximum (message |mail )?size|size limit/i;
const MAILBOX_CODES = new Set(['TRYCREATE', 'NONEXISTENT', 'NOPERM', 'UNAVAILABLE', 'SERVERBUG', 'INUSE', 'CONTACTADMIN', 'LIMIT', 'CANNOT', 'READ-ONLY']);

export function refusalReason(err: ServerError): Refusal {
  const code = (err.serverResponseCode ?? '').toUpperCase();
  const text = (err.responseText || err.message || 'refused').trim();
  if (code === 'OVERQUOTA' || /quota/i.test(text)) return { code: 'QUOTA_EXCEEDED', text, messageBound: false };
  if (code === 'TOOBIG' || code === 'APPENDLIMIT') return { code: 'MESSAGE_TOO_LARGE', text, messageBound: true };
  // Dovecot answers an oversized APPEND with NO [LIMIT] "Mail size is larger than ...": the
  // size wording wins over the LIMIT code, but not over words about the mailbox.
  if (MAILBOX_TEXT.test(text)) return { code: 'MESSAGE_REJECTED', text, messageBound: false };
  if (SIZE_TEXT.test(text)) return { code: 'MESSAGE_TOO_LARGE', text, messageBound: true };
  if (MAILBOX_CODES.has(code)) return { code: 'MESSAGE_REJECTED', text, messageBound: false };
  return { code: 'MESSAGE_REJECTED', text, messageBound: MESSAGE_CODES.has(code) || MESSAGE_TEXT.test(text) };
}

/**
 * Whether a skip recorded earlier (its stored reason, "CODE: server text ...") was about
 * the message itself. Skips that were not, like those an older version recorded for
 * Courier's "Current box is selected READ-ONLY.", are planned again on the next run.
 */
export function skipIsFinal(reason: string | null | undefined, deletedPolicy: DeletedPolicy = 'skip'): boolean {
  const r = reason ?? '';
  if (r.startsWith('MESSAGE_TOO_LARGE')) return true;
  // Left out by --deleted skip: final only while that is still the policy.
  if (r.startsWith('flagged \\Deleted')) return deletedPolicy === 'skip';
  const m = /^MESSAGE_REJECTED: (?:\[([A-Z0-9-]+)\] )?(.*)$/s.exec(r);
  if (!m) return false;
  const said = { serverResponseCode: m[1], responseText: m[2] };
  // Refused for now (skipped on a run's last chance only when the next message went through): sent again.
  if (isTemporaryRefusal(said)) return false;
  return refusalReason(said).messageBound;
}

/** The account's error for a temporary refusal: transient, retried after a back-off (the server's suggested one, when it names one). */
export function throttledByTarget(folder: string, err: ServerError): MigrationError {
  const text = (err.responseText || err.message || 'refused').trim();
  return new MigrationError('THROTTLED', `The target refused to store messages in "${folder}" for now: "${text}". Nothing was skipped; the account is retried after a pause.`, { side: 'target', cause: err });
}

export function refusedByTarget(folder: string, text: string, err: unknown): MigrationError {
  return new MigrationError(
    'TARGET_REFUSED',
    `The target refused to store messages in "${folder}" and did not say the message was the problem: "${text}". Nothing was skipped; the account is retried.`,
    { side: 'target', cause: err },
  );
}

/** What became of one message APPENDed on its own. */
export type SingleOutcome =
  | { targetUid: number | null }
  | { reason: string }
  /** Refused without a reason about the message: a skip only if other messages get through. */
  | { unexplained: string; cause: unknown }
  /** Refused for now on the run's last chance: a skip only if a message sent after it gets through (appendMessages). */
  | { forNow: string; cause: unknown };

/**
 * APPENDs one message on its own, after its batch was refused. A refusal that names the
 * message becomes the reason to skip it; a full mailbox fails the account (every later
 * message would fail the same way); any other refusal is reported as unexplained, for
 * appendMessages to judge against the other messages; a refusal for now (isTemporaryRefusal)
 * fails the account as THROTTLED, to be retried after a back-off, except on the run's last
 * chance (`lastChance`), where it is reported (forNow) for appendMessages to judge. Keywords the server may not know
 * are dropped before giving up: the message matters more than its tags. So is a date before
 * 1970, which Cyrus and Courier refuse (stored-dates.ts): the copy gets 2 January 1970 instead, and
 * the read-back at the end of the pass reports it.
 */
export async function appendOneOrSkip(target: ImapFlow, folder: string, item: AppendItem, opts: { lastChance?: boolean } = {}): Promise<SingleOutcome> {
  try {
    return { targetUid: (await appendBatch(target, folder, [item])).uids[0] ?? null };
  } catch (err) {
    if (!isRefusal(err)) throw err;
    if (isTemporaryRefusal(err)) {
      if (!opts.lastChance) throw throttledByTarget(folder, err);
      // Never MESSAGE_TOO_LARGE, and the response code kept: words of throttling that speak of a size or of
      // spam ("size limit per hour") must not make the skip final (skipIsFinal); the message is sent again.
      const code = (err.serverResponseCode ?? '').toUpperCase();
      const text = (err.responseText || err.message || 'refused').trim();
      return { forNow: `MESSAGE_REJECTED: ${code ? `[${code}] ` : ''}${text}`, cause: err };
    }
    let reason = refusalReason(err);
    if (reason.code === 'QUOTA_EXCEEDED') {
      throw new MigrationError('QUOTA_EXCEEDED', `The target mailbox is full while copying into "${folder}": ${reason.text}`, { side: 'target', cause: err });
    }
    let last: unknown = err;
    let attempt = item;
    if (item.internalDate.getTime() < EARLIEST_DATE.getTime()) {
      attempt = { ...item, internalDate: EARLIEST_DATE };
      try {
        return { targetUid: (await appendBatch(target, folder, [attempt])).uids[0] ?? null };
      } catch (retryErr) {
        if (!isRefusal(retryErr)) throw retryErr;
        if (isTemporaryRefusal(retryErr)) throw throttledByTarget(folder, retryErr);
        last = retryErr;
        reason = refusalReason(retryErr);
      }
    }
    const system = systemFlagsOnly(attempt.flags);
    if (system.length !== attempt.flags.length) {
      try {
        return { targetUid: (await appendBatch(target, folder, [{ ...attempt, flags: system }])).uids[0] ?? null };
      } catch (retryErr) {
        if (!isRefusal(retryErr)) throw retryErr;
        if (isTemporaryRefusal(retryErr)) throw throttledByTarget(folder, retryErr);
        last = retryErr;
        reason = refusalReason(retryErr);
      }
    }
    if (!reason.messageBound) return { unexplained: `${reason.code}: ${reason.text}`, cause: last };
    return { reason: `${reason.code}: ${reason.text}` };
  }
}
