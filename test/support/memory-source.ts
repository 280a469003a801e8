import type { ImapFlow } from 'imapflow';
import { resumeCheckpoint } from '../../bridge/engine/checkpoint';
import type { MailboxLayout } from '../../bridge/engine/discover';
import { FolderRun } from '../../bridge/engine/folder-run';
import { headerBlock, messageExactFingerprint, messageFingerprint } from '../../bridge/engine/pop3/headers';
import type { Chunk, FetchedChunk, FolderPlan, PlanContext, PlannedMessage, SourceDriver, SourceSession } from '../../bridge/engine/source-driver';
import type { MessageRecord } from '../../bridge/engine/state-store';
import { surveyTarget } from '../../bridge/engine/target-scan';

/**
 * A source that lives in memory: the smallest driver the pass loop accepts, written
 * only against source-driver.ts and the shared engine pieces (checkpoint, target scan,
 * folder run). It shows that a new kind of source is one driver file: the loop brings
 * the target folders, APPEND, rows, retries and report.
 *
 * Each folder is a list of messages; a message's UID is its place in the list (from 1),
 * and every folder has the same fixed identity, so appending to a list is new mail.
 */
export interface MemoryMessage {
  raw: Buffer;
  flags?: string[];
  internalDate: Date;
}

export const MEMORY_UID_VALIDITY = 1;

interface MemoryPlanned extends PlannedMessage {
  fingerprint: string;
  message: MemoryMessage;
}

export interface MemorySource extends SourceDriver<MemoryPlanned> {
  /** Every UID a session was asked to fetch, per folder, in order (what the loop did not find on the target). */
  readonly fetched: Map<string, number[]>;
}

export function memorySource(folders: Record<string, MemoryMessage[]>): MemorySource {
  const fetched = new Map<string, number[]>();
  const layout: MailboxLayout = {
    delimiter: '/',
    prefix: '',
    folders: Object.keys(folders).map((path) => ({ path, delimiter: '/', flags: [] })),
    capabilities: [],
  };
  const session: SourceSession<MemoryPlanned> = {
    listFolders: async () => layout,
    countMessages: async (folder) => folders[folder]?.length ?? 0,
    planFolder: (target, ctx) => planFolder(folders[ctx.mapping.source] ?? [], target, ctx),
    fetchChunk: async (_target: ImapFlow, chunk: Chunk<MemoryPlanned>): Promise<FetchedChunk> => {
      const list = fetched.get(chunk.run.source) ?? [];
      fetched.set(chunk.run.source, list);
      return {
        items: chunk.messages.map((m) => {
          list.push(m.uid);
          return { uid: m.uid, fingerprint: m.fingerprint, size: m.size, item: { raw: m.message.raw, flags: m.message.flags ?? [], internalDate: m.message.internalDate } };
        }),
        settled: [],
        warnings: [],
      };
    },
    close: async () => undefined,
  };
  return { fetched, connect: async () => session };
}

/** Messages above the checkpoint that no row settles, less those the target already holds. */
async function planFolder(messages: MemoryMessage[], target: ImapFlow, { store, account, mapping, opts, copiedFromTargetUid, targetFree, budget }: PlanContext): Promise<FolderPlan<MemoryPlanned>> {
  const { cp, scanWholeTarget } = resumeCheckpoint(store, account, mapping, MEMORY_UID_VALIDITY, opts);
  const settled = store.settledAbove(account, mapping.source, MEMORY_UID_VALIDITY, cp.lastUid);
  const prior = store.outcomeCounts(account, mapping.source, MEMORY_UID_VALIDITY);
  const pending = messages
    .map((message, i) => ({ message, uid: i + 1, size: message.raw.length }))
    .filter((m) => m.uid > cp.lastUid && !settled.has(m.uid));

  const toCopy: MemoryPlanned[] = [];
  const settleNow: MessageRecord[] = [];
  let targetUidNext: number | undefined;
  if (pending.length) {
    await targetFree?.();
    const survey = await surveyTarget(target, store, account, mapping, cp, scanWholeTarget, { batchBytes: opts.chunkBytes, budget });
    targetUidNext = survey.uidNext;
    for (const m of pending) {
      const header = headerBlock(m.message.raw);
      const fingerprint = messageFingerprint(header, m.size);
      const targetUid = survey.index.take(fingerprint, messageExactFingerprint(header, m.size));
      if (targetUid === undefined) toCopy.push({ ...m, fingerprint });
      else settleNow.push({ uid: m.uid, fingerprint, outcome: copiedFromTargetUid !== undefined && targetUid >= copiedFromTargetUid ? 'copied' : 'present', targetUid, size: m.size });
    }
  }

  const run = new FolderRun(store, account, mapping.source, mapping.target, MEMORY_UID_VALIDITY, cp, toCopy, messages.length);
  run.counts.alreadyPresent += prior.copied + prior.present;
  run.counts.skipped += prior.skipped;
  run.counts.total = run.counts.alreadyPresent + run.counts.skipped + pending.length;
  run.counts.bytesTotal = toCopy.reduce((s, m) => s + m.size, 0);
  run.settle(settleNow);
  return { run, toCopy, warnings: [], targetUidNext };
}
