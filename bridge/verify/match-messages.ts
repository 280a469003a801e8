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
  /**
   * --deep: the body digest (body-digest.ts `normalised`) of messages whose fingerprint several
   * messages share, undefined for the others. Such messages are matched by fingerprint and body
   * as a multiset; one whose body matches none is the only kind reported as a changed body.
   */
  bodyKey?: (m: MessageMeta) => string | undefined;
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
  /**
   * Metadata only: several messages without a Message-ID share this fingerprint on one side, and
   * their bodies were not compared, so which copy belongs to which source message is a guess: a
   * flags or date difference here may as well be one message missing and another one doubled.
   */
  ambiguous?: boolean;
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
    return { source: s, target: t, what, sourceFlags: sf, targetFlags: tf, ...(dateImposed ? { dateImposed } : {}), ...(!body && guessed(s, t) ? { ambiguous: true } : {}) };
  };

  const groups = new Map<string, { src: MessageMeta[]; tgt: MessageMeta[] }>();
  const group = (fp: string) => {
    let g = groups.get(fp);
    if (!g) groups.set(fp, (g = { src: [], tgt: [] }));
    return g;
  };
  const bodyKey = opts.bodyKey ?? (() => undefined);
  const keyOf = (m: MessageMeta) => {
    const b = bodyKey(m);
    return b === undefined ? m.fingerprint : `${m.fingerprint}\u0000${b}`;
  };
  for (const m of source) group(keyOf(m)).src.push(m);
  for (const m of target) group(keyOf(m)).tgt.push(m);
  // How many messages share each fingerprint on either side, for the ambiguity of a metadata pairing.
  const shared = new Map<string, number>();
  for (const m of source) shared.set(`s${m.fingerprint}`, (shared.get(`s${m.fingerprint}`) ?? 0) + 1);
  for (const m of target) shared.set(`t${m.fingerprint}`, (shared.get(`t${m.fingerprint}`) ?? 0) + 1);
  const guessed = (s: MessageMeta, t: MessageMeta) =>
    // The counts first: a Message-ID is decoded only for the few messages that share a fingerprint.
    ((shared.get(`s${s.fingerprint}`) ?? 0) > 1 || (shared.get(`t${t.fingerprint}`) ?? 0) > 1) && bodyKey(s) === undefined && s.messageId === null && t.messageId === null;

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

  const bodyChanged: Pair[] = [];
  const takenTgt = new Set<MessageMeta>();
  // --deep, a fingerprint several messages share: what is left on both sides with that
  // fingerprint, read and with bodies that match nothing, is a copy whose body was altered. A
  // copy whose body is another source message's of that fingerprint is a surplus copy of that
  // one (extra), not the altered copy of this one: the source message is missing.
  const bodiesOf = new Set<string>();
  for (const s of source) if (bodyKey(s) !== undefined) bodiesOf.add(keyOf(s));
  const byFp = new Map<string, MessageMeta[]>();
  for (const t of leftTgt) if (bodyKey(t) !== undefined && !bodiesOf.has(keyOf(t))) byFp.set(t.fingerprint, [...(byFp.get(t.fingerprint) ?? []), t]);
  const leftSrcAfterBodies: MessageMeta[] = [];
  for (const s of leftSrc.sort((a, b) => a.uid - b.uid)) {
    const t = bodyKey(s) !== undefined && expectedThere(s) ? byFp.get(s.fingerprint)?.shift() : undefined;
    if (t) {
      takenTgt.add(t);
      bodyChanged.push(pair(s, t, true));
    } else leftSrcAfterBodies.push(s);
  }
  // What is left on both sides with one Message-ID is one message whose copy was altered.
  const byId = new Map<string, MessageMeta[]>();
  for (const t of leftTgt) if (t.messageId && !takenTgt.has(t)) byId.set(t.messageId, [...(byId.get(t.messageId) ?? []), t]);
  const unpairedSrc: MessageMeta[] = [];
  for (const s of leftSrcAfterBodies) {
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
