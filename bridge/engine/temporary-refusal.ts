/** A NO/BAD answer as imapflow reports it. */
interface ServerAnswer {
  responseStatus?: string;
  serverResponseCode?: string;
  responseText?: string;
  message?: string;
}

/**
 * A refusal that means "not now": providers throttle a mailbox that is worked hard
 * (Microsoft 365: "Request is throttled. Suggested Backoff Time: ..."; Exchange 2013: "Server
 * Unavailable. 15") or have a part down for a moment ([UNAVAILABLE], RFC 5530). The same
 * command goes through once they take commands again, so the pass is retried after a
 * back-off: a message is never skipped, nor a folder given up or renamed, for it. A full
 * mailbox is not this: it stays full.
 */
const TEMPORARY_CODES = new Set(['UNAVAILABLE', 'INUSE', 'THROTTLED']);
const TEMPORARY_TEXT = /throttl|try (again )?later|temporar|unavailable|rate.?limit|too many (requests|commands|connections)|server (is )?busy/i;

export function isTemporaryRefusal(err: ServerAnswer): boolean {
  const code = (err.serverResponseCode ?? '').toUpperCase();
  const text = err.responseText || err.message || '';
  if (code === 'OVERQUOTA' || /quota/i.test(text)) return false;
  return TEMPORARY_CODES.has(code) || TEMPORARY_TEXT.test(text);
}
