import { skipIsFinal } from '../append-refusal';
import type { DeletedPolicy } from '../../../shared/migration';
import type { MessageOutcome, MessageRecord, StateStore } from '../state-store';
import type { UidlIds } from './uidl-ids';

/** What a store knew of one maildrop message: a row of the engine's table, without its fingerprint. */
export interface HandedMessage {
  outcome: MessageOutcome;
  /** Where the copy is in the target folder, when the target said. */
  targetUid: number | null;
  /** A skip's reason (only skips that are final travel). */
  reason: string | null;
}

/**
 * A maildrop's per-message rows as another state store had them (a queue worker's, brought by
 * the account's next pass: bridge/queue/handed-pop3.ts), by a tag of each message's UIDL key
 * (uidl-keys.ts) instead of the key itself: compact, and the tag is keyed, so only someone
 * holding the key can name a message settled.
 */
export interface HandedMessages {
  tagOf(key: string): string;
  settled: ReadonlyMap<string, HandedMessage>;
  /** Set once a pass has planned the maildrop with them: from then on this store's rows hold what they said. */
  planned?: boolean;
}

/**
 * The rows a handover may carry: copies, messages found present, and skips that are final
 * (the message itself was refused). A skip the next pass tries again stays out: adopted as
 * a row, it would leave the message out on the worker that adopts it, on every later pass too.
 */
export function handableRows(store: StateStore, ids: UidlIds, account: string, sourceFolder: string, uidValidity: number, deleted?: DeletedPolicy): Map<string, HandedMessage> {
  const byId = ids.keysById(account);
  const out = new Map<string, HandedMessage>();
  for (const [uid, row] of store.settledAbove(account, sourceFolder, uidValidity, 0)) {
    const key = byId.get(uid);
    if (key === undefined) continue;
    if (row.outcome === 'skipped' && !skipIsFinal(row.reason, deleted)) continue;
    out.set(key, { outcome: row.outcome, targetUid: row.targetUid, reason: row.outcome === 'skipped' ? (row.reason ?? null) : null });
  }
  return out;
}

/**
 * Takes over, for the messages the maildrop lists now, what a handover says another store had
 * settled, where this store has no row or only a skip it would try again (the other worker's
 * later pass copied that message since). A row of this store that settles the message stays:
 * it is at least as recent. Returns how many handed messages the listing did not name: deleted
 * on the source since, or listed under another UIDL now; their copies are somewhere in the
 * target folder, so the caller surveys all of it, as for its own rows of such messages.
 */
export function adoptHandedMessages(
  store: StateStore,
  account: string,
  sourceFolder: string,
  uidValidity: number,
  listed: ReadonlyArray<{ uid: number; key: string; size: number }>,
  handed: HandedMessages,
  deleted?: DeletedPolicy,
): { adopted: number; unmatched: number } {
  const own = store.settledAbove(account, sourceFolder, uidValidity, 0);
  const matched = new Set<string>();
  const rows: MessageRecord[] = [];
  for (const m of listed) {
    const tag = handed.tagOf(m.key);
    const h = handed.settled.get(tag);
    if (!h) continue;
    matched.add(tag);
    const row = own.get(m.uid);
    if (row && (row.outcome !== 'skipped' || skipIsFinal(row.reason, deleted))) continue;
    if (h.outcome === 'skipped' && !skipIsFinal(h.reason, deleted)) continue;
    rows.push({ uid: m.uid, fingerprint: '', outcome: h.outcome, targetUid: h.targetUid, size: m.size, reason: h.reason });
  }
  store.recordMessages(account, sourceFolder, uidValidity, rows);
  handed.planned = true;
  return { adopted: rows.length, unmatched: handed.settled.size - matched.size };
}
