import type { ImapFlow } from 'imapflow';
import type { MigrationOptions } from '../../shared/migration';
import { appendMessages, type AppendOutcome } from './append-messages';
import { bodyHash, hasMessageId } from './body-hash';
import type { FetchedMessage } from './fetched-message';
import { headerBlock } from './pop3/headers';
import type { AppendItem } from './append-batch';
import { MigrationError } from './errors';
import type { FolderRun } from './folder-run';
import type { Chunk, FetchedChunk, PlannedMessage } from './source-driver';
import type { MessageRecord } from './state-store';
import { carriedFlags } from './flags';
import { findStoredChanges } from './stored-changes';
import { dateAtRisk } from './stored-dates';

/** Splits the messages to copy into chunks bounded by bytes and count, in order. */
export function makeChunks<M extends PlannedMessage>(run: FolderRun, toCopy: M[], opts: MigrationOptions): Array<Chunk<M>> {
  const chunks: Array<Chunk<M>> = [];
  let current: Chunk<M> = { run, messages: [], bytes: 0 };
  for (const m of toCopy) {
    if (current.messages.length > 0 && (current.bytes + m.size > opts.chunkBytes || current.messages.length >= opts.chunkMessages)) {
      chunks.push(current);
      current = { run, messages: [], bytes: 0 };
    }
    current.messages.push(m);
    current.bytes += m.size;
  }
  if (current.messages.length) chunks.push(current);
  return chunks;
}

export function appendLimitOf(client: ImapFlow): number | undefined {
  const v = client.capabilities.get('APPENDLIMIT');
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/**
 * Whether appendMessages failed the call for what the rest of the call did (nothing taken): a
 * refusal not about the message (TARGET_REFUSED), or on a run's last chance a refusal for now
 * that no message taken after it showed to be about the message (THROTTLED).
 */
function judgedOnTheCall(err: unknown, lastChance: boolean | undefined): boolean {
  return err instanceof MigrationError && (err.code === 'TARGET_REFUSED' || (err.code === 'THROTTLED' && lastChance === true));
}

/** A message's key in the set of those to send in a command of their own. */
export const sendAloneKey = (folder: string, uid: number): string => `${folder}\n${uid}`;

/**
 * The row of a copy, for every path that APPENDs one (a pass here, verify --fix in
 * copy-missing.ts). Where the target did not say where it stored it (no UIDPLUS) and the
 * message has no Message-ID, with its body hash: a later survey finds the copy by fingerprint,
 * which a look-alike may share, and tells the two apart by it (unplaced-copies.ts); without
 * it the survey takes the lowest look-alike for the copy, and an identical source message
 * still to copy for the copy itself (lost). The body is in memory when this is called;
 * hashing it costs no read.
 */
export function copiedRecord(m: { uid: number; fingerprint: string; size: number; raw: Buffer; flags?: readonly string[] }, targetUid: number | null): MessageRecord {
  const { uid, fingerprint, size, raw } = m;
  // The flags the copy was APPENDed with: a later pass carries what the source changes after (flag-sync.ts).
  const synced = m.flags ? { syncedFlags: carriedFlags(m.flags) } : {};
  if (targetUid !== null || hasMessageId(headerBlock(raw))) return { uid, fingerprint, outcome: 'copied', targetUid, size, ...synced };
  return { uid, fingerprint, outcome: 'copied', targetUid, size, bodyHash: bodyHash(raw), ...synced };
}

const copiedRow = (m: FetchedMessage, targetUid: number | null): MessageRecord =>
  copiedRecord({ uid: m.uid, fingerprint: m.fingerprint, size: m.size, raw: m.item.raw, flags: m.item.flags }, targetUid);

/**
 * The target half of copying a chunk, the same for every source: APPENDs the fetched
 * bodies (appendMessages: MULTIAPPEND, one by one after a refusal), records every
 * outcome as a row, and reads the copies back for changes the target made. Connection
 * failures propagate: the account retries from the checkpoint.
 */
export async function appendFetched(
  target: ImapFlow,
  run: FolderRun,
  fetched: FetchedChunk,
  /** `sendAlone`: keys (sendAloneKey) of messages to APPEND in a command of their own, kept across the run's attempts. */
  opts: { lastChance?: boolean; sendAlone?: Set<string> } = {},
): Promise<void> {
  // A message an earlier attempt sent without hearing the answer waits until the rest of the
  // folder is settled, and is then looked for on the target once more (late-appends.ts).
  const items = run.uncertain.size === 0 ? fetched.items : fetched.items.filter((i) => !run.uncertain.has(i.uid));
  if (items.length < fetched.items.length) run.held.push(...fetched.items.filter((i) => run.uncertain.has(i.uid)));
  const records: MessageRecord[] = [...fetched.settled];
  // By index into `items`: the rows of the messages the target accepted, made as it answers and
  // used again once the call ends (a second copiedRecord would hash each body twice).
  const storedSoFar = new Map<number, MessageRecord>();
  let outcomes: AppendOutcome[] = [];
  try {
    if (items.length) {
      outcomes = await appendMessages(
        target,
        run.target,
        items.map((i) => i.item),
        (i, targetUid) => {
          storedSoFar.set(i, copiedRow(items[i]!, targetUid));
        },
        (i, reason) => {
          const { uid, fingerprint, size, note } = items[i]!;
          storedSoFar.set(i, { uid, fingerprint, outcome: 'skipped', targetUid: null, size, reason: note ? `${reason} (${note})` : reason });
        },
        {
          lastChance: opts.lastChance,
          alone: (i) => opts.sendAlone?.has(sendAloneKey(run.source, items[i]!.uid)) ?? false,
          onSuspect: (i) => opts.sendAlone?.add(sendAloneKey(run.source, items[i]!.uid)),
          onSending: (indexes, sending) =>
            run.markAppending(
              indexes.map((i) => items[i]!.uid),
              sending,
              indexes.reduce((n, i) => n + items[i]!.item.raw.length, 0),
            ),
        },
      );
    }
  } catch (err) {
    // A refusal appendMessages judges against the other messages of the call, with nothing of
    // the call taken: while this folder holds messages back (late-appends.ts), the call may lack
    // the very ones that would have been taken. Judged now, it failed every pass, and the held
    // messages, waiting for the rest of the folder, were never copied. Nothing of it was stored:
    // it waits with them and goes out in their call, where it is judged as in its own. One such
    // call per folder: a folder the target refuses whole fails the pass at the next one, as
    // before, instead of being held in memory.
    if (judgedOnTheCall(err, opts.lastChance) && storedSoFar.size === 0 && run.uncertain.size > 0 && run.held.every((h) => run.uncertain.has(h.uid))) {
      run.settle(fetched.settled);
      run.held.push(...items);
      return;
    }
    // A full mailbox or a lost connection in the middle: what the target did accept is ours,
    // and a message it showed to be too big is not sent again.
    run.settle([...fetched.settled, ...storedSoFar.values()]);
    throw err;
  }
  items.forEach((m, i) => {
    const { uid, fingerprint, size, note } = m;
    const r = outcomes[i]!;
    records.push('reason' in r ? { uid, fingerprint, outcome: 'skipped', targetUid: null, size, reason: note ? `${r.reason} (${note})` : r.reason } : (storedSoFar.get(i) ?? copiedRow(m, r.targetUid)));
  });
  run.settle(records);
  // After settling: what the target stored is ours whatever this read-back meets.
  await readBackCopies(
    target,
    run,
    items.map(({ uid, item }, i) => {
      const r = outcomes[i]!;
      return { uid, targetUid: 'reason' in r ? null : r.targetUid, item };
    }),
  );
}

/**
 * What a pass checks of its settled copies: the date of each one the target may not keep,
 * kept for the read-back when the pass ends (stored-dates.ts), and the header of each one the
 * target may have stored otherwise (stored-changes.ts). `targetUid` null: refused, or stored
 * where the target did not say (no UIDPLUS), so its date goes unchecked.
 */
export async function readBackCopies(target: ImapFlow, run: FolderRun, copies: ReadonlyArray<{ uid: number; targetUid: number | null; item: AppendItem }>): Promise<void> {
  for (const { uid, targetUid, item } of copies) {
    if (targetUid !== null && dateAtRisk(item.internalDate)) {
      run.dateSuspects.push({ sourceFolder: run.source, folder: run.target, uid, targetUid, sent: item.internalDate });
    }
  }
  run.storedChanges.push(...(await findStoredChanges(target, run.target, copies.map(({ uid, targetUid, item }) => ({ uid, targetUid, raw: item.raw })))));
}
