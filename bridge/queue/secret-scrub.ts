import type { ErrorInfo } from '../../shared/errors';
import type { AccountResult } from '../../shared/migration';
import type { VerifyAccount } from '../../shared/verify';
import type { Auth } from '../engine/endpoint';

/** The secret strings of a login, to keep them out of anything written to Redis or a log. */
export function secretsOf(...auths: Auth[]): string[] {
  const out: string[] = [];
  for (const a of auths) {
    if (a.kind === 'oauth2') out.push(a.accessToken);
    else out.push(a.password);
  }
  // Very short secrets would blank out ordinary words; they are still never written on purpose.
  return out.filter((s) => s.length >= 4);
}

/** Replaces every occurrence of a secret in `text` (the engine never puts one there; this makes sure). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/**
 * The result with a secret masked in its free text only: the error and warning messages and the
 * skip reasons, where a server's words (a refusal quoting the login, say) could carry one. The
 * rest is structure the coordinator reads back: a status, codes, folder names, counts. Masking a
 * secret there when it happens to equal a word of it (the password "done" and the status
 * "done", a password that is a folder's name) left a result the coordinator could not read, or
 * records naming a folder "***" that its verify and the next pass then looked for.
 */
export function scrubResult(result: AccountResult, secrets: string[]): AccountResult {
  const info = <T extends ErrorInfo | null>(e: T): T => (e ? { ...e, message: scrub(e.message, secrets) } : e);
  return {
    ...result,
    folders: result.folders.map((f) => ({ ...f, error: info(f.error) })),
    skipped: result.skipped.map((s) => ({ ...s, reason: scrub(s.reason, secrets) })),
    warnings: result.warnings.map(info),
    error: info(result.error),
  };
}

/**
 * A verify report with a secret masked where a server's words can be: the account's and each
 * folder's error (a refused login quoted) and the skip reasons the migration recorded. Folder
 * names, subjects and counts are the mailbox's own, kept as they are (see scrubResult).
 */
export function scrubVerifyReport(report: VerifyAccount, secrets: string[]): VerifyAccount {
  const info = <T extends ErrorInfo | undefined>(e: T): T => (e ? { ...e, message: scrub(e.message, secrets) } : e);
  return {
    ...report,
    error: info(report.error),
    folders: report.folders.map((f) => ({ ...f, error: info(f.error), skipped: f.skipped.map((s) => ({ ...s, reason: scrub(s.reason, secrets) })) })),
  };
}
