import type { DeletedPolicy } from '../../shared/migration';
import { flagsForAppend } from '../engine/flags';

/**
 * Which keywords the target folder can store. PERMANENTFLAGS with `\*` (or not given at
 * all: an EXAMINEd folder is read-only, and servers then often send an empty list) means
 * any; otherwise only the keywords listed. A keyword the target cannot keep is not a
 * difference the migration could have avoided, so it is compared on neither side.
 */
export function keywordFilter(permanentFlags: string[] | undefined): (keyword: string) => boolean {
  if (!permanentFlags || permanentFlags.length === 0 || permanentFlags.includes('\\*')) return () => true;
  const allowed = new Set(permanentFlags.map((f) => f.toLowerCase()));
  return (k) => allowed.has(k.toLowerCase());
}

const CANONICAL = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Draft', '\\Deleted'].map((f) => [f.toLowerCase(), f]));

function normalise(flags: Iterable<string>, keywordOk: (k: string) => boolean): string[] {
  const out = new Set<string>();
  for (const f of flags) {
    const system = CANONICAL.get(f.toLowerCase());
    if (system) out.add(system);
    // Flags are case-insensitive (RFC 3501 2.3.2); servers may return a keyword in another case.
    else if (!f.startsWith('\\') && keywordOk(f)) out.add(f.toLowerCase());
  }
  return [...out].sort();
}

/**
 * The flags a copy should carry, as compared: what the migration APPENDs (flagsForAppend:
 * system flags and valid keywords, \Deleted per the --deleted policy), keywords the
 * target cannot store left out.
 */
export function expectedFlags(sourceFlags: string[], deleted: DeletedPolicy, keywordOk: (k: string) => boolean): string[] {
  return normalise(flagsForAppend(sourceFlags, deleted), keywordOk);
}

/** A target message's flags, as compared. */
export function storedFlags(targetFlags: string[], keywordOk: (k: string) => boolean): string[] {
  return normalise(targetFlags, keywordOk);
}

export function sameFlags(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}
