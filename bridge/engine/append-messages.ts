import type { ImapFlow } from 'imapflow';
import { appendBatch, appendGroups, type AppendItem } from './append-batch';
import { appendOneOrSkip, isRefusal, refusedByTarget, throttledByTarget } from './append-refusal';
import { isTemporaryRefusal } from './temporary-refusal';

export type AppendOutcome = { targetUid: number | null } | { reason: string };

/**
 * APPENDs messages in order, in as few commands as the target allows (appendGroups).
 * A refused command is retried message by message, so one bad message is skipped with
 * its reason and the others still go through; commands already accepted are not sent
 * again. A refusal that does not name the message (a read-only folder, missing rights,
 * a server fault, or words nobody has taught us) is a skip only when other messages of
 * the same call were accepted, and then one the next run tries again; when nothing got
 * through, it fails the account (TARGET_REFUSED, retried from the checkpoint) instead of
 * skipping everything while reporting success. A refusal for now (throttling, a server
 * part down) fails the account as THROTTLED: the message is sent again after a back-off,
 * not skipped. Messages accepted before are kept (onStored). Connection failures propagate.
 */
export async function appendMessages(
  target: ImapFlow,
  folder: string,
  items: AppendItem[],
  /** Told of every message the target accepted, as it happens: a failure later in the call must not lose them. */
  onStored?: (index: number, targetUid: number | null) => void,
): Promise<AppendOutcome[]> {
  const outcomes: AppendOutcome[] = [];
  const stored = (targetUid: number | null): void => {
    onStored?.(outcomes.length, targetUid);
    outcomes.push({ targetUid });
  };
  let accepted = 0;
  let firstUnexplained: { text: string; cause: unknown } | undefined;
  for (const group of appendGroups(items, target.capabilities.has('MULTIAPPEND'))) {
    try {
      const res = await appendBatch(target, folder, group);
      group.forEach((_, i) => stored(res.uids[i] ?? null));
      accepted += group.length;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // A server that takes no mail for now would refuse each message of the group too.
      if (isTemporaryRefusal(err)) throw throttledByTarget(folder, err);
      for (const item of group) {
        const one = await appendOneOrSkip(target, folder, item);
        if ('unexplained' in one) {
          firstUnexplained ??= { text: one.unexplained, cause: one.cause };
          outcomes.push({ reason: one.unexplained });
        } else if ('targetUid' in one) {
          accepted++;
          stored(one.targetUid);
        } else {
          outcomes.push(one);
        }
      }
    }
  }
  if (firstUnexplained && accepted === 0) {
    throw refusedByTarget(folder, firstUnexplained.text.replace(/^MESSAGE_REJECTED: /, ''), firstUnexplained.cause);
  }
  return outcomes;
}
