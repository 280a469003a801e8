import type { ImapFlow } from 'imapflow';
import type { MigrationOptions } from '../../../shared/migration';
import { resumeCheckpoint } from '../checkpoint';
import type { ErrorInfo } from '../../../shared/errors';
import { FINGERPRINT_HEADERS, exactFingerprint, fingerprint } from '../fingerprint';
import { FolderRun, type SourceMessageMeta } from '../folder-run';
import { surveyTarget } from '../target-scan';
import { skipIsFinal } from '../append-refusal';
import { isDeleted } from '../flags';
import type { FolderPlan as SourceFolderPlan } from '../source-driver';
import type { MessageRecord, StateStore } from '../state-store';
import type { ListedStatus } from '../discover';
import { MigrationError } from '../errors';

type FolderPlan = SourceFolderPlan<SourceMessageMeta>;

async function fetchMeta(client: ImapFlow, fromUid: number): Promise<SourceMessageMeta[]> {
  const out: SourceMessageMeta[] = [];
  // `N:*` returns the highest message even when its UID is below N (RFC 3501 6.4.8): filter.
  // Streamed, not fetchAll: each response becomes a small record as it arrives, instead of
  // every parsed response (header buffers included) being held until the last one.
  for await (const msg of client.fetch(`${fromUid}:*`, { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) {
    if (msg.uid < fromUid) continue;
    const size = msg.size ?? 0;
    out.push({
      uid: msg.uid,
      size,
      flags: [...(msg.flags ?? [])],
      internalDate: msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0),
      fingerprint: fingerprint(msg.headers, size),
      exactFingerprint: exactFingerprint(msg.headers, size),
    });
  }
  return out.sort((a, b) => a.uid - b.uid);
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

  // Skips whose reason was not the message (a refusal an older version could not explain) are tried again.
  const reopened = store.reopenSkips(account, mapping.source, uidValidity, (reason) => skipIsFinal(reason, opts.deleted));
  if (reopened !== null && cp.lastUid >= reopened) cp = { ...cp, lastUid: reopened - 1 };

  const prior = store.outcomeCounts(account, mapping.source, uidValidity);
  const nothingNew = box.exists === 0 || (box.uidNext !== undefined && box.uidNext - 1 <= cp.lastUid);
  if (!nothingNew && quiet) {
    // A skip reopened above lowered the checkpoint: the folder is read after all.
    const opened = await examine(source, mapping.source);
    if (opened.uidValidity !== uidValidity) {
      throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${mapping.source}" changed during the migration; re-planning.`, { side: 'source' });
    }
  }
  const metas = nothingNew ? [] : await fetchMeta(source, cp.lastUid + 1);
  const highestSeen = metas.length ? metas[metas.length - 1]!.uid : cp.lastUid;
  const settled = store.settledAbove(account, mapping.source, uidValidity, cp.lastUid);

  const inScope: SourceMessageMeta[] = [];
  const settleNow: MessageRecord[] = [];
  for (const m of metas) {
    if (opts.since && m.internalDate < opts.since) continue;
    const rec = settled.get(m.uid);
    if (rec) continue;
    if (opts.deleted === 'skip' && isDeleted(m.flags)) {
      settleNow.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: 'flagged \\Deleted on the source (--deleted skip)' });
      continue;
    }
    inScope.push(m);
  }

  const toCopy: SourceMessageMeta[] = [];
  let targetUidNext: number | undefined;
  if (inScope.length > 0) {
    const survey = await surveyTarget(target, store, account, mapping, cp, scanWholeTarget);
    targetUidNext = survey.uidNext;
    const onTarget = survey.index;
    // Exact matches first, for every message: a rewrite-tolerant match must not take a
    // target copy that another message matches byte for byte.
    const found = new Map<number, number>();
    for (const m of inScope) {
      const uid = onTarget.takeExact(m.exactFingerprint);
      if (uid !== undefined) found.set(m.uid, uid);
    }
    for (const m of inScope) {
      const targetUid = found.get(m.uid) ?? onTarget.takeLoose(m.fingerprint);
      if (targetUid !== undefined) {
        const ours = copiedFromTargetUid !== undefined && targetUid >= copiedFromTargetUid;
        settleNow.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: ours ? 'copied' : 'present', targetUid, size: m.size });
      } else {
        toCopy.push(m);
      }
    }
  }

  const run = new FolderRun(store, account, mapping.source, mapping.target, uidValidity, cp, toCopy, highestSeen);
  // What earlier runs settled counts as already present (or still skipped) in this run's report.
  run.counts.alreadyPresent += prior.copied + prior.present;
  run.counts.skipped += prior.skipped;
  run.counts.total = run.counts.alreadyPresent + run.counts.skipped + settleNow.length + toCopy.length;
  run.counts.bytesTotal = toCopy.reduce((s, m) => s + m.size, 0);
  run.settle(settleNow);
  return { run, toCopy, warnings, targetUidNext };
}
