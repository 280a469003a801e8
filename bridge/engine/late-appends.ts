import type { ImapFlow } from 'imapflow';
import { setTimeout as sleep } from 'node:timers/promises';
import { appendFetched, readBackCopies } from './copy-chunk';
import { stoppedError } from './errors';
import type { FolderRun } from './folder-run';
import { headerBlock, messageExactFingerprint } from './pop3/headers';
import type { MessageRecord, StateStore } from './state-store';
import { StoredTargetSurvey } from './target-survey';
import { bodyHash, hasMessageId } from './body-hash';
import type { ByteBudget } from './byte-budget';
import { matchByContent } from './content-match';

/**
 * After its last APPEND to a folder a pass waits this long (at most lateAppendMs) before it
 * looks for held messages there: a server session that waits for the folder's lock
 * (Courier-IMAP's maildir lock, tried again once a second: maildirlock.c) gets it once the
 * pass's own sessions stop taking it.
 */
export const AFTER_LAST_APPEND_MS = 2000;

/**
 * When a command marked at `markedAt` had reached the server at the latest, over an uplink no
 * slower than `bytesPerS` (MigrationOptions.lateAppendUplinkBytesPerS): a killed process's
 * command still in its kernel's send buffer (up to a few MB) goes on to the server after the
 * process is gone, at the speed of the link.
 */
export function drainedBy(mark: { markedAt: number; commandBytes: number }, bytesPerS: number): number {
  return mark.markedAt + Math.ceil((mark.commandBytes * 1000) / bytesPerS);
}

/**
 * Messages whose APPEND went out when the connection (or the process) ended before the
 * answer came back (StateStore.markAppending) may be on the target, and may still arrive
 * there later: a server stores what it read whole whether or not the client is still
 * there to hear it, and Courier-IMAP gives an APPENDed message its place in the folder
 * only once its session holds the folder's lock (imapscanclient.c), which a session of a
 * killed client was seen to get 0.7 to 2.9 s after the client died. Copying such a message
 * again as soon as it is not seen doubles it when it arrives after the look.
 *
 * So a pass holds them back (appendFetched) until the rest of the folder is settled, and
 * until `lateAppendMs` after the pass began (a retry or a new run begins after the cut) and
 * after the command could have reached the server over a slow uplink (drainedBy),
 * then looks for them among the target messages no row accounts for, from `fromUid` (the
 * target folder's UIDNEXT when this run first planned it: a late copy is stored above it).
 * Found ones are recorded as copied; the others are APPENDed now.
 */
export async function recheckHeld(
  target: ImapFlow,
  store: StateStore,
  account: string,
  run: FolderRun,
  opts: {
    passStart: number;
    lateAppendMs: number;
    fromUid: number | undefined;
    signal?: AbortSignal;
    lastChance?: boolean;
    sendAlone?: Set<string>;
    /** Bytes one FETCH of target bodies reads at most (content-match.ts). */
    batchBytes?: number;
    /**
     * The pass's byte budget. Target bodies read to confirm a match (content-match.ts,
     * unplaced-copies.ts) are held under it, as a plan's are: a folder with many held
     * messages and many look-alikes on the target holds no more than the budget allows.
     */
    budget?: ByteBudget;
  },
): Promise<void> {
  run.recheckStarted = true;
  // lateAppendMs after the later of: the pass's start (after the cut), and the moment the
  // biggest unanswered command had reached the server even over a slow uplink.
  const wait = Math.max(Math.max(opts.passStart, run.uncertainSentBy) + opts.lateAppendMs - Date.now(), Math.min(AFTER_LAST_APPEND_MS, opts.lateAppendMs));
  try {
    await sleep(wait, undefined, { signal: opts.signal });
  } catch {
    throw stoppedError();
  }
  const held = run.held.splice(0);
  // What is sent from here on is sent by this pass: not held again.
  const marked = run.uncertain;
  run.uncertain = new Set();
  const reads = { batchBytes: opts.batchBytes ?? 2 * 1024 * 1024, budget: opts.budget };
  const survey = await StoredTargetSurvey.since(target, store, account, { source: run.source, target: run.target }, run.uidValidity, opts.fromUid ?? 1, reads);
  const found: Array<{ h: (typeof held)[number]; targetUid: number }> = [];
  const missing: typeof held = [];
  try {
    // Only a message sent without an answer can be there: one held with them after a refusal (copy-chunk.ts) was answered.
    const sent = survey.empty ? [] : held.filter((h) => marked.has(h.uid));
    // Without a Message-ID the fingerprint may be another message's (content-match.ts): matched
    // by body hash too, the body being in memory already; only the target candidates are read.
    const unidentified = sent.filter((h) => !hasMessageId(headerBlock(h.item.raw)));
    const rawOf = new Map(unidentified.map((h) => [h.uid, h.item.raw]));
    const byContent = await matchByContent(
      target,
      survey,
      unidentified.map((h) => ({ uid: h.uid, size: h.size, fingerprint: h.fingerprint, exactFingerprint: messageExactFingerprint(headerBlock(h.item.raw), h.size) })),
      async (wanted) => new Map(wanted.map((w) => [w.uid, bodyHash(rawOf.get(w.uid)!)])),
      { targetFolder: run.target, looseWithoutEightBit: false, ...reads },
    );
    for (const h of held) {
      const targetUid = rawOf.has(h.uid)
        ? byContent.get(h.uid)
        : survey.empty || !marked.has(h.uid)
          ? undefined
          : (survey.takeExact(messageExactFingerprint(headerBlock(h.item.raw), h.size)) ?? survey.takeLoose(h.fingerprint, false));
      if (targetUid === undefined) missing.push(h);
      else found.push({ h, targetUid });
    }
  } finally {
    survey.clear();
  }
  const records: MessageRecord[] = found.map(({ h, targetUid }) => ({ uid: h.uid, fingerprint: h.fingerprint, outcome: 'copied', targetUid, size: h.size }));
  // In the folder's order, as their chunks had them: a refusal for now is judged by the message after it (append-messages.ts).
  missing.sort((a, b) => a.uid - b.uid);
  await appendFetched(target, run, { items: missing, settled: records, warnings: [] }, { lastChance: opts.lastChance, sendAlone: opts.sendAlone });
  // A copy found here is one the pass sent: read back as the copies appendFetched makes.
  await readBackCopies(target, run, found.map(({ h, targetUid }) => ({ uid: h.uid, targetUid, item: h.item })));
}
