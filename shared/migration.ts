import { z } from 'zod';
import { ErrorInfoSchema } from './errors';

/** What to do with messages flagged \Deleted on the source (not yet expunged there). */
export const DeletedPolicySchema = z.enum(['copy', 'skip', 'undelete']);
export type DeletedPolicy = z.infer<typeof DeletedPolicySchema>;

export const MigrationOptionsSchema = z.object({
  mode: z.enum(['mapped', 'unified']).default('mapped'),
  /** Only messages whose INTERNALDATE is on or after this instant. */
  since: z.date().optional(),
  includeFolders: z.array(z.string()).default([]),
  excludeFolders: z.array(z.string()).default([]),
  /** Parallel copy workers; each holds one source and one target connection. */
  concurrency: z.number().int().min(1).max(32).default(4),
  /**
   * False: `concurrency` is a cap, and a mailbox with little to copy gets fewer workers
   * (a re-run or a small account logs in once per side). True: exactly `concurrency`
   * workers, as when the user gave --concurrency.
   */
  fixedConcurrency: z.boolean().default(false),
  /**
   * COMPRESS=DEFLATE (RFC 4978) on every connection whose server offers it. Pays on a slow
   * link only: measured over a 40 ms link with 200 messages (16.5 MB, 28% fewer bytes on
   * the wire), 27% faster at 8 Mbit/s, 50% slower unlimited, with twice the client CPU;
   * with the bench's 1,500 messages (100 MB) 1.09 x faster at 100 Mbit/s and 0.60 x
   * unlimited. So it is asked for, not automatic.
   */
  compress: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  deleted: DeletedPolicySchema.default('copy'),
  /** Upper bound of message bytes one worker holds in memory at a time (one larger message is still copied alone). */
  chunkBytes: z.number().int().min(64 * 1024).default(2 * 1024 * 1024),
  /** Upper bound of message bytes held by all workers of an account together. */
  budgetBytes: z.number().int().min(64 * 1024).default(16 * 1024 * 1024),
  chunkMessages: z.number().int().min(1).max(5000).default(200),
  /** Rows of one folder a flag pass compares at once when it reads every copy's flags (memory held, not round trips: each window is an EXAMINE and a FETCH). */
  flagRowWindow: z.number().int().min(1).max(100_000).default(2000),
  /** Provider id of the source, to try its localized folder names first. */
  providerHint: z.string().optional(),
  /** Provider id of the target, for the folder-name characters it is known to refuse. */
  targetProviderHint: z.string().optional(),
  /** Attempts per account for transient failures (connection cut, throttling). */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  retryBaseMs: z.number().int().min(0).default(1000),
  /**
   * POP3 sources: download with RETR when TOP cannot return the whole message. Off by
   * default because many servers (Dovecot's default among them) mark a RETRieved message
   * as read on the old system; TOP does not.
   */
  pop3Retr: z.boolean().default(false),
  /**
   * An IMAP command during which no byte moved either way for this long (checked at this
   * interval) gives up its connection; the account resumes from its checkpoint.
   */
  stallTimeoutMs: z.number().int().min(1000).default(30_000),
  /**
   * A message whose APPEND was sent when the connection or the process ended is looked for on
   * the target again no sooner than this long after the next pass began, before it is sent
   * again: a server may store it seconds later (bridge/engine/late-appends.ts).
   */
  lateAppendMs: z.number().int().min(0).default(10_000),
  /**
   * The slowest uplink such a message is waited for, in bytes per second (1 Mbit/s): a killed
   * process's command still in its kernel's send buffer goes on to the server at that speed.
   */
  lateAppendUplinkBytesPerS: z.number().int().min(1000).default(125_000),
  /**
   * Messages the source could not read (skipped as SOURCE_UNREADABLE) are tried again by a
   * run at most this often per folder, instead of by every run: each try costs about a login
   * per damaged message (bridge/engine/unreadable-retries.ts). The service sets it for the
   * syncs of the window; a run from the command line tries them every time.
   */
  unreadableRetryMs: z.number().int().min(0).optional(),
});
export type MigrationOptions = z.infer<typeof MigrationOptionsSchema>;
export type MigrationOptionsInput = z.input<typeof MigrationOptionsSchema>;

/** One folder's counters, shared by the final report and the live progress. */
export const FolderCountsSchema = z.object({
  source: z.string(),
  target: z.string(),
  total: z.number().int(),
  copied: z.number().int(),
  skipped: z.number().int(),
  alreadyPresent: z.number().int(),
  bytesCopied: z.number().int(),
});

export const FolderResultSchema = FolderCountsSchema.extend({
  error: ErrorInfoSchema.nullable().default(null),
  /**
   * Copies whose flags the pass changed because the message's flags changed on the source
   * (bridge/engine/flag-sync.ts). Absent where no flag pass looked at the folder (a POP3 source,
   * a dry run, a pass that did not settle the folder), and in reports of older versions.
   */
  flagsUpdated: z.number().int().nonnegative().optional(),
  /** Copies moved on the target into this folder's target folder, because their message was moved into this folder on the source (counted in alreadyPresent too). */
  movedHere: z.number().int().nonnegative().optional(),
});
export type FolderResult = z.infer<typeof FolderResultSchema>;

export const SkippedMessageSchema = z.object({ folder: z.string(), uid: z.number().int(), reason: z.string() });
export type SkippedMessage = z.infer<typeof SkippedMessageSchema>;

export const AccountResultSchema = z.object({
  source: z.string(),
  target: z.string(),
  status: z.enum(['done', 'failed']),
  messagesCopied: z.number().int(),
  messagesSkipped: z.number().int(),
  messagesAlreadyPresent: z.number().int(),
  bytesCopied: z.number().int(),
  folders: z.array(FolderResultSchema),
  skipped: z.array(SkippedMessageSchema),
  warnings: z.array(ErrorInfoSchema).default([]),
  error: ErrorInfoSchema.nullable(),
});
export type AccountResult = z.infer<typeof AccountResultSchema>;

/** Progress of one account, emitted at a bounded rate while it runs. */
export const AccountProgressSchema = z.object({
  type: z.literal('account-progress'),
  account: z.string(),
  phase: z.enum(['connecting', 'discovering', 'creating-folders', 'planning', 'copying', 'done', 'failed', 'retrying']),
  messagesTotal: z.number().int(),
  messagesCopied: z.number().int(),
  messagesSkipped: z.number().int(),
  messagesAlreadyPresent: z.number().int(),
  bytesTotal: z.number().int(),
  bytesCopied: z.number().int(),
  /** Messages per second over the recent window. */
  rate: z.number(),
  bytesPerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  folders: z.array(FolderCountsSchema.extend({ done: z.boolean() })),
});
export type AccountProgress = z.infer<typeof AccountProgressSchema>;
