import { classifyError, type ErrorContext } from '../engine/errors';

/**
 * Why a folder verify had to leave out of its search could not be read, for the report: the
 * server's own words when it answered (NO, BAD: an ACL, a folder removed since LIST, a damaged
 * index), else what became of the connection (a drop, a stall, a login refused).
 */
export function unreadableReason(err: unknown, where: ErrorContext): string {
  const e = err as { responseStatus?: string; responseText?: string } | null;
  if (e?.responseStatus === 'NO' || e?.responseStatus === 'BAD') return `the server answered ${e.responseStatus}${e.responseText?.trim() ? `: "${e.responseText.trim()}"` : ''}`;
  return classifyError(err, where).message;
}
