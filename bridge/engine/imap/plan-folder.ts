import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { MigrationOptions } from '../../../shared/migration';
import { resumeCheckpoint } from '../checkpoint';
import type { ErrorInfo } from '../../../shared/errors';
import { FINGERPRINT_HEADERS, exactFingerprint, fingerprint } from '../fingerprint';
import { FolderRun, type SourceMessageMeta } from '../folder-run';
import type { MovedCopies } from './moved-copies';
import { StoredTargetSurvey, listedOrAsked } from '../target-survey';
import { skipIsFinal } from '../append-refusal';
import { isDeleted } from '../flags';
import type { PlanCursor, FolderPlan as SourceFolderPlan, TargetFree } from '../source-driver';
import type { FolderCheckpoint, MessageRecord, StateStore } from '../state-store';
import type { ListedStatus } from '../discover';
import { MigrationError } from '../errors';
import { uidRangeSets } from './uid-sets';
import { UNREADABLE_PREFIX, unreadableReason, type SourceRescue, type Unreadable } from './unreadable-messages';
import { takeUnreadableRetry } from '../unreadable-retries';
import { OMITTED_WORDS, listedUids, stillListed } from './omitted-messages';
import { beforeSince } from '../since-scope';
import { hashBodies, hasMessageId } from '../body-hash';
import type { ByteBudget } from '../byte-budget';
import { matchByContent, type Unidentified } from '../content-match';

type FolderPlan = SourceFolderPlan<SourceMessageMeta>;

/**
 * Messages one planning window holds at most, by default. A message's metadata costs a
 * few hundred bytes in memory, so a window is a few MB whatever the folder's size.
 */
export const PLAN_WINDOW = 5000;

/** How a --deleted skip's reason begins (skipIsFinal reads it too). */
const DELETED_SKIP_REASON = 'flagged \\Deleted';


/** Where a folder's planning goes on after a window (opaque to the pass loop). */
interface FolderCursor extends PlanCursor {
  readonly run: FolderRun;
  readonly store: StateStore;
  readonly account: string;
  readonly mapping: { source: string; target: string };
  readonly opts: MigrationOptions;
  readonly copiedFromTargetUid: number | undefined;
  readonly uidValidity: number;
  /** The checkpoint the pass started from, and whether the target must be scanned whole (the survey's start). */
  readonly cp: FolderCheckpoint;
  readonly scanWholeTarget: boolean;
  /** The folder's UIDNEXT when it was opened: windows of UIDs below it, then the last one up to '*'. */
  readonly uidNext: number | undefined;
  /** The folder's message count when it was opened, for the progress total before the last window. */
  readonly exists: number;
  readonly window: number;
  /** First UID of the next window, and how many UIDs it spans (more where UIDs are sparse). */
  nextUid: number;
  span: number;
  /** Messages the earlier windows fetched, and those of the folder counted so far (rows of earlier runs included). */
  seen: number;
  known: number;
  priorRows: number;
  survey: StoredTargetSurvey | undefined;
  targetUidNext: number | undefined;
  /** See planFolder. */
  readonly targetListed: Promise<ListedStatus | undefined> | undefined;
  readonly budget: ByteBudget | undefined;
  readonly moves: MovedCopies | undefined;
}

const WINDOW_FIELDS = { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS] } as const;

/** The metadata of the given UIDs, in UID sets of bounded length (a narrowed window). */
async function fetchMetaOf(client: ImapFlow, uids: readonly number[]): Promise<FetchMessageObject[]> {
  const out: FetchMessageObject[] = [];
  for (const set of uidRangeSets([...uids].sort((a, b) => a - b))) {
    for await (const msg of client.fetch(set, { ...WINDOW_FIELDS, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) out.push(msg);
  }
  return out;
}

function metaOf(msg: FetchMessageObject): SourceMessageMeta {
  const size = msg.size ?? 0;
  return {
    uid: msg.uid,
    size,
    flags: [...(msg.flags ?? [])],
    internalDate: msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0),
    fingerprint: fingerprint(msg.headers, size),
    exactFingerprint: exactFingerprint(msg.headers, size),
    hasMessageId: hasMessageId(msg.headers),
  };
}

/**
 * The metadata of one window: UIDs from `c.nextUid` over `c.span` UIDs, the last window
 * up to '*' (as a single-window folder always was, so mail that arrived since the folder
 * was opened is planned too). A window keeps at most twice `c.window` messages: beyond
 * that (UIDs denser than the span assumed) it keeps the lowest `c.window` and ends at
 * the highest of them, so the next window starts right after it.
 */
async function fetchWindow(client: ImapFlow, c: FolderCursor, rescue: SourceRescue | undefined): Promise<{ metas: SourceMessageMeta[]; unreadable: Unreadable[]; highestSeen: number; final: boolean }> {
  const from = c.nextUid;
  const to = c.uidNext === undefined || from + c.span - 1 >= c.uidNext - 1 ? undefined : from + c.span - 1;
  let metas: SourceMessageMeta[] = [];
  let cutoff = Infinity;
  const inWindow = (uid: number): boolean => !(uid < from || uid > cutoff || (to !== undefined && uid > to));
  const take = (msg: FetchMessageObject): void => {
    if (!inWindow(msg.uid)) return;
    metas.push(metaOf(msg));
    if (metas.length > 2 * c.window) {
      metas = metas.sort((a, b) => a.uid - b.uid).slice(0, c.window);
      cutoff = metas[metas.length - 1]!.uid;
    }
  };
  let unreadable: Unreadable[] = [];
  const range = `${from}:${to ?? '*'}`;
  try {
    // `N:*` returns the highest message even when its UID is below N (RFC 3501 6.4.8): filter.
    // Streamed, not fetchAll: each response becomes a small record as it arrives, instead of
    // every parsed response (header buffers included) being held until the last one.
    for await (const msg of client.fetch(range, { ...WINDOW_FIELDS, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) take(msg);
    if (metas.length > 0) rescue?.read(c.mapping.source);
  } catch (err) {
    if (!rescue) throw err;
    // A message the server cannot read fails the window's FETCH every time: narrowed down
    // on fresh connections, the rest of the window is planned and that message reported.
    const narrowed = await rescue.narrow(c.mapping.source, c.uidValidity, range, fetchMetaOf, err);
    metas = [];
    cutoff = Infinity;
    for (const msg of narrowed.got.sort((a, b) => a.uid - b.uid)) take(msg);
    unreadable = narrowed.unreadable;
    return windowEnd(c, from, to, metas, unreadable.filter((u) => inWindow(u.uid)), cutoff);
  }
  // The index is asked which UIDs the window has, for any the FETCH left out (omitted-messages.ts),
  // every time: counting cannot tell. Rows of messages expunged since, or a checkpoint lowered
  // to try skips again, made rows + fetched reach the folder's count while Cyrus had left a
  // message out, and so did mail that arrived after the count was taken; the message was
  // then neither copied nor skipped and the checkpoint passed it (lost). One UID SEARCH per window.
  const answered = new Set(metas.map((m) => m.uid));
  const missing = (await listedUids(client, [range])).filter((uid) => inWindow(uid) && !answered.has(uid));
  if (missing.length > 0) {
    // Asked once more, by UID: a message left out for a passing reason comes now.
    for (const msg of await fetchMetaOf(client, missing)) if (!answered.has(msg.uid)) take(msg);
    const got = new Set(metas.map((m) => m.uid));
    const left = await stillListed(client, missing.filter((uid) => !got.has(uid)));
    unreadable.push(...left.filter((uid) => inWindow(uid)).map((uid) => ({ uid, words: OMITTED_WORDS })));
  }
  return windowEnd(c, from, to, metas, unreadable, cutoff);
}

/** Where the next window starts, and how wide it is, after one that listed `metas` and `unreadable`. */
function windowEnd(c: FolderCursor, from: number, to: number | undefined, metas: SourceMessageMeta[], unreadable: Unreadable[], cutoff: number): { metas: SourceMessageMeta[]; unreadable: Unreadable[]; highestSeen: number; final: boolean } {
  metas.sort((a, b) => a.uid - b.uid);
  const truncated = cutoff !== Infinity;
  const final = to === undefined && !truncated;
  const highestListed = Math.max(metas.length ? metas[metas.length - 1]!.uid : from - 1, ...unreadable.map((u) => u.uid));
  const highestSeen = truncated ? cutoff : to !== undefined ? to : highestListed;
  // Sparse UIDs: a wider span next time, so a folder with large gaps needs few windows.
  if (truncated) c.span = c.window;
  else if (metas.length < c.window / 2) c.span *= 2;
  c.nextUid = highestSeen + 1;
  c.seen += metas.length + unreadable.length;
  return { metas, unreadable, highestSeen, final };
}

async function examine(source: ImapFlow, folder: string): Promise<{ uidValidity: number; uidNext: number | undefined; exists: number }> {
  const box = await source.mailboxOpen(folder, { readOnly: true });
  return { uidValidity: Number(box.uidValidity), uidNext: box.uidNext, exists: box.exists };
}

/**
 * Whether the listing's STATUS shows nothing above the folder's checkpoint (same
 * UIDVALIDITY, same filters, UIDNEXT not past the last settled UID): then planning needs
 * no EXAMINE. New mail that arrives after the LIST is found by the next run, as mail
 * arriving after an EXAMINE would be.
 */
function unchangedSinceCheckpoint(store: StateStore, account: string, mapping: { source: string; target: string }, opts: MigrationOptions, listed: ListedStatus): boolean {
  const { cp, changedFrom, scanWholeTarget } = resumeCheckpoint(store, account, mapping, listed.uidValidity, opts);
  if (changedFrom !== undefined) return false;
  if (listed.messages === 0) return true;
  return !scanWholeTarget && listed.uidNext - 1 <= cp.lastUid;
}

/**
 * Decides what to copy from one source folder. Cheap when nothing changed: with a
 * checkpoint and no UID above it, nothing is fetched at all. Otherwise it reads the
 * metadata (flags, date, size, a few headers: no bodies) above the checkpoint,
 * leaves out what an interrupted run already settled, and matches the rest against
 * the target's messages that we did not put there (a crash between APPEND and
 * checkpoint, or mail copied by hand) by fingerprint counts, so n identical source
 * messages end as n target messages.
 */
export async function planFolder(
  source: ImapFlow,
  target: ImapFlow,
  store: StateStore,
  account: string,
  mapping: { source: string; target: string },
  opts: MigrationOptions,
  /**
   * Target UIDNEXT when an earlier attempt of this run planned the folder: a match at or
   * above it is a copy of that attempt whose APPEND answer was lost with its connection,
   * so it counts as copied, not as "already there".
   */
  copiedFromTargetUid?: number,
  /** The folder's STATUS from the listing: a folder with nothing above its checkpoint is not opened at all. */
  listed?: ListedStatus,
  /** Messages a planning window holds at most (PLAN_WINDOW). */
  window?: number,
  targetFree?: TargetFree,
  /** The target folder's STATUS from a listing taken before the pass appended to it (target-statuses.ts). */
  targetListed?: Promise<ListedStatus | undefined>,
  /** Narrows a window's FETCH that fails again and again down to the messages the server cannot read. */
  rescue?: SourceRescue,
  /** The pass's byte budget, for bodies read to confirm a match without Message-ID (content-match.ts). */
  budget?: ByteBudget,
  /** Moves on the source carried to the target's copies (moved-copies.ts). */
  moves?: MovedCopies,
): Promise<FolderPlan> {
  const warnings: ErrorInfo[] = [];
  const quiet = listed !== undefined && unchangedSinceCheckpoint(store, account, mapping, opts, listed);
  const box: { uidValidity: number; uidNext: number | undefined; exists: number } = quiet
    ? { uidValidity: listed.uidValidity, uidNext: listed.uidNext, exists: listed.messages }
    : await examine(source, mapping.source);
  const uidValidity = box.uidValidity;
  const resumed = resumeCheckpoint(store, account, mapping, uidValidity, opts);
  let cp = resumed.cp;
  const { scanWholeTarget } = resumed;
  if (resumed.changedFrom !== undefined) {
    warnings.push({
      code: 'SOURCE_CHANGED',
      message: `UIDVALIDITY of source folder "${mapping.source}" changed from ${resumed.changedFrom} to ${uidValidity}; matching its messages against the target by fingerprint instead of copying them again.`,
    });
    store.dropMessagesOfOtherValidity(account, mapping.source, uidValidity);
  }

  // A message left out by --deleted skip that the user has un-deleted since is mail they
  // kept: its skip is over. Flags change no UIDNEXT, so even a quiet folder is asked.
  let opened = !quiet;
  const undeleted = new Set<number>();
  const deletedSkips = opts.deleted === 'skip' ? store.skippedWithReason(account, mapping.source, uidValidity, DELETED_SKIP_REASON) : [];
  if (deletedSkips.length > 0) {
    if (!opened) {
      const now = await examine(source, mapping.source);
      if (now.uidValidity !== uidValidity) {
        throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${mapping.source}" changed during the migration; re-planning.`, { side: 'source' });
      }
      opened = true;
    }
    const still = new Set<number>();
    for (const set of uidRangeSets(deletedSkips)) {
      for await (const msg of source.fetch(set, { uid: true, flags: true }, { uid: true })) {
        still.add(msg.uid);
        if (!isDeleted(msg.flags ?? [])) undeleted.add(msg.uid);
      }
    }
    // Expunged since: no message left out any more, so no skip to report on every later run.
    store.forgetMessages(account, mapping.source, uidValidity, deletedSkips.filter((uid) => !still.has(uid)));
  }
  // Skips whose reason was not the message (a refusal an older version could not explain) are
  // tried again; those the source could not read, at most every opts.unreadableRetryMs.
  const unreadableWait =
    opts.unreadableRetryMs !== undefined &&
    store.skippedWithReason(account, mapping.source, uidValidity, UNREADABLE_PREFIX).length > 0 &&
    !takeUnreadableRetry(store, account, mapping.source, uidValidity, opts.unreadableRetryMs);
  const reopened = store.reopenSkips(
    account,
    mapping.source,
    uidValidity,
    (reason, uid) => (skipIsFinal(reason, opts.deleted) && !undeleted.has(uid)) || (unreadableWait && (reason ?? '').startsWith(UNREADABLE_PREFIX)),
  );
  if (reopened !== null && cp.lastUid >= reopened) cp = { ...cp, lastUid: reopened - 1 };

  const prior = store.outcomeCounts(account, mapping.source, uidValidity);
  const nothingNew = box.exists === 0 || (box.uidNext !== undefined && box.uidNext - 1 <= cp.lastUid);
  if (!nothingNew && !opened) {
    // A skip reopened above lowered the checkpoint: the folder is read after all.
    const opened = await examine(source, mapping.source);
    if (opened.uidValidity !== uidValidity) {
      throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${mapping.source}" changed during the migration; re-planning.`, { side: 'source' });
    }
  }
  const run = new FolderRun(store, account, mapping.source, mapping.target, uidValidity, cp, [], cp.lastUid);
  // What earlier runs settled counts as already present (or still skipped) in this run's report.
  run.counts.alreadyPresent += prior.copied + prior.present;
  run.counts.skipped += prior.skipped;
  const priorRows = prior.copied + prior.present + prior.skipped;
  run.counts.total = priorRows;
  if (nothingNew) return { run, toCopy: [], warnings, targetUidNext: undefined };
  const cursor: FolderCursor = {
    run, store, account, mapping, opts, copiedFromTargetUid, uidValidity, cp, scanWholeTarget,
    uidNext: box.uidNext,
    exists: box.exists,
    window: Math.max(1, window ?? PLAN_WINDOW),
    nextUid: cp.lastUid + 1,
    span: Math.max(1, window ?? PLAN_WINDOW),
    seen: 0,
    known: priorRows,
    priorRows,
    survey: undefined,
    targetUidNext: undefined,
    targetListed,
    budget,
    moves,
  };
  const plan = await planWindow(source, target, cursor, targetFree, rescue);
  return { ...plan, warnings: [...warnings, ...plan.warnings] };
}

/** Plans the next window of a folder whose plan said there is more. */
export async function planMoreOfFolder(source: ImapFlow, target: ImapFlow, cursor: PlanCursor, targetFree?: TargetFree, rescue?: SourceRescue): Promise<FolderPlan> {
  const c = cursor as FolderCursor;
  const box = source.mailbox;
  if (box === false || box.path !== c.mapping.source || !box.readOnly) await source.mailboxOpen(c.mapping.source, { readOnly: true });
  const opened = source.mailbox;
  if (opened && Number(opened.uidValidity) !== c.uidValidity) {
    throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${c.mapping.source}" changed during the migration; re-planning.`, { side: 'source' });
  }
  return planWindow(source, target, c, targetFree, rescue);
}

/**
 * One window: its metadata, less what rows already settle, matched against the target
 * survey (taken once per folder pass, when the first window has something in scope).
 * Exact matches first within the window; a rewrite-tolerant match takes, before the last
 * window, only a target copy without 8-bit header bytes, so it cannot take the copy that a
 * message of a later window matches byte for byte.
 */
async function planWindow(source: ImapFlow, target: ImapFlow, c: FolderCursor, targetFree: TargetFree | undefined, rescue: SourceRescue | undefined): Promise<FolderPlan> {
  const { store, account, mapping, opts, run, uidValidity } = c;
  const from = c.nextUid;
  // The survey's STATUS: from the target's listing, or it goes out now, on the target
  // connection, beside the source's FETCH.
  const targetStatus = c.survey ? undefined : listedOrAsked(target, mapping.target, c.targetListed);
  const { metas, unreadable, highestSeen, final } = await fetchWindow(source, c, rescue);
  const settled = store.settledBetween(account, mapping.source, uidValidity, from, final ? Infinity : highestSeen);

  const inScope: SourceMessageMeta[] = [];
  const settleNow: MessageRecord[] = [];
  // Neither its date nor its headers could be read: skipped whatever the filters, and tried again next run.
  for (const u of unreadable) {
    if (!settled.has(u.uid)) settleNow.push({ uid: u.uid, fingerprint: '', outcome: 'skipped', targetUid: null, size: 0, reason: unreadableReason(u.words) });
  }
  for (const m of metas) {
    if (opts.since && beforeSince(m.internalDate, opts.since)) continue;
    if (settled.has(m.uid)) continue;
    if (opts.deleted === 'skip' && isDeleted(m.flags)) {
      settleNow.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: `${DELETED_SKIP_REASON} on the source (--deleted skip)` });
      continue;
    }
    inScope.push(m);
  }

  let toCopy: SourceMessageMeta[] = [];
  if (inScope.length > 0 && !c.survey) {
    c.survey = await StoredTargetSurvey.take(target, store, account, mapping, c.cp, c.scanWholeTarget, targetStatus, targetFree, { batchBytes: opts.chunkBytes, budget: c.budget });
    c.targetUidNext = c.survey.uidNext;
  }
  const onTarget = c.survey;
  if (!onTarget || onTarget.empty) {
    toCopy.push(...inScope);
  } else {
    // Without a Message-ID the fingerprint does not tell two messages of one second, sender,
    // subject and size apart: such a match counts only with the same body (content-match.ts).
    const unidentified = inScope.filter((m) => m.hasMessageId === false);
    const found = await matchByContent(target, onTarget, unidentified, (wanted) => sourceHashes(source, wanted, opts.chunkBytes, c.budget), {
      targetFolder: mapping.target,
      looseWithoutEightBit: !final,
      batchBytes: opts.chunkBytes,
      budget: c.budget,
      targetFree,
    });
    // Exact matches first, for every message: a rewrite-tolerant match must not take a
    // target copy that another message matches byte for byte.
    for (const m of inScope) {
      if (m.hasMessageId === false) continue;
      const uid = onTarget.takeExact(m.exactFingerprint);
      if (uid !== undefined) found.set(m.uid, uid);
    }
    for (const m of inScope) {
      const targetUid = found.get(m.uid) ?? (m.hasMessageId === false ? undefined : onTarget.takeLoose(m.fingerprint, !final));
      if (targetUid !== undefined) {
        const ours = c.copiedFromTargetUid !== undefined && targetUid >= c.copiedFromTargetUid;
        settleNow.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: ours ? 'copied' : 'present', targetUid, size: m.size });
      } else {
        toCopy.push(m);
      }
    }
  }
  if (final) onTarget?.clear();
  if (c.moves && toCopy.length > 0) {
    // Not found in the target folder: perhaps moved on the source, its copy in another folder.
    const moved = await c.moves.carry(mapping.source, uidValidity, mapping.target, toCopy);
    if (moved.size > 0) {
      settleNow.push(...moved.values());
      toCopy = toCopy.filter((m) => !moved.has(m.uid));
    }
  }

  // Rows first, then the window's UIDs: the checkpoint passes this window only once both are written.
  c.known += settleNow.length + toCopy.length;
  const rest = final || opts.since ? 0 : Math.max(0, c.exists - c.priorRows - c.seen);
  run.counts.total = c.known + rest;
  run.counts.bytesTotal += toCopy.reduce((s, m) => s + m.size, 0);
  run.moreToPlan = !final;
  run.settle(settleNow);
  run.addWindow(toCopy, highestSeen);
  return { run, toCopy, warnings: [], targetUidNext: c.targetUidNext, ...(final ? {} : { more: c }) };
}

/**
 * Body hashes of source messages of the folder the source connection has open. A FETCH that
 * fails (a message the server cannot read; a connection a narrowing of this window replaced)
 * leaves those messages unconfirmed: they are copied (at worst a double, never a loss), and
 * the chunk's FETCH meets the failure where unreadable messages are handled.
 */
async function sourceHashes(source: ImapFlow, wanted: readonly Unidentified[], batchBytes: number, budget: ByteBudget | undefined): Promise<Map<number, string>> {
  try {
    return await hashBodies(source, wanted, batchBytes, budget);
  } catch {
    return new Map();
  }
}
