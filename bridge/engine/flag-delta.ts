import { z } from 'zod';
import { carriedFlags } from './flags';

/**
 * The pure half of carrying flag changes (flag-sync.ts): what a copy's synced flags look like
 * in the state store, what changed on the source since, what to STORE on the copy, and how
 * the STOREs of a folder are grouped.
 */

/** A copy's synced flags as the state store keeps them: a JSON array of carried flags. */
const SyncedFlagsSchema = z.array(z.string());

/** The synced flags of a row; null where none were kept (a row of an older build) or they do not parse. */
export function parseSyncedFlags(text: string | null | undefined): string[] | null {
  if (text === null || text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = SyncedFlagsSchema.safeParse(value);
  return parsed.success ? carriedFlags(parsed.data) : null;
}

export function serializeSyncedFlags(flags: Iterable<string>): string {
  return JSON.stringify(carriedFlags(flags));
}

export interface FlagDelta {
  added: string[];
  removed: string[];
}

const lowered = (flags: Iterable<string>): Set<string> => new Set([...flags].map((f) => f.toLowerCase()));

/** What the source changed between two lists of carried flags (flag names compare without case). */
export function flagDelta(synced: readonly string[], now: readonly string[]): FlagDelta {
  const before = lowered(synced);
  const after = lowered(now);
  return { added: now.filter((f) => !before.has(f.toLowerCase())), removed: synced.filter((f) => !after.has(f.toLowerCase())) };
}

export const isEmptyDelta = (d: FlagDelta): boolean => d.added.length === 0 && d.removed.length === 0;

/**
 * What to STORE on a copy for the source's delta: flags added on the source that the copy
 * lacks, and flags removed on the source that the copy still has. A flag the user changed on
 * the copy only is in neither, so it stays as they left it. `accepts` leaves out keywords the
 * target folder does not keep (its PERMANENTFLAGS).
 */
export function storeFor(delta: FlagDelta, copyFlags: Iterable<string>, accepts: (flag: string) => boolean): FlagDelta {
  const has = lowered(copyFlags);
  return {
    added: delta.added.filter((f) => !has.has(f.toLowerCase()) && accepts(f)),
    removed: delta.removed.filter((f) => has.has(f.toLowerCase())),
  };
}

/**
 * Whether the target folder keeps a flag, from the PERMANENTFLAGS of its SELECT: system flags
 * always; a keyword where `\*` (any new keyword) or the keyword itself is listed. No
 * PERMANENTFLAGS at all means every flag is kept (RFC 3501 7.1).
 */
export function acceptedBy(permanentFlags: ReadonlySet<string> | undefined): (flag: string) => boolean {
  if (!permanentFlags) return () => true;
  const listed = lowered(permanentFlags);
  return (flag) => flag.startsWith('\\') || listed.has('\\*') || listed.has(flag.toLowerCase());
}

export interface FlagStore {
  operation: '+FLAGS.SILENT' | '-FLAGS.SILENT';
  flags: string[];
  uids: number[];
}

/** The STOREs of a folder: one per distinct set of flags to add, one per distinct set to remove. */
export function groupStores(copies: ReadonlyArray<{ targetUid: number; store: FlagDelta }>): FlagStore[] {
  const groups = new Map<string, FlagStore>();
  const put = (operation: FlagStore['operation'], flags: string[], uid: number): void => {
    if (flags.length === 0) return;
    const sorted = [...flags].sort();
    const key = `${operation} ${sorted.join(' ')}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { operation, flags: sorted, uids: [] }));
    g.uids.push(uid);
  };
  for (const c of copies) {
    put('+FLAGS.SILENT', c.store.added, c.targetUid);
    put('-FLAGS.SILENT', c.store.removed, c.targetUid);
  }
  for (const g of groups.values()) g.uids.sort((a, b) => a - b);
  return [...groups.values()];
}
