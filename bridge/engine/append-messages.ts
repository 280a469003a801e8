import type { ImapFlow } from 'imapflow';
import { appendBatch, appendGroups, type AppendItem } from './append-batch';
import { appendOneOrSkip, isRefusal } from './append-refusal';

export type AppendOutcome = { targetUid: number | null } | { reason: string };

/**
 * APPENDs messages in order, in as few commands as the target allows (appendGroups).
 * A refused command is retried message by message, so one bad message is skipped with
 * its reason and the others still go through; commands already accepted are not sent
 * again. Connection failures propagate: the caller retries from its checkpoint.
 */
export async function appendMessages(target: ImapFlow, folder: string, items: AppendItem[]): Promise<AppendOutcome[]> {
  const outcomes: AppendOutcome[] = [];
  for (const group of appendGroups(items)) {
    try {
      const res = await appendBatch(target, folder, group);
      group.forEach((_, i) => outcomes.push({ targetUid: res.uids[i] ?? null }));
    } catch (err) {
      if (!isRefusal(err)) throw err;
      for (const item of group) outcomes.push(await appendOneOrSkip(target, folder, item));
    }
  }
  return outcomes;
}
