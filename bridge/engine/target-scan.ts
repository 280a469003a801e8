import type { ImapFlow } from 'imapflow';
import { MigrationError } from './errors';
import { FINGERPRINT_HEADERS, FingerprintIndex, exactFingerprint, fingerprint } from './fingerprint';
import type { FolderCheckpoint, StateStore, UnplacedCopy } from './state-store';
import { surveyStart } from './survey-start';
import { hashBodies, hasMessageId } from './body-hash';
import type { ByteBudget } from './byte-budget';
import { ourUnplacedCopies } from './unplaced-copies';

export interface TargetEntry {
  uid: number;
  size: number;
  fingerprint: string;
  exactFingerprint: string;
  /** false: no Message-ID, so a match needs the same body too (content-match.ts). */
  hasMessageId: boolean;
}

/**
 * Reads the fingerprints of a target folder's messages from `fromUid` on, leaving out
 * the UIDs our own records account for. The folder is EXAMINEd and then deselected
 * again: Courier-IMAP refuses APPEND into the mailbox a connection holds read-only
 * ("Current box is selected READ-ONLY"), and the same connection appends next.
 */
export async function scanTarget(target: ImapFlow, folder: string, fromUid: number, ours: Set<number>): Promise<TargetEntry[]> {
  const out: TargetEntry[] = [];
  await target.mailboxOpen(folder, { readOnly: true });
  try {
    // Streamed (see fetchMeta in imap/plan-folder.ts): a response is reduced to its fingerprints as it arrives.
    for await (const msg of target.fetch(`${fromUid}:*`, { uid: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) {
      // `N:*` returns the highest message even when its UID is below N (RFC 3501 6.4.8).
      if (msg.uid < fromUid || ours.has(msg.uid)) continue;
      const size = msg.size ?? 0;
      out.push({ uid: msg.uid, size, fingerprint: fingerprint(msg.headers, size), exactFingerprint: exactFingerprint(msg.headers, size), hasMessageId: hasMessageId(msg.headers) });
    }
  } finally {
    await deselect(target);
  }
  return out;
}

/** Target messages no row accounts for, by fingerprint, and which sizes they have. */
export class TargetIndex {
  private readonly fps = new FingerprintIndex();
  private readonly sizes = new Map<number, number>();
  private readonly sizeOf = new Map<number, number>();
  private readonly withoutId: TargetEntry[] = [];
  /** Body hashes of entries without a Message-ID (readBodyHashes). */
  private readonly hashes = new Map<number, string>();

  add(entry: TargetEntry): void {
    this.fps.add(entry.fingerprint, entry.uid, entry.exactFingerprint);
    if (!entry.hasMessageId) this.withoutId.push(entry);
    this.sizes.set(entry.size, (this.sizes.get(entry.size) ?? 0) + 1);
    this.sizeOf.set(entry.uid, entry.size);
  }

  /** Whether some unclaimed target message has this size (a header read may find it). */
  hasSize(size: number): boolean {
    return (this.sizes.get(size) ?? 0) > 0;
  }

  /** Takes one occurrence, the exact match first. */
  take(fp: string, exact: string): number | undefined {
    return this.claimed(this.fps.take(fp, exact));
  }

  /**
   * Takes an occurrence with this fingerprint whose body hash is `hash`: for a message
   * without a Message-ID, whose fingerprint another message may share (content-match.ts).
   */
  takeByBody(fp: string, exact: string, hash: string): number | undefined {
    return this.claimed(this.fps.takeWhere(fp, exact, (uid) => this.hashes.get(uid) === hash));
  }

  /**
   * Reads the body hashes of the entries without a Message-ID whose size is in `sizes` (the
   * sizes of the source messages still to copy): only those can be a candidate. Cost: one
   * BODY.PEEK[] per such target message, in FETCHes of at most `batchBytes`.
   */
  async readBodyHashes(
    target: ImapFlow,
    folder: string,
    sizes: ReadonlySet<number>,
    batchBytes: number,
    budget?: ByteBudget,
    /** Awaited before the folder is opened, when there is something to read (see TargetFree). */
    targetFree?: () => Promise<void>,
  ): Promise<void> {
    const wanted = this.withoutId.filter((e) => sizes.has(e.size) && !this.hashes.has(e.uid));
    if (wanted.length === 0) return;
    await targetFree?.();
    await hashTargetBodies(target, folder, wanted, this.hashes, batchBytes, budget);
  }

  /** Unclaimed UIDs with this rewrite-tolerant fingerprint, lowest first, left in the index. */
  candidates(fp: string): number[] {
    return this.fps.candidates(fp);
  }

  /** Takes this UID (unplaced-copies.ts); whether it was still unclaimed. */
  takeUid(uid: number): boolean {
    return this.claimed(this.fps.takeUid(uid)) !== undefined;
  }

  /**
   * Takes out our copies whose target UID the server never said (unplaced-copies.ts); the
   * bodies read to tell them from look-alikes are kept for takeByBody.
   */
  async dropUnplaced(target: ImapFlow, folder: string, unplaced: readonly UnplacedCopy[], batchBytes: number, budget?: ByteBudget): Promise<void> {
    const ours = await ourUnplacedCopies(unplaced, (fp) => this.candidates(fp), (messages) => hashTargetBodies(target, folder, messages, this.hashes, batchBytes, budget));
    for (const uid of ours) this.takeUid(uid);
  }

  /** Takes an occurrence whose header bytes were stored as they are. */
  takeExact(exact: string): number | undefined {
    return this.claimed(this.fps.takeExact(exact));
  }

  /** Takes an occurrence that matches only with 8-bit header bytes counted as 'X'. */
  takeLoose(fp: string): number | undefined {
    return this.claimed(this.fps.takeLoose(fp));
  }

  private claimed(uid: number | undefined): number | undefined {
    if (uid !== undefined) {
      const size = this.sizeOf.get(uid)!;
      this.sizes.set(size, this.sizes.get(size)! - 1);
    }
    return uid;
  }
}

export interface TargetSurvey {
  index: TargetIndex;
  /** The target folder's UIDNEXT now. */
  uidNext: number | undefined;
}

/**
 * The target folder's messages that might already be copies of source messages: those
 * above the last complete pass (from UID 1 when there was none, or the target folder's
 * UIDVALIDITY changed) that no row of ours accounts for (a crash between APPEND and
 * checkpoint, or mail copied by hand).
 */
export async function surveyTarget(
  target: ImapFlow,
  store: StateStore,
  account: string,
  mapping: { source: string; target: string },
  cp: FolderCheckpoint,
  scanWholeTarget: boolean,
  /** Bytes of target bodies one FETCH reads at most, and the pass's budget, for telling our copies from look-alikes. */
  reads: { batchBytes: number; budget?: ByteBudget },
): Promise<TargetSurvey> {
  const status = await target.status(mapping.target, { uidNext: true, uidValidity: true, messages: true });
  if (!status) throw new MigrationError('TARGET_REFUSED', `The target refused STATUS for folder "${mapping.target}"; the account is retried.`, { side: 'target' });
  const { from, unplaced } = surveyStart(store, account, mapping.source, cp, scanWholeTarget, status);
  const index = new TargetIndex();
  if ((status.messages ?? 0) > 0 && (status.uidNext ?? Infinity) > from) {
    for (const m of await scanTarget(target, mapping.target, from, store.targetUidsRecorded(account, mapping.source, from))) index.add(m);
    // Each of our copies without a known target UID answers for itself, not for an identical message.
    await index.dropUnplaced(target, mapping.target, unplaced, reads.batchBytes, reads.budget);
  }
  return { index, uidNext: status.uidNext };
}

/**
 * Leaves the selected state of a mailbox the caller opened with EXAMINE (callers here
 * never SELECT on the target). UNSELECT where offered (RFC 3691), else CLOSE, which
 * expunges nothing on a mailbox opened with EXAMINE (RFC 3501 6.4.2). A deselect the
 * server refuses fails the pass (retried): an APPEND on Courier would be refused anyway.
 */
export async function deselect(client: ImapFlow): Promise<void> {
  if (!client.mailbox || !client.usable) return;
  const closed = await (client as unknown as { run(cmd: string, opts: object): Promise<unknown> }).run('CLOSE', { unselect: true });
  if (closed === false) {
    throw new MigrationError('TARGET_REFUSED', `The target would not leave folder "${client.mailbox ? client.mailbox.path : ''}" after reading it (UNSELECT/CLOSE refused).`, { side: 'target' });
  }
}

/**
 * Reads the body hashes of `messages` in the target folder into `into`: EXAMINE, FETCHes of at
 * most `batchBytes` under the byte budget (hashBodies), then deselect, since Courier refuses an
 * APPEND into a mailbox the connection holds read-only.
 */
export async function hashTargetBodies(
  target: ImapFlow,
  folder: string,
  messages: ReadonlyArray<{ uid: number; size: number }>,
  into: Map<number, string>,
  batchBytes: number,
  budget?: ByteBudget,
): Promise<Map<number, string>> {
  await target.mailboxOpen(folder, { readOnly: true });
  try {
    for (const [uid, hash] of await hashBodies(target, messages, batchBytes, budget)) into.set(uid, hash);
  } finally {
    await deselect(target);
  }
  return into;
}
