import type { DeletedPolicy } from '../../shared/migration';

const SYSTEM_FLAGS = new Set(['\\seen', '\\answered', '\\flagged', '\\draft', '\\deleted']);
// RFC 3501 atom: no control chars, space, ( ) { % * " \ ] (a leading \ only for system flags).
const KEYWORD = /^[^\x00-\x20()\]{%*"\\\x7f]+$/;

/**
 * The flags to APPEND with: system flags and keywords as the source has them.
 * \Recent cannot be set by a client; \Deleted follows the user's policy.
 */
export function flagsForAppend(sourceFlags: Iterable<string>, deleted: DeletedPolicy): string[] {
  const out: string[] = [];
  for (const flag of sourceFlags) {
    const lower = flag.toLowerCase();
    if (lower === '\\recent') continue;
    if (lower === '\\deleted' && deleted === 'undelete') continue;
    if (SYSTEM_FLAGS.has(lower)) out.push(flag);
    else if (!flag.startsWith('\\') && KEYWORD.test(flag)) out.push(flag);
  }
  return out;
}

export function systemFlagsOnly(flags: string[]): string[] {
  return flags.filter((f) => f.startsWith('\\'));
}

export function isDeleted(flags: Iterable<string>): boolean {
  for (const f of flags) if (f.toLowerCase() === '\\deleted') return true;
  return false;
}

const CARRIED_SYSTEM = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Draft'].map((f) => [f.toLowerCase(), f]));

/**
 * The flags a later pass carries from a source message to its copy (flag-sync.ts): the system
 * flags a user sets by reading, answering, flagging or drafting, and keywords, as appendable
 * (flagsForAppend). Never \Deleted: a deletion must not travel by flag. Never \Recent: the
 * server's own. System flags in their usual spelling, each flag once, sorted: two lists of
 * the same flags compare equal.
 */
export function carriedFlags(flags: Iterable<string>): string[] {
  const out = new Map<string, string>();
  for (const flag of flags) {
    const lower = flag.toLowerCase();
    const system = CARRIED_SYSTEM.get(lower);
    if (system) out.set(lower, system);
    else if (!flag.startsWith('\\') && KEYWORD.test(flag) && !out.has(lower)) out.set(lower, flag);
  }
  return [...out.values()].sort();
}
