import { createHmac } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DeletedPolicy } from '../../shared/migration';
import { handableRows, type HandedMessage, type HandedMessages } from '../engine/pop3/handed-messages';
import { POP3_SOURCE_FOLDER, POP3_UID_VALIDITY } from '../engine/pop3/pop3-source';
import { UidlIds } from '../engine/pop3/uidl-ids';
import { openStateFile } from '../engine/sqlite-file';
import type { StateStore } from '../engine/state-store';
import type { ClusterKey } from './cluster-key';
import { decodeHandedMessages, encodeHandedMessages } from './pop3-handover-codec';
import { Pop3HandoverSchema, type Pop3Handover } from './protocol';

/**
 * The POP3 counterpart of handed-checkpoints.ts. A maildrop has no UID order: a checkpoint
 * cannot say what was copied, the per-message rows (by UIDL) do, and they stay in the state
 * store of the worker that ran the pass. A pass on another worker found the earlier copies
 * by scanning the target folder, so a copy the employee had deleted or filed into a folder
 * of their own in the new mailbox meanwhile was copied again. So the rows travel like the
 * checkpoints: each worker returns them with its result, the coordinator keeps the latest
 * here, the account's next pass carries them, and the worker that takes it adopts them for
 * the messages the maildrop lists (handed-messages.ts).
 *
 * A row travels as a tag of the message's UIDL key, an HMAC under a key derived from the
 * cluster key: 8 bytes whatever the UIDL's length, no UIDL in Redis, and a tag someone
 * able to write to Redis (without the cluster key) makes up names no message, so they
 * cannot make a worker leave mail out. Skips a pass tries again never travel.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_pop3_rows (
  account TEXT NOT NULL PRIMARY KEY,
  handover TEXT NOT NULL
);
`;

/** The tag of one UIDL key of an account: the account is in it, so a handover names no message of another. */
export function pop3Tagger(key: ClusterKey, account: string): (uidlKey: string) => string {
  const tagKey = createHmac('sha256', key.key).update('mailmover pop3 handover tags').digest();
  return (uidlKey) => createHmac('sha256', tagKey).update(account).update('\0').update(uidlKey).digest('hex').slice(0, 16);
}

/**
 * The worker's side, after the pass: its store's rows of the account, as they travel. Handed
 * rows the pass never got to adopt (it failed before it listed the maildrop) go on with them,
 * so a failed pass does not make the next worker forget them. Undefined when the maildrop is
 * too big for a handover.
 */
export function pop3HandoverOf(store: StateStore, account: string, key: ClusterKey, handed?: HandedMessages, deleted?: DeletedPolicy): Pop3Handover | undefined {
  const tagOf = pop3Tagger(key, account);
  const ids = UidlIds.forStore(store);
  let rows: Map<string, HandedMessage>;
  try {
    rows = handableRows(store, ids, account, POP3_SOURCE_FOLDER, POP3_UID_VALIDITY, deleted);
  } finally {
    ids.close();
  }
  const tagged = new Map<string, HandedMessage>();
  for (const [uidlKey, row] of rows) tagged.set(tagOf(uidlKey), row);
  if (handed && !handed.planned) {
    for (const [tag, row] of handed.settled) if (!tagged.has(tag)) tagged.set(tag, row);
  }
  const packed = encodeHandedMessages(tagged);
  return packed && { keyId: key.id, ...packed };
}

/**
 * The worker's side, before the pass: the handover as the engine takes it (Pop3MigrateHooks.handed);
 * undefined when it was made under another cluster key (its tags would name nothing here).
 * Throws on a handover that does not decode.
 */
export function handedMessagesOf(handover: Pop3Handover, key: ClusterKey, account: string): HandedMessages | undefined {
  if (handover.keyId !== key.id) return undefined;
  return { tagOf: pop3Tagger(key, account), settled: decodeHandedMessages(handover) };
}

function open(store: StateStore): Database.Database {
  return openStateFile(store.file, SCHEMA);
}

/** The coordinator's side: a worker's rows replace the ones kept for the account. */
export function keepPop3Handover(store: StateStore, account: string, handover: Pop3Handover): void {
  const db = open(store);
  try {
    db.prepare(`INSERT INTO queue_pop3_rows (account, handover) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET handover = excluded.handover`).run(account, JSON.stringify(handover));
  } finally {
    db.close();
  }
}

/** What the account's next pass takes along, if anything. */
export function handedPop3(store: StateStore, account: string): Pop3Handover | undefined {
  const db = open(store);
  try {
    const row = db.prepare(`SELECT handover FROM queue_pop3_rows WHERE account = ?`).get(account) as { handover: string } | undefined;
    if (!row) return undefined;
    const parsed = Pop3HandoverSchema.safeParse(JSON.parse(row.handover));
    return parsed.success ? parsed.data : undefined;
  } finally {
    db.close();
  }
}
