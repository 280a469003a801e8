import type { ImapFlow } from 'imapflow';
import type { MigrationOptions } from '../../shared/migration';
import type { AppendItem } from './append-batch';
import { appendMessages, type AppendOutcome } from './append-messages';
import { MigrationError } from './errors';
import { flagsForAppend } from './flags';
import { recoverNulBytes } from './nul-bytes';
import { findStoredChanges } from './stored-changes';
import type { FolderRun, SourceMessageMeta } from './folder-run';
import type { MessageRecord } from './state-store';

export interface Chunk {
  run: FolderRun;
  messages: SourceMessageMeta[];
  bytes: number;
}

/** Splits the messages to copy into chunks bounded by bytes and count, in UID order. */
export function makeChunks(run: FolderRun, toCopy: SourceMessageMeta[], opts: MigrationOptions): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { run, messages: [], bytes: 0 };
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
 * Copies one chunk: fetches the bodies with BODY.PEEK[] on the (read-only) source,
 * APPENDs them to the target (appendMessages: MULTIAPPEND, one by one after a refusal),
 * and records the outcome. Connection failures propagate: the account retries from
 * the checkpoint.
 */
export async function copyChunk(source: ImapFlow, target: ImapFlow, chunk: Chunk, opts: MigrationOptions): Promise<void> {
  const { run } = chunk;
  if (source.mailbox === false || source.mailbox.path !== run.source || !source.mailbox.readOnly) {
    await source.mailboxOpen(run.source, { readOnly: true });
  }
  const box = source.mailbox;
  if (box && Number(box.uidValidity) !== run.uidValidity) {
    throw new MigrationError('SOURCE_CHANGED', `UIDVALIDITY of source folder "${run.source}" changed during the migration; re-planning.`, { side: 'source' });
  }
  const limit = appendLimitOf(target);
  const records: MessageRecord[] = [];
  const wanted = chunk.messages.filter((m) => {
    if (limit !== undefined && m.size > limit) {
      records.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: `MESSAGE_TOO_LARGE: ${m.size} bytes, over the target's APPENDLIMIT of ${limit} bytes` });
      return false;
    }
    return true;
  });

  const bodies = new Map<number, Buffer>();
  if (wanted.length) {
    const uids = wanted.map((m) => m.uid).join(',');
    for (const msg of await source.fetchAll(uids, { uid: true, source: true }, { uid: true })) {
      if (msg.source) bodies.set(msg.uid, msg.source);
    }
    await recoverNulBytes(source, bodies);
  }
  const items: Array<{ meta: SourceMessageMeta; item: AppendItem }> = [];
  for (const m of wanted) {
    const raw = bodies.get(m.uid);
    if (!raw) {
      records.push({ uid: m.uid, fingerprint: m.fingerprint, outcome: 'skipped', targetUid: null, size: m.size, reason: 'deleted on the source while the migration ran' });
      continue;
    }
    items.push({ meta: m, item: { raw, flags: flagsForAppend(m.flags, opts.deleted), internalDate: m.internalDate } });
  }

  const storedSoFar: MessageRecord[] = [];
  let outcomes: AppendOutcome[];
  try {
    outcomes = await appendMessages(target, run.target, items.map((i) => i.item), (i, targetUid) => {
      const meta = items[i]!.meta;
      storedSoFar.push({ uid: meta.uid, fingerprint: meta.fingerprint, outcome: 'copied', targetUid, size: meta.size });
    });
  } catch (err) {
    // A full mailbox or a lost connection in the middle: what the target did accept is ours.
    run.settle(storedSoFar);
    throw err;
  }
  items.forEach(({ meta }, i) => {
    const r = outcomes[i]!;
    records.push(
      'reason' in r
        ? { uid: meta.uid, fingerprint: meta.fingerprint, outcome: 'skipped', targetUid: null, size: meta.size, reason: r.reason }
        : { uid: meta.uid, fingerprint: meta.fingerprint, outcome: 'copied', targetUid: r.targetUid, size: meta.size },
    );
  });
  run.settle(records);
  // After settling: what the target stored is ours whatever this read-back meets.
  const copies = items.map(({ meta, item }, i) => {
    const r = outcomes[i]!;
    return { uid: meta.uid, targetUid: 'reason' in r ? null : r.targetUid, raw: item.raw };
  });
  run.storedChanges.push(...(await findStoredChanges(target, run.target, copies)));
}
