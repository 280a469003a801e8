import type { ImapFlow } from 'imapflow';
import type { ByteBudget } from './byte-budget';
import type { ListedStatus } from './discover';
import { MigrationError } from './errors';
import { FINGERPRINT_HEADERS, exactFingerprint, fingerprint } from './fingerprint';
import type { FolderCheckpoint, StateStore, UnplacedCopy } from './state-store';
import type { TargetFree } from './source-driver';
import { surveyStart } from './survey-start';
import { deselect, hashTargetBodies } from './target-scan';
import { ourUnplacedCopies } from './unplaced-copies';

/** How a survey reads target bodies when it must (unplaced-copies.ts): FETCHes of at most `batchBytes`, under the pass's budget. */
export interface SurveyBodyReads {
  batchBytes: number;
  budget?: ByteBudget;
}

export type TargetFolderStatus = Awaited<ReturnType<ImapFlow['status']>>;

/**
 * The STATUS a survey starts from. Asked for ahead of the survey, it travels on the target
 * connection while the source connection fetches the folder's metadata: one round trip
 * less per folder planned. A rejection is handled here and thrown again where awaited.
 */
export function targetFolderStatus(target: ImapFlow, folder: string): Promise<TargetFolderStatus> {
  const asked = target.status(folder, { uidNext: true, uidValidity: true, messages: true });
  asked.catch(() => undefined);
  return asked;
}

/**
 * The STATUS a survey starts from, out of the target's listing (target-statuses.ts) when
 * that listing has the folder, else asked now (targetFolderStatus).
 */
export function listedOrAsked(target: ImapFlow, folder: string, listed: Promise<ListedStatus | undefined> | undefined): Promise<TargetFolderStatus> {
  if (!listed) return targetFolderStatus(target, folder);
  const status = listed.then((l) => (l ? { path: folder, messages: l.messages, uidNext: l.uidNext, uidValidity: BigInt(l.uidValidity) } : targetFolderStatus(target, folder)));
  status.catch(() => undefined);
  return status;
}

/** Bytes of target bodies one FETCH reads at most when the caller names none (the default chunk size). */
const DEFAULT_BATCH_BYTES = 2 * 1024 * 1024;

/** Target entries written to the state store per transaction while the scan streams. */
const SURVEY_BATCH = 1000;

/**
 * surveyTarget (target-scan.ts) for a folder planned in windows: the target folder's
 * messages that might already be copies of source messages (above the last complete
 * pass, or from UID 1; none of our rows accounts for them) go into the state store's
 * `target_survey` table instead of an in-memory index, so a target folder of any size
 * costs a bounded batch of memory. Every window of the folder's pass matches against the
 * same survey, each match taking its entry out, so one target copy answers for one
 * source message only.
 */
export class StoredTargetSurvey {
  private left = 0;
  /** The target folder's UIDNEXT when it was surveyed. */
  uidNext: number | undefined;

  private constructor(
    private readonly store: StateStore,
    private readonly account: string,
    private readonly sourceFolder: string,
  ) {}

  static async take(
    target: ImapFlow,
    store: StateStore,
    account: string,
    mapping: { source: string; target: string },
    cp: FolderCheckpoint,
    scanWholeTarget: boolean,
    /** The target folder's STATUS when the caller already asked for it (targetFolderStatus). */
    asked?: Promise<TargetFolderStatus>,
    /** Awaited before the folder is opened: a STATUS needs no folder of its own, the scan does. */
    targetFree?: TargetFree,
    reads: SurveyBodyReads = { batchBytes: DEFAULT_BATCH_BYTES },
  ): Promise<StoredTargetSurvey> {
    const survey = new StoredTargetSurvey(store, account, mapping.source);
    store.clearSurvey(account, mapping.source);
    // imapflow answers a refused STATUS with false (the server's reason only goes to its
    // log). One refusal of a folder that exists was seen in about 60 bench runs over the
    // link, where the whole account was then retried: the STATUS is asked once more first.
    const status = (await asked?.catch(() => false as const)) || (await targetFolderStatus(target, mapping.target));
    if (!status) throw new MigrationError('TARGET_REFUSED', `The target refused STATUS for folder "${mapping.target}"; the account is retried.`, { side: 'target' });
    survey.uidNext = status.uidNext;
    const { from, unplaced } = surveyStart(store, account, mapping.source, cp, scanWholeTarget, status);
    if ((status.messages ?? 0) > 0 && (status.uidNext ?? Infinity) > from) {
      await targetFree?.();
      await scanIntoStore(target, store, account, mapping, from);
      await survey.dropOurs(target, mapping.target, from, unplaced, reads);
    }
    return survey;
  }

  /**
   * A survey of the target folder's messages from `fromUid` on that none of the folder's
   * rows accounts for (from UID 1 when copies without a known target UID exist: they may
   * sit anywhere), for a second look after the folder's pass (late-appends.ts).
   */
  static async since(
    target: ImapFlow,
    store: StateStore,
    account: string,
    mapping: { source: string; target: string },
    uidValidity: number,
    fromUid: number,
    reads: SurveyBodyReads = { batchBytes: DEFAULT_BATCH_BYTES },
  ): Promise<StoredTargetSurvey> {
    const survey = new StoredTargetSurvey(store, account, mapping.source);
    store.clearSurvey(account, mapping.source);
    const unplaced = store.unplacedCopies(account, mapping.source, uidValidity);
    const from = unplaced.length > 0 ? 1 : fromUid;
    await scanIntoStore(target, store, account, mapping, from);
    await survey.dropOurs(target, mapping.target, from, unplaced, reads);
    return survey;
  }

  /**
   * Takes out of the freshly scanned survey what our rows account for: the target UIDs they
   * name, and our copies whose target UID the server never said (unplaced-copies.ts; the
   * bodies it reads stay in bodyHashes for content-match.ts).
   */
  private async dropOurs(target: ImapFlow, targetFolder: string, from: number, unplaced: readonly UnplacedCopy[], reads: SurveyBodyReads): Promise<void> {
    this.left = this.store.dropRecordedFromSurvey(this.account, this.sourceFolder, from);
    const ours = await ourUnplacedCopies(unplaced, (fp) => this.candidates('loose', fp), (messages) =>
      hashTargetBodies(target, targetFolder, messages, this.bodyHashes, reads.batchBytes, reads.budget),
    );
    for (const uid of ours) this.takeUid(uid);
  }

  /** Whether any surveyed message is still unclaimed (when none is, matching costs nothing). */
  get empty(): boolean {
    return this.left === 0;
  }

  /** Takes an occurrence whose header bytes were stored as they are. */
  takeExact(exact: string): number | undefined {
    return this.claimed(this.left > 0 ? this.store.takeFromSurvey(this.account, this.sourceFolder, 'exact', exact) : undefined);
  }

  /**
   * Takes an occurrence that matches only with 8-bit header bytes counted as 'X'.
   * `withoutEightBit`: only a copy whose headers hold no 8-bit byte (what a target that
   * replaces them, like Cyrus, stores). A copy that kept its 8-bit bytes is left for a
   * later window, whose source message may match it byte for byte.
   */
  takeLoose(fp: string, withoutEightBit: boolean): number | undefined {
    return this.claimed(this.left > 0 ? this.store.takeFromSurvey(this.account, this.sourceFolder, 'loose', fp, withoutEightBit) : undefined);
  }

  /**
   * Unclaimed target UIDs with this fingerprint, lowest first, left in the survey
   * (content-match.ts takes one only once its body hash is confirmed).
   */
  candidates(by: 'exact' | 'loose', fp: string, withoutEightBit = false): number[] {
    return this.left > 0 ? this.store.surveyCandidates(this.account, this.sourceFolder, by, fp, withoutEightBit) : [];
  }

  /** Takes this target UID out of the survey; whether it was still unclaimed. */
  takeUid(targetUid: number): boolean {
    if (this.left === 0 || !this.store.takeSurveyUid(this.account, this.sourceFolder, targetUid)) return false;
    this.left--;
    return true;
  }

  /** Body hashes of target candidates already read in this survey (content-match.ts), so a later window reads none twice. */
  readonly bodyHashes = new Map<number, string>();

  /** Forgets the survey (the folder's last window is planned). */
  clear(): void {
    if (this.left > 0) this.store.clearSurvey(this.account, this.sourceFolder);
    this.left = 0;
  }

  private claimed(uid: number | undefined): number | undefined {
    if (uid !== undefined) this.left--;
    return uid;
  }
}

/**
 * Streams the fingerprints of a target folder's messages from `fromUid` on into the
 * survey table, a batch at a time. EXAMINE, then deselect again: Courier-IMAP refuses
 * APPEND into the mailbox a connection holds read-only, and the same connection appends.
 */
async function scanIntoStore(target: ImapFlow, store: StateStore, account: string, mapping: { source: string; target: string }, fromUid: number): Promise<void> {
  await target.mailboxOpen(mapping.target, { readOnly: true });
  try {
    let batch: Array<{ uid: number; fingerprint: string; exactFingerprint: string }> = [];
    for await (const msg of target.fetch(`${fromUid}:*`, { uid: true, size: true, headers: [...FINGERPRINT_HEADERS] }, { uid: true })) {
      // `N:*` returns the highest message even when its UID is below N (RFC 3501 6.4.8).
      if (msg.uid < fromUid) continue;
      const size = msg.size ?? 0;
      batch.push({ uid: msg.uid, fingerprint: fingerprint(msg.headers, size), exactFingerprint: exactFingerprint(msg.headers, size) });
      if (batch.length >= SURVEY_BATCH) {
        store.addToSurvey(account, mapping.source, batch);
        batch = [];
      }
    }
    if (batch.length) store.addToSurvey(account, mapping.source, batch);
  } finally {
    await deselect(target);
  }
}
