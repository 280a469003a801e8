import type { ImapFlow } from 'imapflow';
import type { AccountJob } from '../account-job';
import { closeQuietly, connectImap } from '../connect';
import { FINGERPRINT_HEADERS, fingerprint } from '../fingerprint';
import { parseSyncedFlags } from '../flag-delta';
import type { SourceMessageMeta } from '../folder-run';
import { guardReadOnly } from '../read-only-guard';
import type { MessageRecord, PlacedRow, StateStore } from '../state-store';

/** A message planned for copying whose copy is already on the target, in the folder of its old place. */
interface Move {
  message: SourceMessageMeta;
  from: PlacedRow;
}

/**
 * Carries a move made on the source during the migration window (a message filed from one
 * folder into another, in the old webmail or a mail client) to the target: the copy already
 * made is moved into the new folder's counterpart, with what the user did to it there, instead
 * of a second copy arriving while the first stays in the old folder.
 *
 * A message that looks new in a folder is taken for a moved one only when all of these hold:
 * its fingerprint (Message-ID, Date, From, Subject, size) is that of a copy the rows place on
 * the target for another source folder; that folder, with the same UIDVALIDITY, no longer holds
 * the message's old UID on the source (a message copied, not moved, on the source is still
 * there, and is copied again as it should be); and the target still holds the copy at its
 * recorded UID, with that fingerprint (the user has not moved or deleted it there). Everything
 * else is copied as before. The move needs UIDPLUS on the target, to learn the copy's new UID;
 * it is a MOVE (RFC 6851) where the target offers it, else a UID COPY and a UID EXPUNGE of
 * that one message (RFC 4315; a plain EXPUNGE would also remove what the user marked deleted).
 *
 * It runs on connections of its own, opened the first time a candidate appears (a pass with
 * no message looking moved opens none): the workers' connections have their folders selected
 * and commands in flight. A failure here is never the account's: the candidates are copied
 * as before (at worst a second copy, as without this) and no further moves are tried this
 * pass. The source connection only EXAMINEs and SEARCHes (read-only-guard.ts).
 */
export class MovedCopies {
  private source: ImapFlow | undefined;
  private target: ImapFlow | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private off = false;
  /** Per source folder, the copies moved into its target folder. */
  readonly movedInto = new Map<string, number>();

  constructor(
    private readonly job: AccountJob,
    private readonly store: StateStore,
    private readonly account: string,
    private readonly signal?: AbortSignal,
    /** Told of each connection opened (the pass closes its target connections on a halt). */
    private readonly opened: (c: ImapFlow) => void = () => undefined,
  ) {}

  /**
   * Of `planned` (messages of `folder` about to be copied into `targetFolder`), those whose
   * copy was moved there: their rows (found on the target, at the copy's new UID), by UID.
   * The others are to be copied.
   */
  carry(folder: string, uidValidity: number, targetFolder: string, planned: readonly SourceMessageMeta[]): Promise<Map<number, MessageRecord>> {
    const identified = planned.filter((m) => m.hasMessageId !== false);
    if (this.off || identified.length === 0) return Promise.resolve(new Map());
    const placed = this.store.placedElsewhere(this.account, folder, identified.map((m) => m.fingerprint));
    if (placed.length === 0) return Promise.resolve(new Map());
    // One folder at a time on the two connections: several workers plan at once.
    const run = this.turn.then(() => this.carryNow(folder, uidValidity, targetFolder, identified, placed));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async carryNow(folder: string, uidValidity: number, targetFolder: string, planned: readonly SourceMessageMeta[], placed: PlacedRow[]): Promise<Map<number, MessageRecord>> {
    const done = new Map<number, MessageRecord>();
    if (this.off) return done;
    try {
      const gone = await this.goneFromSource(placed);
      const moves = pair(planned, gone);
      for (const [oldTarget, group] of groupBy(moves, (m) => this.store.getCheckpoint(this.account, m.from.sourceFolder)?.targetFolder)) {
        if (oldTarget !== undefined) await this.moveCopies(oldTarget, targetFolder, group, folder, uidValidity, done);
      }
    } catch {
      // Not the account's failure: what is left is copied as before (see the class comment).
      this.off = true;
    }
    return done;
  }

  /** The rows whose message is no longer in its folder on the source (same UIDVALIDITY, UID gone). */
  private async goneFromSource(placed: PlacedRow[]): Promise<PlacedRow[]> {
    const gone: PlacedRow[] = [];
    for (const [folder, rows] of groupBy(placed, (r) => r.sourceFolder)) {
      const source = await this.sourceConnection();
      let box;
      try {
        box = await source.mailboxOpen(folder, { readOnly: true });
      } catch {
        continue; // gone or renamed as a whole: folder-renames.ts and the next passes deal with it
      }
      const current = rows.filter((r) => r.uidValidity === Number(box.uidValidity));
      if (current.length === 0) continue;
      const still = new Set((await source.search({ uid: current.map((r) => r.uid).join(',') }, { uid: true })) || []);
      gone.push(...current.filter((r) => !still.has(r.uid)));
    }
    return gone;
  }

  private async moveCopies(oldTarget: string, newTarget: string, moves: Move[], folder: string, uidValidity: number, done: Map<number, MessageRecord>): Promise<void> {
    const target = await this.targetConnection();
    if (!target.capabilities.has('UIDPLUS')) {
      this.off = true;
      return;
    }
    let box;
    try {
      box = await target.mailboxOpen(oldTarget);
    } catch {
      return; // the old target folder is gone: nothing to move, the messages are copied
    }
    const recorded = this.store.getCheckpoint(this.account, moves[0]!.from.sourceFolder)?.targetUidValidity;
    if (recorded != null && recorded !== Number(box.uidValidity)) return;
    // Still there, and still the copy: the user may have moved or deleted it on the target.
    const uids = moves.map((m) => m.from.targetUid);
    const found = await target.fetchAll(uids.join(','), { uid: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true });
    const intact = new Map(found.map((f) => [f.uid, fingerprint(f.headers, f.size ?? 0)]));
    const movable = moves.filter((m) => intact.get(m.from.targetUid) === m.from.fingerprint);
    if (movable.length === 0) return;
    const range = movable.map((m) => m.from.targetUid).join(',');
    // Two source folders mapped into one target folder (a merge): the copy is in place already.
    const moved =
      oldTarget === newTarget
        ? { uidMap: new Map(movable.map((m) => [m.from.targetUid, m.from.targetUid])) }
        : target.capabilities.has('MOVE')
          ? await target.messageMove(range, newTarget, { uid: true })
          : await copyThenExpunge(target, range, newTarget);
    if (!moved) return;
    for (const m of movable) {
      const newUid = moved.uidMap?.get(m.from.targetUid);
      // Without COPYUID the new place is unknown: the old row stays, and the message is copied
      // again (as before this existed) rather than recorded at a guessed UID.
      if (newUid === undefined) continue;
      const record: MessageRecord = { uid: m.message.uid, fingerprint: m.message.fingerprint, outcome: 'present', targetUid: newUid, size: m.message.size, syncedFlags: parseSyncedFlags(m.from.syncedFlags) };
      this.store.moveRow(this.account, m.from, { sourceFolder: folder, uidValidity, record });
      done.set(m.message.uid, record);
      this.movedInto.set(folder, (this.movedInto.get(folder) ?? 0) + 1);
    }
  }

  private async sourceConnection(): Promise<ImapFlow> {
    if (!this.source) {
      this.source = guardReadOnly(await connectImap(this.job.source, { side: 'source', id: 'moves-src', stallTimeoutMs: this.job.options.stallTimeoutMs, signal: this.signal }));
      this.opened(this.source);
    }
    return this.source;
  }

  private async targetConnection(): Promise<ImapFlow> {
    if (!this.target) {
      this.target = await connectImap(this.job.target, { side: 'target', id: 'moves-tgt', stallTimeoutMs: this.job.options.stallTimeoutMs, signal: this.signal });
      this.opened(this.target);
    }
    return this.target;
  }

  async close(): Promise<void> {
    await this.turn;
    await Promise.all([closeQuietly(this.source), closeQuietly(this.target)]);
    this.source = this.target = undefined;
  }
}

/** Each planned message with at most one gone row of its fingerprint, each row used once. */
function pair(planned: readonly SourceMessageMeta[], gone: readonly PlacedRow[]): Move[] {
  const byFingerprint = new Map<string, PlacedRow[]>();
  for (const r of gone) byFingerprint.set(r.fingerprint, [...(byFingerprint.get(r.fingerprint) ?? []), r]);
  const moves: Move[] = [];
  for (const message of planned) {
    const from = byFingerprint.get(message.fingerprint)?.shift();
    if (from) moves.push({ message, from });
  }
  return moves;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/**
 * MOVE's fallback where the target has no MOVE: UID COPY (its COPYUID says where the copies
 * went), then \Deleted and UID EXPUNGE of exactly those UIDs. A failed expunge leaves the old
 * copies too (a double, never a loss); the new ones are still recorded.
 */
async function copyThenExpunge(target: ImapFlow, range: string, destination: string): Promise<{ uidMap?: Map<number, number> } | false> {
  const copied = await target.messageCopy(range, destination, { uid: true });
  if (!copied) return false;
  await target.messageDelete(range, { uid: true });
  return copied;
}
