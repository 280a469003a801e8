import type { ImapFlow } from 'imapflow';
import type { ByteBudget } from './byte-budget';
import type { TargetFree } from './source-driver';
import { hashTargetBodies } from './target-scan';
import type { StoredTargetSurvey } from './target-survey';

/** A source message without a Message-ID that its fingerprint alone may not be matched by. */
export interface Unidentified {
  uid: number;
  size: number;
  fingerprint: string;
  exactFingerprint: string;
}

export interface ContentMatchOptions {
  /** The target folder the survey is of. */
  targetFolder: string;
  /** Before the last window a loose match takes only a copy without 8-bit header bytes (plan-folder.ts). */
  looseWithoutEightBit: boolean;
  /** Bytes of bodies one FETCH reads at most (the job's chunk size). */
  batchBytes: number;
  budget?: ByteBudget;
  /** Awaited before the target folder is opened (see TargetFree). */
  targetFree?: TargetFree;
}

/**
 * Which of `messages` (source messages without a Message-ID) are already on the target:
 * a surveyed target message with the same fingerprint AND the same body hash. Date, From,
 * Subject and size alone confuse two messages a robot sent in one second with bodies of
 * one length; matched by fingerprint, one was taken for the other's copy and never copied
 * (lost) while the other was copied twice.
 *
 * Each match takes its target entry out of the survey, so a group is matched as a multiset
 * of hashes: n identical messages on the source take at most n copies, and a source message
 * whose body is not among the candidates is copied.
 *
 * Cost: bodies are read only for messages whose fingerprint has an unclaimed candidate on
 * the target (mail copied by hand, or the crash window of an interrupted run), each once
 * (target hashes are kept in the survey for later windows), in FETCHes of at most
 * `batchBytes` under the byte budget. Messages with a Message-ID are never read here.
 * `sourceHashes` gives the source side's hashes (a FETCH, or bodies already in memory).
 *
 * Returns source UID -> target UID for the matches.
 */
export async function matchByContent(
  target: ImapFlow,
  survey: StoredTargetSurvey,
  messages: readonly Unidentified[],
  sourceHashes: (wanted: readonly Unidentified[]) => Promise<Map<number, string>>,
  opts: ContentMatchOptions,
): Promise<Map<number, number>> {
  const matched = new Map<number, number>();
  const exactOf = new Map<number, number[]>();
  const looseOf = new Map<number, number[]>();
  const wanted: Unidentified[] = [];
  const targetSize = new Map<number, number>();
  for (const m of messages) {
    const exact = survey.candidates('exact', m.exactFingerprint);
    const loose = survey.candidates('loose', m.fingerprint, opts.looseWithoutEightBit).filter((uid) => !exact.includes(uid));
    if (exact.length === 0 && loose.length === 0) continue;
    exactOf.set(m.uid, exact);
    looseOf.set(m.uid, loose);
    wanted.push(m);
    for (const uid of [...exact, ...loose]) targetSize.set(uid, m.size);
  }
  if (wanted.length === 0) return matched;

  const fromSource = await sourceHashes(wanted);
  const unread = [...targetSize].filter(([uid]) => !survey.bodyHashes.has(uid)).map(([uid, size]) => ({ uid, size }));
  if (unread.length > 0) {
    await opts.targetFree?.();
    await hashTargetBodies(target, opts.targetFolder, unread, survey.bodyHashes, opts.batchBytes, opts.budget);
  }

  // Exact-fingerprint candidates first for every message, as plain matching does: a loose
  // match must not take a copy another message matches byte for byte.
  for (const pass of [exactOf, looseOf]) {
    for (const m of wanted) {
      if (matched.has(m.uid)) continue;
      const hash = fromSource.get(m.uid);
      if (hash === undefined) continue;
      const uid = pass.get(m.uid)!.find((t) => survey.bodyHashes.get(t) === hash && survey.takeUid(t));
      if (uid !== undefined) matched.set(m.uid, uid);
    }
  }
  return matched;
}
