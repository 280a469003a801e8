import type { ImapFlow } from 'imapflow';
import { appendBatch, appendGroups, type AppendItem } from './append-batch';
import { appendOneOrSkip, isRefusal, refusalReason, refusedByTarget, throttledByTarget } from './append-refusal';
import { MigrationError } from './errors';
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
 *
 * RFC 7888 lets a server refuse a non-synchronizing literal that is too big and close the
 * connection (Cyrus: "NO [TOOBIG]", then "* BYE"): the messages cannot be tried one by one
 * then. Such an answer to a command of several messages does not say which, nor even that one
 * was over a limit for messages (a front-end may limit what it reads of a whole command):
 * the largest, the one over such a limit if any is, is named (opts.onSuspect) to be sent in a
 * command of its own by the retry (opts.alone). Only a command of one message refused so
 * gives that message up (onTooLarge) before the connection failure propagates.
 *
 * A refusal for now may also be a message the target refuses every time in such words
 * (Exchange's "Server Unavailable. 15" for a message it cannot convert): the retries would
 * stop on it until the run gives up, and nothing after it would ever be copied. So on the
 * run's last chance (`lastChance`: one more failure without progress ends it) such a refusal
 * does not fail the pass at once: when the target takes the next message, it is not
 * throttling and the refused one is skipped with the server's words, a skip the next run
 * tries again (skipIsFinal); when it refuses the next one for now too, or none comes after
 * it in the call, the pass fails as THROTTLED.
 */
export async function appendMessages(
  target: ImapFlow,
  folder: string,
  items: AppendItem[],
  /** Told of every message the target accepted, as it happens: a failure later in the call must not lose them. */
  onStored?: (index: number, targetUid: number | null) => void,
  /** Told of a message over the target's size limit found when the connection ends before the call does. */
  onTooLarge?: (index: number, reason: string) => void,
  opts: {
    lastChance?: boolean;
    /** Messages a refusal of an earlier attempt named (onSuspect): each is sent in a command of its own. */
    alone?: (index: number) => boolean;
    /** Told of the message to send alone next time, when a command of several is refused TOOBIG and the connection ends. */
    onSuspect?: (index: number) => void;
    /**
     * Told of messages before their command goes out (`sending` true) and once the server
     * answered it (false, whatever the answer): messages told of only once were sent when
     * the connection ended, and the server may still store them (late-appends.ts).
     */
    onSending?: (indexes: number[], sending: boolean) => void;
  } = {},
): Promise<AppendOutcome[]> {
  const outcomes: AppendOutcome[] = [];
  // Refused for now on the last chance, and no message taken since: throttling, as far as we know.
  let refusedForNow: { responseText?: string; message?: string } | undefined;
  const stored = (targetUid: number | null): void => {
    onStored?.(outcomes.length, targetUid);
    outcomes.push({ targetUid });
    refusedForNow = undefined;
  };
  /**
   * One command with its messages marked meanwhile (opts.onSending). The mark stays only when
   * the command may have reached the server unanswered: not after an answer (a refusal, or a
   * MigrationError made of one), nor when the connection was gone before a byte of it was written.
   */
  const marked = async <T>(indexes: number[], send: () => Promise<T>): Promise<T> => {
    opts.onSending?.(indexes, true);
    const sentBefore = target.stats().sent;
    try {
      const result = await send();
      opts.onSending?.(indexes, false);
      return result;
    } catch (err) {
      if (isRefusal(err) || err instanceof MigrationError || target.stats().sent === sentBefore) opts.onSending?.(indexes, false);
      throw err;
    }
  };
  let accepted = 0;
  let firstUnexplained: { text: string; cause: unknown } | undefined;
  for (const group of appendGroups(items, target.capabilities.has('MULTIAPPEND'), opts.alone)) {
    const groupStart = outcomes.length;
    try {
      const res = await marked(group.map((_, i) => groupStart + i), () => appendBatch(target, folder, group));
      group.forEach((_, i) => stored(res.uids[i] ?? null));
      accepted += group.length;
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // A server that takes no mail for now would refuse each message of the group too.
      if (isTemporaryRefusal(err) && !opts.lastChance) throw throttledByTarget(folder, err);
      const refusal = refusalReason(err);
      // TOOBIG (RFC 7888 4): a literal, or the command, too big to read.
      const tooBig = (err.serverResponseCode ?? '').toUpperCase() === 'TOOBIG';
      for (const [k, item] of group.entries()) {
        let one: Awaited<ReturnType<typeof appendOneOrSkip>>;
        try {
          one = await marked([groupStart + k], () => appendOneOrSkip(target, folder, item, opts));
        } catch (lost) {
          if (tooBig && !(lost instanceof MigrationError)) {
            const largest = group.reduce((a, b) => (b.raw.length > a.raw.length ? b : a));
            const at = groupStart + group.indexOf(largest);
            // Only one not yet sent on its own: one already sent got its own answer.
            if (at >= outcomes.length) {
              if (group.length === 1) onTooLarge?.(at, `${refusal.code}: ${refusal.text}`);
              else opts.onSuspect?.(at);
            }
          }
          throw lost;
        }
        if ('forNow' in one) {
          // Two in a row: the target takes nothing for now; it is not sent more meanwhile.
          if (refusedForNow) throw throttledByTarget(folder, refusedForNow);
          refusedForNow = one.cause as { responseText?: string; message?: string };
          outcomes.push({ reason: one.forNow });
        } else if ('unexplained' in one) {
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
  if (refusedForNow) throw throttledByTarget(folder, refusedForNow);
  if (firstUnexplained && accepted === 0) {
    throw refusedByTarget(folder, firstUnexplained.text.replace(/^MESSAGE_REJECTED: /, ''), firstUnexplained.cause);
  }
  return outcomes;
}
