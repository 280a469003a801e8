import { z } from 'zod';
import { AccountProgressSchema, AccountResultSchema, MigrationOptionsSchema } from '../../shared/migration';
import { FolderStateSchema } from '../../shared/protocol/account';
import { EndpointSchema } from '../engine/endpoint';

/**
 * What goes through Redis between whoever enqueues accounts (the CLI batch, the bridge
 * service as coordinator) and the workers. Bump QUEUE_PROTOCOL_VERSION on any change a
 * worker of the other version would misread: workers refuse payloads of another version.
 */
// 2: the sealed credentials also authenticate both sides' server settings (a job pointed at another
// server in Redis does not open).
export const QUEUE_PROTOCOL_VERSION = 2;

/** An endpoint without its login secret: that travels sealed (payload-crypto.ts). */
export const PublicEndpointSchema = EndpointSchema.omit({ auth: true });
export type PublicEndpoint = z.infer<typeof PublicEndpointSchema>;

/** JSON carries the since date as a string. */
export const QueuedOptionsSchema = MigrationOptionsSchema.extend({ since: z.coerce.date().optional() });

export const SealedSchema = z.object({
  iv: z.string().min(1),
  tag: z.string().min(1),
  data: z.string().min(1),
});
export type Sealed = z.infer<typeof SealedSchema>;

/** A folder checkpoint of an account as it travels between workers (handed-checkpoints.ts). */
export const CheckpointRecordSchema = z.object({
  sourceFolder: z.string(),
  targetFolder: z.string(),
  uidValidity: z.number().int(),
  lastUid: z.number().int().min(0),
  filterKey: z.string(),
  targetUidValidity: z.number().int().nullable(),
  targetUidNext: z.number().int().nullable(),
  copied: z.number().int().min(0),
  skipped: z.number().int().min(0),
  alreadyPresent: z.number().int().min(0),
});
export type CheckpointRecord = z.infer<typeof CheckpointRecordSchema>;

/** Most skips a reopened checkpoint carries, and the longest UID set: a folder beyond either hands over no checkpoint. */
export const MAX_REOPENED_SKIPS = 1_000;
export const MAX_REOPENED_SET_CHARS = 100_000;

/**
 * The checkpoint of a folder whose last pass left messages out for a reason the next pass
 * tries again (reopened-checkpoints.ts), with the rows from the lowest of them up to the
 * checkpoint: the next pass plans that stretch again, and only these rows keep it from
 * copying again what is already there (or what the employee deleted or filed elsewhere).
 * Apart from `checkpoints`: a worker of an earlier build ignores it and plans the folder
 * from its own store, rather than adopting a checkpoint past a message it would then never copy.
 */
export const ReopenedCheckpointSchema = CheckpointRecordSchema.extend({
  /** UIDs copied or found present, as a UID set ('3:5,9'). */
  settled: z.string().max(MAX_REOPENED_SET_CHARS).regex(/^(\d+(:\d+)?(,\d+(:\d+)?)*)?$/),
  /** Every skip of the stretch, those tried again and those left out for good. */
  skips: z.array(z.object({ uid: z.number().int().min(1), reason: z.string().max(1000) })).min(1).max(MAX_REOPENED_SKIPS),
});
export type ReopenedCheckpoint = z.infer<typeof ReopenedCheckpointSchema>;

/** Most maildrop messages a POP3 handover carries: a bigger maildrop hands over none (handed-pop3.ts). */
export const MAX_HANDED_POP3_MESSAGES = 100_000;
/** Most final skips it carries; the rest are tried again by the worker that takes the account (and refused again). */
export const MAX_HANDED_POP3_SKIPS = 1_000;
/** A tag, an 8-byte keyed digest of a message's UIDL key, in hex. */
const Pop3TagSchema = z.string().regex(/^[0-9a-f]{16}$/);
/** Per message an 8-byte tag and a varint of at most 5 bytes (pop3-handover-codec.ts). */
const MAX_HANDED_POP3_BASE64 = Math.ceil((MAX_HANDED_POP3_MESSAGES * 13) / 3) * 4;

/**
 * A POP3 account's per-message rows as they travel between workers (handed-pop3.ts): what
 * the passes so far copied or found on the target, and left out for good, by tag.
 */
export const Pop3HandoverSchema = z.object({
  /** The cluster key the tags were made with (clusterKeyId): another key's tags name nothing. */
  keyId: z.string().min(1),
  /** Messages in `messages`. */
  count: z.number().int().min(0).max(MAX_HANDED_POP3_MESSAGES),
  /** base64 of the packed messages on the target (pop3-handover-codec.ts). */
  messages: z.string().max(MAX_HANDED_POP3_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/),
  skips: z.array(z.object({ tag: Pop3TagSchema, reason: z.string().max(1000) })).max(MAX_HANDED_POP3_SKIPS),
});
export type Pop3Handover = z.infer<typeof Pop3HandoverSchema>;

export const AccountJobPayloadSchema = z.object({
  protocol: z.number().int(),
  /** The account's identity in the cluster; the BullMQ job id is derived from it. */
  accountKey: z.string().min(1),
  /** "source -> target", for progress lines and logs (no secret). */
  label: z.string(),
  /** Which cluster key sealed the credentials (cluster-key.ts clusterKeyId). */
  keyId: z.string().min(1),
  source: PublicEndpointSchema,
  target: PublicEndpointSchema,
  options: QueuedOptionsSchema,
  /** Engine checkpoint key; the engine's default (both mailboxes) when left out. */
  stateKey: z.string().optional(),
  /** Source connections at most to this account's source host over all workers together. */
  hostConnections: z.number().int().min(1).max(1000),
  sealed: SealedSchema,
  /**
   * The account's folder checkpoints after its last pass, on whichever worker it ran; optional:
   * a CLI batch and coordinators of an earlier build send none, and a worker of an earlier build
   * ignores them (it plans from its own store, as before).
   */
  checkpoints: z.array(CheckpointRecordSchema).optional(),
  /** Checkpoints of folders with a skip the next pass tries again, with their rows; optional as above. */
  reopened: z.array(ReopenedCheckpointSchema).optional(),
  /** A POP3 source: its per-message rows after its last pass, on whichever worker it ran; optional as above. */
  pop3: Pop3HandoverSchema.optional(),
  /**
   * HMAC of checkpoints, reopened and pop3 under the cluster key, bound to the job id and the
   * account (payload-crypto.ts handoverMac). Optional so both builds read each other's jobs: a
   * worker of an earlier build ignores it (and trusts the handover, as it did); this build
   * ignores a handover without a valid one and plans from its own store and the target.
   */
  handoverMac: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type AccountJobPayload = z.infer<typeof AccountJobPayloadSchema>;

/**
 * What the coordinator's verify and account view read from an engine state store that only
 * the worker has (verify-record.ts): sized by folders and skipped messages, never by the
 * account's messages.
 */
export const VerifyRecordSchema = z.object({
  /** source folder -> target folder as the engine named it (a name the target refused is renamed) */
  folderMap: z.array(z.object({ source: z.string(), target: z.string() })),
  /** the UIDVALIDITY of each source folder the skips of `result.skipped` belong to */
  uidValidity: z.array(z.object({ folder: z.string(), uidValidity: z.number().int() })),
  /** POP3 source: the UIDL behind each skipped message's id */
  uidls: z.array(z.object({ id: z.number().int(), uidl: z.string() })),
  /**
   * Per source folder what the worker's store counts (account.get's folders on a local run),
   * for the coordinator's account view; optional: workers of an earlier build send none.
   */
  folders: z.array(FolderStateSchema).optional(),
  /** The worker's folder checkpoints of the account, for the account's next pass (handed-checkpoints.ts); optional as above. */
  checkpoints: z.array(CheckpointRecordSchema).optional(),
  /** The worker's checkpoints of folders with a skip the next pass tries again, with their rows; optional as above. */
  reopened: z.array(ReopenedCheckpointSchema).optional(),
  /** A POP3 source: the worker's per-message rows of the account, for its next pass; optional as above. */
  pop3: Pop3HandoverSchema.optional(),
  /** The worker's HMAC of checkpoints, reopened and pop3 (as on the job): the coordinator keeps them only if it authenticates. */
  handoverMac: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type VerifyRecord = z.infer<typeof VerifyRecordSchema>;

/**
 * What a worker returns for a job: the engine's account result (no secret in it), who ran it,
 * and what the coordinator's verify needs of the worker's state store. `recorded` is optional
 * so coordinators and workers of protocol 2 without it still understand each other: an older
 * coordinator drops the field, a newer one gets none from an older worker and verifies as before.
 */
export const QueueAccountResultSchema = z.object({
  protocol: z.number().int(),
  worker: z.string(),
  result: AccountResultSchema,
  recorded: VerifyRecordSchema.optional(),
});
export type QueueAccountResult = z.infer<typeof QueueAccountResultSchema>;

/** Progress through job.updateProgress: the engine's progress and the worker running it. */
export const QueueProgressSchema = z.object({
  worker: z.string(),
  progress: AccountProgressSchema,
});
export type QueueProgress = z.infer<typeof QueueProgressSchema>;

/** Why a worker refused a job without running it; the message is what the account shows. */
export type RefusalCode = 'CLUSTER_KEY_MISMATCH' | 'PROTOCOL_MISMATCH' | 'PAYLOAD_INVALID';

export class QueueRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'QueueRefusal';
  }
}

export const KEY_MISMATCH_MESSAGE =
  "this worker's cluster key does not match the coordinator's; copy the key written by `mailmover-bridge cluster init`";

export function protocolMismatchMessage(theirs: unknown): string {
  const v = typeof theirs === 'number' ? `version ${theirs}` : 'an unknown version';
  return `the job was queued with queue protocol ${v}, this worker speaks version ${QUEUE_PROTOCOL_VERSION}; run the same mailmover version on the coordinator and every worker`;
}
