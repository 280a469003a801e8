import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { openDatabase } from '../engine/sqlite-native';
import type { ByteBudget } from '../engine/byte-budget';
import { headerBlock, messageExactFingerprint, messageFingerprint, internalDateOf } from '../engine/pop3/headers';
import { uidlKeys } from '../engine/pop3/uidl-keys';
import { fitToListSize } from '../engine/pop3/migrate-pop3';
import type { Pop3Client } from '../engine/pop3/client';
import { bodyDigest, type BodyDigest } from './body-digest';
import type { FolderMeta, MessageMeta } from './folder-meta';
import { headerField } from './header-fields';

/** TOP with more lines than any message has: the whole message, without RETR (which marks it read on many servers). */
const TOP_WHOLE_MESSAGE = 999_999_999;

export interface Pop3Meta extends FolderMeta {
  /** report uid -> message number in this session */
  msgOf: Map<number, number>;
  sizeOf: Map<number, number>;
}

const UidlRow = z.object({ uidl: z.string(), id: z.number().int() });

/** The engine's id of each UIDL of the account (its `uid` in the state store), read-only; empty without a state file. */
function recordedIds(stateDir: string | undefined, account: string): Map<string, number> {
  const out = new Map<string, number>();
  const file = stateDir ? join(stateDir, 'mailmover.sqlite') : undefined;
  if (!file || !existsSync(file)) return out;
  const db = openDatabase(file, { readonly: true, fileMustExist: true });
  try {
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pop3_uidl'`).get()) return out;
    for (const row of db.prepare(`SELECT uidl, id FROM pop3_uidl WHERE account = ?`).all(account)) {
      const r = UidlRow.parse(row);
      out.set(r.uidl, r.id);
    }
  } finally {
    db.close();
  }
  return out;
}

/**
 * The maildrop's messages as verify compares them: UIDL, LIST size and the header (TOP n 0)
 * give the fingerprint the engine gave them; the date is the one the migration APPENDed
 * with (topmost Received:, else Date:); POP3 has no flags, so a copy is expected unread.
 * A message's `uid` is the engine's id for its UIDL when the migration recorded one (so
 * its recorded skips apply), else its message number in this session (moved above the
 * recorded ids when one of them is that number).
 */
export async function readPop3Meta(pop: Pop3Client, stateDir: string | undefined, account: string): Promise<Pop3Meta> {
  const ids = recordedIds(stateDir, account);
  const sizes = await pop.list();
  const messages: MessageMeta[] = [];
  const msgOf = new Map<number, number>();
  const sizeOf = new Map<number, number>();
  const listing = await pop.uidl();
  // A message without a recorded id is named by its number unless a recorded id already names
  // another message so (the store may know only some UIDLs, e.g. a queue coordinator's the
  // skipped ones): then above every recorded id and every number, so two messages never share a uid.
  const taken = new Set(ids.values());
  let above = listing.length;
  for (const id of taken) above = Math.max(above, id);
  // The keys the engine recorded: a UIDL, or for a UIDL the server repeats, UIDL and header
  // (those headers are read here once and kept for the loop below).
  const repeatedHeaders = new Map<number, Buffer>();
  const { keys } = await uidlKeys(listing, sizes, async (msg) => {
    const header = await pop.top(msg, 0);
    repeatedHeaders.set(msg, header);
    return headerBlock(header);
  });
  for (const [i, { msg }] of listing.entries()) {
    const size = sizes.get(msg);
    if (size === undefined) continue;
    const header = repeatedHeaders.get(msg) ?? (await pop.top(msg, 0));
    repeatedHeaders.delete(msg);
    const uid = ids.get(keys[i]!) ?? (taken.has(msg) ? above + msg : msg);
    const date = internalDateOf(header);
    const fp = messageFingerprint(header, size);
    const exact = messageExactFingerprint(header, size);
    messages.push({
      uid,
      fingerprint: fp,
      ...(exact !== fp ? { exact } : {}),
      size,
      flags: [],
      // 'now' means the migration used the time of the copy: nothing to compare against.
      internalDate: date.source === 'now' ? new Date(Number.NaN) : date.date,
      messageId: headerField(header, 'message-id'),
      subject: headerField(header, 'subject'),
    });
    msgOf.set(uid, msg);
    sizeOf.set(uid, size);
  }
  return { uidValidity: 0, permanentFlags: undefined, messages: messages.sort((a, b) => a.uid - b.uid), msgOf, sizeOf };
}

/** --deep for a POP3 source: each body by TOP (one message at a time, so within any budget), hashed as the engine would have appended it. */
export async function pop3BodyHashes(pop: Pop3Client, meta: Pop3Meta, uids: number[], budget: ByteBudget): Promise<Map<number, BodyDigest>> {
  const out = new Map<number, BodyDigest>();
  for (const uid of uids) {
    const msg = meta.msgOf.get(uid);
    const size = meta.sizeOf.get(uid);
    if (msg === undefined || size === undefined) continue;
    const release = await budget.acquire(size * 2);
    try {
      out.set(uid, bodyDigest(fitToListSize(await pop.top(msg, TOP_WHOLE_MESSAGE), size)));
    } finally {
      release();
    }
  }
  return out;
}
