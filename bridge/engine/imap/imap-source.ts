import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { AccountJob } from '../account-job';
import { closeQuietly, connectImap } from '../connect';
import type { ImapClient } from '../imap-client';
import { appendLimitOf } from '../copy-chunk';
import { discoverLayout, type MailboxLayout } from '../discover';
import { MigrationError } from '../errors';
import { flagsForAppend } from '../flags';
import { adoptRenamedFolders } from '../folder-renames';
import type { SourceMessageMeta } from '../folder-run';
import { recoverNulBytes } from '../nul-bytes';
import { timeRoundTrip } from '../link-window';
import { guardReadOnly } from '../read-only-guard';
import type { Chunk, FetchedChunk, SourceDriver, SourceSession } from '../source-driver';
import { planFolder, planMoreOfFolder } from './plan-folder';
import { uidRangeSets } from './uid-sets';
import { countSince } from './count-since';
import { readSourceFlags } from './source-flags';
import { OMITTED_WORDS, stillListed } from './omitted-messages';
import { newRunReads, sourceRescue, type FailedSpan, type RunReads } from './source-rescue';
import { EMPTY_MESSAGE_WORDS, unreadableReason, type SourceRescue, type Unreadable } from './unreadable-messages';

/**
 * An IMAP source. Each session is one connection behind the read-only guard: folders
 * are opened with EXAMINE and bodies fetched with BODY.PEEK[], so the old mailbox keeps
 * its \Seen flags. A folder's identity is its UIDVALIDITY; its messages are listed
 * above the checkpoint's UID with flags, date, size and the fingerprint headers.
 */
export function imapSource(job: AccountJob, signal?: AbortSignal): SourceDriver<SourceMessageMeta> {
  // The session that listed the folders; later sessions open them without listing each
  // again, and take its NAMESPACE answer instead of asking.
  let lister: ImapClient | undefined;
  // UID spans whose FETCH failed in this run, over all its sessions and attempts (see failedAgain).
  const failed: FailedSpan[] = [];
  // Folders a FETCH came through for in this run (SourceRescue.read).
  const reads = newRunReads();
  // The listing's selectable folders, those it says hold messages first: where a rescue's
  // control FETCH looks when no other folder came through in this run (sourceRescue).
  let controlFolders: string[] = [];
  return {
    connect: async (id) => {
      const client = await connectImap(job.source, { side: 'source', id, stallTimeoutMs: job.options.stallTimeoutMs, compress: job.options.compress, sibling: lister, signal });
      if (lister) client.adoptListing(lister);
      const reconnect = async (): Promise<ImapClient> => {
        const again = await connectImap(job.source, { side: 'source', id, stallTimeoutMs: job.options.stallTimeoutMs, compress: job.options.compress, sibling: lister, signal });
        if (lister) again.adoptListing(lister);
        return guardReadOnly(again);
      };
      const listed = (by: ImapClient, layout: MailboxLayout): void => {
        lister = by;
        controlFolders = foldersWithMessagesFirst(layout);
      };
      return imapSession(guardReadOnly(client), job, listed, reconnect, failed, reads, () => controlFolders);
    },
  };
}

/** Selectable folders of a listing: those its STATUS says hold messages, then those it says nothing of; empty ones left out. */
export function foldersWithMessagesFirst(layout: MailboxLayout): string[] {
  const selectable = layout.folders.filter((f) => !f.flags.some((flag) => /^\\(noselect|nonexistent)$/i.test(flag)));
  return [...selectable.filter((f) => (f.status?.messages ?? 0) > 0), ...selectable.filter((f) => f.status === undefined)].map((f) => f.path);
}

function imapSession<C extends ImapClient>(
  first: C,
  job: AccountJob,
  listed: (client: C, layout: MailboxLayout) => void,
  reconnect: () => Promise<C>,
  failed: FailedSpan[],
  reads: RunReads,
  controlFolders: () => readonly string[],
): SourceSession<SourceMessageMeta> {
  // Replaced by a narrowing's live connection when a FETCH that failed was narrowed down.
  let client = first;
  const rescue = sourceRescue(
    reconnect,
    failed,
    (c) => {
      const old = client;
      client = c;
      return closeQuietly(old);
    },
    reads,
    controlFolders,
  );
  return {
    // Each folder's STATUS rides along where LIST-STATUS is offered: the pass counts and
    // plans unchanged folders from it without a STATUS or EXAMINE each.
    listFolders: async () => {
      // HIGHESTMODSEQ too: the flag pass skips a folder unchanged since its last one (flag-sync.ts).
      const layout = await discoverLayout(client, { withStatus: true, withModseq: true });
      listed(client, layout);
      return layout;
    },
    countMessages: async (folder, since) => {
      if (since) return countSince(client, folder, since);
      const st = await client.status(folder, { messages: true });
      return st ? (st.messages ?? 0) : 0;
    },
    adoptRenames: (target, store, account, mappings, source, targetLayout) => adoptRenamedFolders(client, target, store, account, mappings, source, targetLayout),
    planFolder: (target, ctx) => planFolder(client, target, ctx.store, ctx.account, ctx.mapping, ctx.opts, ctx.copiedFromTargetUid, ctx.listed, ctx.window, ctx.targetFree, ctx.targetListed, rescue, ctx.budget, ctx.moves),
    planMore: (target, cursor, targetFree) => planMoreOfFolder(client, target, cursor, targetFree, rescue),
    fetchChunk: (target, chunk) => fetchChunk(() => client, target, chunk, job, rescue),
    readFlags: (folder, uidValidity, request) => readSourceFlags(client, folder, uidValidity, request),
    roundTrip: () => timeRoundTrip(() => client.noop()),
    knownRoundTrip: () => client.fastestAnswerMs,
    close: () => closeQuietly(client),
  };
}

/**
 * Fetches a chunk's bodies with BODY.PEEK[] on the (read-only) source. A message over
 * the target's APPENDLIMIT is skipped unfetched; one gone since planning is skipped as
 * deleted. A changed UIDVALIDITY fails the pass (SOURCE_CHANGED, retried and re-planned).
 */
async function fetchChunk(session: () => ImapFlow, target: ImapFlow, chunk: Chunk<SourceMessageMeta>, job: AccountJob, rescue: SourceRescue): Promise<FetchedChunk> {
  const { run } = chunk;
  let source = session();
  if (source.mailbox === false || source.mailbox.path !== run.source || !source.mailbox.readOnly) {
    await source.mailboxOpen(run.source, { readOnly: true });
  }
  const box = source.mailbox;
  if (box && Number(box.uidValidity) !== run.uidValidity) {
    throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${run.source}" changed during the migration; re-planning.`, { side: 'source' });
  }
  const limit = appendLimitOf(target);
  const fetched: FetchedChunk = { items: [], settled: [], warnings: [] };
  const wanted = chunk.messages.filter((m) => {
    if (limit !== undefined && m.size > limit) {
      fetched.settled.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: `MESSAGE_TOO_LARGE: ${m.size} bytes, over the target's APPENDLIMIT of ${limit} bytes` });
      return false;
    }
    return true;
  });

  const bodies = new Map<number, Buffer>();
  const unreadable = new Map<number, Unreadable>();
  if (wanted.length) {
    const uids = wanted.map((m) => m.uid);
    let got: FetchMessageObject[];
    try {
      got = await fetchBodies(source, uids);
      if (got.length > 0) rescue.read(run.source, { uidValidity: run.uidValidity, uid: got[0]!.uid });
    } catch (err) {
      // A body the server cannot read fails this FETCH every time: narrowed down on fresh
      // connections, the rest of the chunk is copied and that message reported.
      const narrowed = await rescue.narrow(run.source, run.uidValidity, uids, fetchBodies, err);
      got = narrowed.got;
      for (const u of narrowed.unreadable) unreadable.set(u.uid, u);
      source = session();
    }
    for (const msg of got) {
      if (!msg.source) continue;
      if (msg.source.length === 0) unreadable.set(msg.uid, { uid: msg.uid, words: EMPTY_MESSAGE_WORDS });
      else bodies.set(msg.uid, msg.source);
    }
    await recoverNulBytes(source, bodies);
  }
  // A body the server left out of an OK answer: expunged meanwhile, or (Cyrus) a message
  // whose file it cannot read while its index still lists it.
  const leftOut = wanted.filter((m) => !unreadable.has(m.uid) && !bodies.has(m.uid)).map((m) => m.uid);
  for (const uid of await stillListed(source, leftOut)) unreadable.set(uid, { uid, words: OMITTED_WORDS });
  for (const m of wanted) {
    const bad = unreadable.get(m.uid);
    if (bad) {
      fetched.settled.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: unreadableReason(bad.words) });
      continue;
    }
    const raw = bodies.get(m.uid);
    if (!raw) {
      fetched.settled.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: 'deleted on the source while the migration ran' });
      continue;
    }
    fetched.items.push({ uid: m.uid, fingerprint: m.fingerprint, size: m.size, item: { raw, flags: flagsForAppend(m.flags, job.options.deleted), internalDate: m.internalDate } });
  }
  return fetched;
}

/** The bodies (BODY.PEEK[]) of the given UIDs, in UID sets of bounded length. */
async function fetchBodies(client: ImapFlow, uids: readonly number[]): Promise<FetchMessageObject[]> {
  const out: FetchMessageObject[] = [];
  for (const set of uidRangeSets([...uids].sort((a, b) => a - b))) out.push(...(await client.fetchAll(set, { uid: true, source: true }, { uid: true })));
  return out;
}
