import type { ImapFlow } from 'imapflow';
import type { ErrorInfo } from '../../shared/errors';
import type { AccountJob } from './account-job';
import { MigrationError, classifyError, stoppedError } from './errors';
import { originOf } from './error-origin';
import { acceptedBy, flagDelta, groupStores, isEmptyDelta, parseSyncedFlags, storeFor, type FlagDelta, type FlagStore } from './flag-delta';
import { carriedFlags } from './flags';
import { FINGERPRINT_HEADERS, fingerprint } from './fingerprint';
import type { FolderRun } from './folder-run';
import type { ExecResponse } from './imap-client';
import { uidRangeSets } from './imap/uid-sets';
import type { SourceSession, PlannedMessage } from './source-driver';
import type { StateStore, SyncedCopy } from './state-store';

/** What a flag pass did: per source folder it looked at, how many copies it changed; and what it could not do. */
export interface FlagSyncResult {
  updated: Map<string, number>;
  warnings: ErrorInfo[];
}

/**
 * Carries flag changes made on the source after a message was copied to its copy, three-way:
 * each copy's row keeps the flags last carried to it (the APPEND's, or the source's at the
 * first flag pass for a row without them); what the source changed since is added to or
 * removed from the copy, and a flag the user changed on the copy only is left as they set it.
 * \Deleted and \Recent are never carried (carriedFlags).
 *
 * Runs once a pass has settled every folder of `runs` it looks at (`done`), on the pass's
 * connections: it only changes flags of copies the rows name, so a failure here loses or
 * doubles no mail. A failure (a STORE the target refuses, a lost connection) is a warning, and
 * what it left undone the next pass does: a copy's synced flags move only once its STORE went.
 *
 * Cost per folder with copies: with CONDSTORE, an EXAMINE and one `UID FETCH first:last (FLAGS)
 * (CHANGEDSINCE n)` (none when nothing changed), and only the rows of the messages it names are
 * read: a folder of 100,000 messages that received 100 costs 100 answers and 100 rows, not
 * 100,000 of each. Otherwise (no CONDSTORE, a copy's first flag pass), per window of rows (flagRowWindow, 2,000 by default),
 * an EXAMINE and their flags in one UID FETCH per 4,000 characters of UID ranges: the memory
 * held is a window's, whatever the folder's size. Only where the source changed something: a
 * SELECT of the target folder, one UID FETCH of those copies, one UID STORE per distinct set of
 * flags added or removed.
 */
export async function syncFlags<M extends PlannedMessage>(
  source: SourceSession<M>,
  target: ImapFlow,
  store: StateStore,
  account: string,
  runs: Iterable<FolderRun>,
  opts: {
    signal?: AbortSignal;
    job: AccountJob;
    /** A folder's HIGHESTMODSEQ as the pass's listing gave it (LIST-STATUS with CONDSTORE), if it did. */
    listedModseq?: (folder: string) => bigint | undefined;
  },
): Promise<FlagSyncResult> {
  const result: FlagSyncResult = { updated: new Map(), warnings: [] };
  if (!source.readFlags) return result;
  for (const run of runs) {
    if (!run.done) continue;
    if (opts.signal?.aborted) throw stoppedError();
    try {
      const updated = await syncFolder(source, target, store, account, run, result.warnings, opts.listedModseq?.(run.source), opts.job.options.flagRowWindow);
      if (updated !== undefined) result.updated.set(run.source, updated);
    } catch (err) {
      if (opts.signal?.aborted) throw stoppedError();
      // Every message of the pass is copied and recorded by now: a flag pass cut short (a lost
      // connection, a server that fails the command) is said, not the account's failure, and
      // the next pass does it. Failing the pass instead would have a server that breaks on
      // this step alone fail every pass of an account whose mail is all there.
      const e = describeError(err, opts.job);
      // A command a server refused (a folder it will not open) is that folder's; anything else
      // (the connection) ends the step.
      const refused = refusal(err) !== undefined;
      const which = refused ? run.source : `${run.source} and the folders after it`;
      result.warnings.push({ ...e, message: `Flag changes made on the old mailbox were not carried to the copies (${which}); the next pass tries again: ${e.message}` });
      if (!refused) return result;
    }
  }
  return result;
}

interface Changed {
  copy: SyncedCopy;
  now: string[];
  delta: FlagDelta;
}

/** One folder's flag pass; undefined when the source folder is no longer the one the rows are about. */
async function syncFolder<M extends PlannedMessage>(
  source: SourceSession<M>,
  target: ImapFlow,
  store: StateStore,
  account: string,
  run: FolderRun,
  warnings: ErrorInfo[],
  listedModseq: bigint | undefined,
  rowWindow: number,
): Promise<number | undefined> {
  const unsynced = store.hasUnsyncedCopies(account, run.source, run.uidValidity);
  const kept = store.flagSyncModseq(account, run.source, run.uidValidity);
  // Nothing changed on the source folder between the last complete flag pass and this pass's
  // listing, and every copy has its synced flags: no EXAMINE, no FETCH (an unchanged re-run of
  // a mailbox of many folders sends nothing for them). A change made since the listing raises
  // the folder's HIGHESTMODSEQ, which the next listing shows; the one kept stays as it was.
  if (listedModseq !== undefined && listedModseq === kept && !unsynced) return 0;
  const span = store.copiesSpan(account, run.source, run.uidValidity);
  if (!span) return 0;
  // Only the changes since the last complete flag pass, where the source can tell (CONDSTORE):
  // every copy's synced flags were right as of then, or were taken later from the source as it
  // was then (a copy planned since). Only the rows of the messages the source names are read.
  // A copy without synced flags needs its flags whatever they are.
  if (!unsynced && kept !== undefined) {
    const read = await source.readFlags!(run.source, run.uidValidity, { changedSince: kept, ...span });
    if (!read) return undefined;
    if (read.changedOnly) {
      const carried = await carryFlags(target, store, account, run, store.copiesWithUids(account, run.source, run.uidValidity, [...read.flags.keys()]), read.flags, warnings);
      store.putFlagSyncModseq(account, run.source, run.uidValidity, carried.complete ? (read.highestModseq ?? null) : null);
      return carried.updated;
    }
  }
  // Every copy's flags, a window of rows at a time. The HIGHESTMODSEQ kept is the first
  // window's, from before any flag was read: a change made while the windows are read is
  // asked about again next time, not lost.
  let highestModseq: bigint | undefined;
  let updated = 0;
  let complete = true;
  let first = true;
  for (let after = 0; ; ) {
    const copies = store.copiesAfter(account, run.source, run.uidValidity, after, rowWindow);
    if (copies.length === 0) break;
    after = copies[copies.length - 1]!.uid;
    const read = await source.readFlags!(run.source, run.uidValidity, { uids: copies.map((c) => c.uid) });
    if (!read) return undefined;
    if (first) highestModseq = read.highestModseq;
    first = false;
    const carried = await carryFlags(target, store, account, run, copies, read.flags, warnings);
    updated += carried.updated;
    complete &&= carried.complete;
  }
  // Where a STORE was refused, its copies are asked for again next time: no HIGHESTMODSEQ to start from.
  store.putFlagSyncModseq(account, run.source, run.uidValidity, complete ? (highestModseq ?? null) : null);
  return updated;
}

/**
 * Compares these copies' synced flags with the source's flags now (`flags`, by source UID; a
 * copy not in it is expunged on the source or unchanged) and sends the differences.
 */
async function carryFlags(
  target: ImapFlow,
  store: StateStore,
  account: string,
  run: FolderRun,
  copies: readonly SyncedCopy[],
  flags: ReadonlyMap<number, string[]>,
  warnings: ErrorInfo[],
): Promise<{ updated: number; complete: boolean }> {
  const baseline: Array<{ uid: number; flags: string[] }> = [];
  const changed: Changed[] = [];
  for (const copy of copies) {
    const source = flags.get(copy.uid);
    // Expunged on the source (a deletion is not carried), or unchanged since the last flag pass.
    if (!source) continue;
    const now = carriedFlags(source);
    const synced = parseSyncedFlags(copy.syncedFlags);
    // A row written before synced flags were kept (or a copy found on the target): what the
    // source shows now is the baseline; a change made before it cannot be told from a flag
    // the copy never had, so nothing is sent for it.
    if (synced === null) baseline.push({ uid: copy.uid, flags: now });
    else {
      const delta = flagDelta(synced, now);
      if (!isEmptyDelta(delta)) changed.push({ copy, now, delta });
    }
  }
  store.recordSyncedFlags(account, run.source, run.uidValidity, baseline);
  return changed.length === 0 ? { updated: 0, complete: true } : storeChanges(target, store, account, run, changed, warnings);
}

/** Sends the changes to the target folder's copies and records what is now synced; how many copies it changed, and whether every change went. */
async function storeChanges(target: ImapFlow, store: StateStore, account: string, run: FolderRun, changed: Changed[], warnings: ErrorInfo[]): Promise<{ updated: number; complete: boolean }> {
  // Read-write: STORE needs it. The folder is left selected, never CLOSEd: CLOSE would expunge
  // the messages the user marked \Deleted there.
  const box = await target.mailboxOpen(run.target);
  if (box.readOnly) {
    warnings.push(flagWarning(run, `the target folder "${run.target}" is read-only`));
    return { updated: 0, complete: false };
  }
  const accepts = acceptedBy(box.permanentFlags);
  const onTarget = await targetCopies(target, changed.map((c) => c.copy.targetUid));
  const synced: Array<{ uid: number; flags: string[] }> = [];
  const toStore: Array<{ targetUid: number; store: FlagDelta; uid: number; now: string[] }> = [];
  for (const c of changed) {
    const copy = onTarget.get(c.copy.targetUid);
    // Gone from the target (the user deleted or moved it there), or that UID holds another
    // message (the folder was made anew): nothing is sent, and the change counts as carried.
    if (!copy || copy.fingerprint !== c.copy.fingerprint) {
      synced.push({ uid: c.copy.uid, flags: c.now });
      continue;
    }
    const delta = storeFor(c.delta, copy.flags, accepts);
    if (isEmptyDelta(delta)) synced.push({ uid: c.copy.uid, flags: c.now });
    else toStore.push({ targetUid: c.copy.targetUid, store: delta, uid: c.copy.uid, now: c.now });
  }
  const refused = new Set<number>();
  for (const group of groupStores(toStore)) {
    for (const set of uidRangeSets(group.uids)) {
      const why = await uidStore(target, set, group);
      if (why === undefined) continue;
      for (const u of group.uids) refused.add(u);
      warnings.push(flagWarning(run, `the target refused ${group.operation} (${group.flags.join(' ')}): ${why}`));
    }
  }
  let updated = 0;
  for (const s of toStore) {
    if (refused.has(s.targetUid)) continue;
    synced.push({ uid: s.uid, flags: s.now });
    updated++;
  }
  store.recordSyncedFlags(account, run.source, run.uidValidity, synced);
  return { updated, complete: refused.size === 0 };
}

/** The flags and fingerprint of the given target messages of the selected folder (those still there). */
async function targetCopies(target: ImapFlow, uids: number[]): Promise<Map<number, { flags: string[]; fingerprint: string }>> {
  const wanted = new Set(uids);
  const out = new Map<number, { flags: string[]; fingerprint: string }>();
  for (const set of uidRangeSets([...wanted].sort((a, b) => a - b))) {
    for await (const msg of target.fetch(set, { uid: true, flags: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) {
      if (wanted.has(msg.uid)) out.set(msg.uid, { flags: [...(msg.flags ?? [])], fingerprint: fingerprint(msg.headers, msg.size ?? 0) });
    }
  }
  return out;
}

/**
 * One UID STORE, silent (the answer would only repeat the flags). Sent as is, not through
 * imapflow's messageFlagsAdd: that one reports a refusal as `false` and drops flags on its
 * own. Returns the server's words when it refused the command (NO, BAD); a lost connection throws.
 */
async function uidStore(target: ImapFlow, set: string, group: FlagStore): Promise<string | undefined> {
  const exec = (target as unknown as { exec(command: string, attributes: unknown[]): Promise<ExecResponse> }).exec.bind(target);
  try {
    const response = await exec('UID STORE', [{ type: 'SEQUENCE', value: set }, { type: 'ATOM', value: group.operation }, group.flags.map((f) => ({ type: 'ATOM', value: f }))]);
    response.next();
    return undefined;
  } catch (err) {
    const why = refusal(err);
    if (why === undefined) throw err;
    return why;
  }
}

/** The server's words when it answered a command NO or BAD; undefined for any other failure. */
function refusal(err: unknown): string | undefined {
  const e = err as { responseStatus?: string; responseText?: string; message?: string } | null;
  if (e?.responseStatus !== 'NO' && e?.responseStatus !== 'BAD') return undefined;
  return e.responseText ?? e.message ?? e.responseStatus;
}

/** An error as the report says it, on the side it came from (classifyError, as retryPasses does). */
function describeError(err: unknown, job: AccountJob): ErrorInfo {
  const side = err instanceof MigrationError ? err.options.side : originOf(err)?.context.side;
  const ep = side === 'source' ? job.source : job.target;
  return classifyError(err, { side: side ?? 'target', account: ep.user, host: ep.host, port: ep.port }).toInfo();
}

function flagWarning(run: FolderRun, why: string): ErrorInfo {
  return {
    code: 'TARGET_REFUSED',
    message: `Flag changes made on the old mailbox in "${run.source}" were not carried to "${run.target}": ${why}. The next pass tries again.`,
    side: 'target',
  };
}
