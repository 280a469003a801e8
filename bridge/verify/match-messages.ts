import type { ChangeKind } from '../../shared/verify';
import type { DeletedPolicy } from '../../shared/migration';
import { isDeleted } from '../engine/flags';
import { dateAtRisk } from '../engine/stored-dates';
import { expectedFlags, sameFlags, storedFlags } from './flag-compare';
import type { MessageMeta } from './folder-meta';

export interface MatchOptions {
  since?: Date;
  deleted: DeletedPolicy;
  /** keywords the target folder can store (flag-compare.ts keywordFilter) */
  keywordOk: (keyword: string) => boolean;
  /** source UID -> reason, for messages the migration recorded as skipped */
  recordedSkips: ReadonlyMap<number, string>;
}

export interface Pair {
  source: MessageMeta;
  target: MessageMeta;
  /** empty when the metadata agrees; the deep pass may still add 'body' */
  what: ChangeKind[];
  /**
   * The copy's date differs from a source date a target may not keep (before 1970, or ahead of
   * now: stored-dates.ts dateAtRisk). The pass said so (DATE_CHANGED), and copying again gives
   * the same date: a known difference the target imposes, listed but not counted (not in `what`).
   */
  dateImposed?: boolean;
  sourceFlags: string[];
  targetFlags: string[];
}

export interface FolderMatch {
  /** same fingerprint on both sides, paired one to one (n on the source take n on the target) */
  pairs: Pair[];
  /** same Message-ID but another fingerprint (size or Date/From/Subject): the copy's content differs */
  bodyChanged: Pair[];
  missing: MessageMeta[];
  extra: MessageMeta[];
  skipped: Array<{ meta: MessageMeta; reason: string }>;
  outOfScope: number;
}

/**
 * Matches one folder's source messages to the target folder's, independently of what the
 * migration recorded: by fingerprint, as multisets, so a message the source holds twice must
 * be on the target twice. Within a fingerprint the pairs with equal flags and date are made
 * first, so that only real differences are reported. Nothing here talks to a server.
 */
export function matchMessages(source: MessageMeta[], target: MessageMeta[], opts: MatchOptions): FolderMatch {
  const expected = new Map<MessageMeta, string[]>(source.map((m) => [m, expectedFlags(m.flags, opts.deleted, opts.keywordOk)]));
  const stored = new Map<MessageMeta, string[]>(target.map((m) => [m, storedFlags(m.flags, opts.keywordOk)]));
  const skipReason = (m: MessageMeta): string | undefined =>
    opts.recordedSkips.get(m.uid) ?? (opts.deleted === 'skip' && isDeleted(m.flags) ? 'flagged \\Deleted on the source (--deleted skip)' : undefined);
  const expectedThere = (m: MessageMeta) => skipReason(m) === undefined && !(opts.since && m.internalDate < opts.since);
  const pair = (s: MessageMeta, t: MessageMeta, body: boolean): Pair => {
    const sf = expected.get(s)!;
    const tf = stored.get(t)!;
    const what: ChangeKind[] = [];
    if (body) what.push('body');
    if (!sameFlags(sf, tf)) what.push('flags');
    // NaN: a date the source cannot give (a POP3 message without Received: or Date: was copied with the time of the copy).
    const dateDiffers = !Number.isNaN(s.internalDate.getTime()) && s.internalDate.getTime() !== t.internalDate.getTime();
    const dateImposed = dateDiffers && dateAtRisk(s.internalDate);
    if (dateDiffers && !dateImposed) what.push('date');
    return { source: s, target: t, what, sourceFlags: sf, targetFlags: tf, ...(dateImposed ? { dateImposed } : {}) };
  };

  const groups = new Map<string, { src: MessageMeta[]; tgt: MessageMeta[] }>();
  const group = (fp: string) => {
    let g = groups.get(fp);
    if (!g) groups.set(fp, (g = { src: [], tgt: [] }));
    return g;
  };
  for (const m of source) group(m.fingerprint).src.push(m);
  for (const m of target) group(m.fingerprint).tgt.push(m);

  const pairs: Pair[] = [];
  const leftSrc: MessageMeta[] = [];
  const leftTgt: MessageMeta[] = [];
  const sameExact = (s: MessageMeta, t: MessageMeta) => (s.exact ?? s.fingerprint) === (t.exact ?? t.fingerprint);
  const sameMeta = (s: MessageMeta, t: MessageMeta) =>
    (Number.isNaN(s.internalDate.getTime()) || s.internalDate.getTime() === t.internalDate.getTime()) && sameFlags(expected.get(s)!, stored.get(t)!);
  // Best pairs first: same bytes in the header and same flags and date, then either.
  const passes = [(s: MessageMeta, t: MessageMeta) => sameExact(s, t) && sameMeta(s, t), sameExact, sameMeta];
  for (const g of groups.values()) {
    const tgt = [...g.tgt];
    // Sources that should be on the target take copies before skipped ones do, so a shortfall
    // is reported against the message the migration left out on purpose.
    const first = (a: MessageMeta, b: MessageMeta) => Number(expectedThere(b)) - Number(expectedThere(a)) || a.uid - b.uid;
    let rest: MessageMeta[] = [...g.src].sort(first);
    for (const ok of passes) {
      const left: MessageMeta[] = [];
      for (const s of rest) {
        const i = tgt.findIndex((t) => ok(s, t));
        if (i >= 0) pairs.push(pair(s, tgt.splice(i, 1)[0]!, false));
        else left.push(s);
      }
      rest = left;
    }
    for (const s of rest) {
      const t = tgt.shift();
      if (t) pairs.push(pair(s, t, false));
      else leftSrc.push(s);
    }
    leftTgt.push(...tgt);
  }

  // What is left on both sides with one Message-ID is one message whose copy was altered.
  const byId = new Map<string, MessageMeta[]>();
  for (const t of leftTgt) if (t.messageId) byId.set(t.messageId, [...(byId.get(t.messageId) ?? []), t]);
  const bodyChanged: Pair[] = [];
  const unpairedSrc: MessageMeta[] = [];
  const takenTgt = new Set<MessageMeta>();
  for (const s of leftSrc.sort((a, b) => a.uid - b.uid)) {
    const t = s.messageId && expectedThere(s) ? byId.get(s.messageId)?.shift() : undefined;
    if (t) {
      takenTgt.add(t);
      bodyChanged.push(pair(s, t, true));
    } else unpairedSrc.push(s);
  }

  const out: FolderMatch = { pairs, bodyChanged, missing: [], extra: [], skipped: [], outOfScope: 0 };
  for (const s of unpairedSrc) {
    const reason = skipReason(s);
    if (reason !== undefined) out.skipped.push({ meta: s, reason });
    else if (opts.since && s.internalDate < opts.since) out.outOfScope++;
    else out.missing.push(s);
  }
  out.extra = leftTgt.filter((t) => !takenTgt.has(t)).sort((a, b) => a.uid - b.uid);
  out.pairs.sort((a, b) => a.source.uid - b.source.uid);
  return out;
}
