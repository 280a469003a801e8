import type { FetchedMessage } from './fetched-message';
import type { FolderCheckpoint, MessageRecord, StateStore } from './state-store';
import type { StoredChange } from './stored-changes';
import type { DateSuspect } from './stored-dates';

export interface SourceMessageMeta {
  uid: number;
  size: number;
  flags: string[];
  internalDate: Date;
  /** Rewrite-tolerant fingerprint (8-bit header bytes as 'X'), the one stored in the message rows. */
  fingerprint: string;
  /** Fingerprint of the header bytes as they are, tried first when matching. */
  exactFingerprint: string;
  /** false: the header names no Message-ID, so a fingerprint match is confirmed by body hash (content-match.ts). */
  hasMessageId?: boolean;
}

export interface FolderCounts {
  total: number;
  copied: number;
  skipped: number;
  alreadyPresent: number;
  bytesCopied: number;
  bytesTotal: number;
}

/**
 * One source folder's pass in memory: which UIDs are still to copy, what this run
 * settled, and the checkpoint. The checkpoint (lastUid) only moves over a UID once
 * every UID at or below it is settled, so chunks may finish in any order (several
 * workers copy one big folder) without the checkpoint ever claiming a gap.
 */
export class FolderRun {
  readonly counts: FolderCounts = { total: 0, copied: 0, skipped: 0, alreadyPresent: 0, bytesCopied: 0, bytesTotal: 0 };
  done = false;
  /**
   * More of the folder is still to be planned (a big folder is planned in windows of
   * UIDs): the folder is not finished when this window's messages are settled.
   */
  moreToPlan = false;
  /** Copies the target stored otherwise than sent (reported as warnings). */
  readonly storedChanges: StoredChange[] = [];
  /** Copies APPENDed with a date a target may not keep, read back when the pass ends (stored-dates.ts). */
  readonly dateSuspects: DateSuspect[] = [];
  /**
   * Source UIDs whose APPEND an earlier attempt or run sent without hearing the answer
   * (StateStore.unansweredAppends), and those of them fetched in this pass and held back
   * until the rest of the folder is settled (late-appends.ts).
   */
  uncertain: ReadonlySet<number> = new Set();
  /** When the slowest of those commands reached the server at the latest (late-appends.ts, drainedBy). */
  uncertainSentBy = 0;
  readonly held: FetchedMessage[] = [];
  recheckStarted = false;
  private readonly unsettled: number[];
  private readonly unsettledSet: Set<number>;
  private cp: FolderCheckpoint;
  /** Source UIDs whose APPEND was answered, their marks still to take off (markAppending). */
  private readonly answered = new Set<number>();

  constructor(
    private readonly store: StateStore,
    readonly account: string,
    readonly source: string,
    readonly target: string,
    readonly uidValidity: number,
    checkpoint: FolderCheckpoint,
    toCopy: ReadonlyArray<{ uid: number }>,
    /** Highest source UID this pass looked at; the checkpoint reaches it once all is settled. */
    private highestSeen: number,
    /**
     * False for a source without UID order (POP3: the uid is the engine's number for a
     * UIDL): the rows per message are the state, and `lastUid` never moves.
     */
    private readonly uidOrder = true,
  ) {
    this.cp = { ...checkpoint };
    this.unsettled = toCopy.map((m) => m.uid).sort((a, b) => a - b);
    this.unsettledSet = new Set(this.unsettled);
    this.advance();
  }

  get checkpoint(): FolderCheckpoint {
    return this.cp;
  }

  get remaining(): number {
    return this.unsettledSet.size;
  }

  /**
   * Adds the next planning window of the folder: its messages to copy (all above the
   * earlier windows' UIDs) and the highest UID it looked at. Called after the window's
   * own outcomes found at planning are settled (their rows written), so the checkpoint
   * never passes a UID that has neither a row nor a place in `unsettled`.
   */
  addWindow(toCopy: ReadonlyArray<{ uid: number }>, highestSeen: number): void {
    const uids = toCopy.map((m) => m.uid).sort((a, b) => a - b);
    for (const uid of uids) {
      this.unsettled.push(uid);
      this.unsettledSet.add(uid);
    }
    this.highestSeen = Math.max(this.highestSeen, highestSeen);
    this.advance();
  }

  /** Persists outcomes confirmed by the target, then moves the checkpoint as far as it may go. */
  settle(records: MessageRecord[]): void {
    if (records.length === 0) {
      this.flushAnswered();
      return;
    }
    const sentBefore = this.sentByEarlierRun(records);
    this.store.recordMessages(
      this.account,
      this.source,
      this.uidValidity,
      sentBefore.size === 0 ? records : records.map((r) => (sentBefore.has(r.uid) ? { ...r, outcome: 'copied' as const } : r)),
    );
    for (const r of records) {
      this.unsettledSet.delete(r.uid);
      if (r.outcome === 'copied') {
        this.counts.copied++;
        this.counts.bytesCopied += r.size;
        this.cp.copied++;
      } else if (r.outcome === 'present') {
        // This run found it there; the row says who put it there (sentByEarlierRun).
        this.counts.alreadyPresent++;
        if (sentBefore.has(r.uid)) this.cp.copied++;
        else this.cp.alreadyPresent++;
      } else {
        this.counts.skipped++;
        this.cp.skipped++;
      }
    }
    this.flushAnswered();
    this.advance();
  }

  /**
   * Of the messages found on the target (outcome 'present'), those whose APPEND an earlier run
   * sent without hearing the answer (a mark it left: killed, or cut, with the command out): the
   * copy found is that run's, as late-appends.ts records the ones it finds. Their rows say
   * 'copied', so the counts over all runs (`status`, the account view) hold every copy the
   * migration made; this run's own report still counts them as found already there, which is
   * what this run did. Only asked when something was found present.
   */
  private sentByEarlierRun(records: readonly MessageRecord[]): Set<number> {
    const found = records.filter((r) => r.outcome === 'present' && r.targetUid !== null);
    if (found.length === 0) return new Set();
    const marks = this.store.unansweredAppends(this.account, this.source, this.uidValidity);
    return new Set(found.filter((r) => marks.has(r.uid)).map((r) => r.uid));
  }

  /**
   * See StateStore.markAppending. A mark is taken off once the rows of its chunk are written
   * (the next settle), not when the command is answered: a chunk's rows are written after its
   * last command, and a process killed in between left copies on the target that neither a row
   * nor a mark accounted for, which the next run then found there and counted as mail that was
   * on the target before the migration. Every path of copy-chunk.ts settles after appending.
   */
  markAppending(uids: readonly number[], sending: boolean, commandBytes?: number): void {
    if (sending) {
      for (const uid of uids) this.answered.delete(uid);
      this.store.markAppending(this.account, this.source, this.uidValidity, uids, true, commandBytes);
    } else {
      for (const uid of uids) this.answered.add(uid);
    }
  }

  /** Takes off the marks of commands answered since the last settle (markAppending). */
  private flushAnswered(): void {
    if (this.answered.size === 0) return;
    const uids = [...this.answered];
    this.answered.clear();
    this.store.markAppending(this.account, this.source, this.uidValidity, uids, false);
  }

  /** Takes a message out of this pass without a row: out of scope (--since), found so only when its header was read. */
  drop(message: { uid: number; size: number }): void {
    if (!this.unsettledSet.delete(message.uid)) return;
    this.counts.total--;
    this.counts.bytesTotal -= message.size;
    this.advance();
  }

  private advance(): void {
    if (!this.uidOrder) {
      this.store.putCheckpoint(this.cp);
      return;
    }
    while (this.unsettled.length > 0 && !this.unsettledSet.has(this.unsettled[0]!)) this.unsettled.shift();
    const next = this.unsettled[0];
    const lastUid = next === undefined ? Math.max(this.cp.lastUid, this.highestSeen) : Math.max(this.cp.lastUid, next - 1);
    this.cp = { ...this.cp, lastUid };
    this.store.putCheckpoint(this.cp);
  }

  /** Whether only the held messages are left of the folder (late-appends.ts looks for them on the target now). */
  get recheckDue(): boolean {
    return this.held.length > 0 && !this.recheckStarted && !this.moreToPlan && this.remaining === this.held.length;
  }

  /** Marks the pass complete with the target folder's state, so the next run scans only what came after. */
  finish(targetUidValidity: number | null, targetUidNext: number | null): void {
    this.done = true;
    this.cp = { ...this.cp, targetUidValidity, targetUidNext };
    this.store.putCheckpoint(this.cp);
    this.store.clearAppendMarks(this.account, this.source);
  }
}
