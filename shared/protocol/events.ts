import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema } from './common';
import { AccountCountersSchema, AccountPhaseSchema, AccountViewSchema, FolderProgressSchema, PassSchema } from './account';
import { JobViewSchema } from './job';
import { CutoverViewSchema } from './cutover';

/**
 * Events the bridge pushes to a subscribed connection:
 *   { v: 1, kind: "event", event: "<name>", data: {...} }
 * Status events carry the whole view (the client replaces its copy); progress events are
 * sent at most every PROGRESS_MIN_INTERVAL_MS per account, plus once at every phase change.
 */
export const PROGRESS_MIN_INTERVAL_MS = 500;

export const EVENTS = {
  'account.status': z.object({ account: AccountViewSchema }),
  'account.progress': z.object({
    accountId: IdSchema,
    jobId: IdSchema,
    phase: AccountPhaseSchema,
    /** The first pass (首次搬家) or an incremental sync after it. */
    pass: PassSchema,
    /**
     * The counters below are the account's cumulative ones (as in the account view: they never
     * drop while a sync run plans); `folders` are this run's.
     */
    messagesTotal: z.number().int(),
    messagesCopied: z.number().int(),
    messagesSkipped: z.number().int(),
    messagesAlreadyPresent: z.number().int(),
    bytesTotal: z.number().int(),
    bytesCopied: z.number().int(),
    /** Messages per second over the last seconds. */
    rate: z.number(),
    /** Bytes per second over the last seconds. */
    bytesPerSecond: z.number(),
    messagesSyncedSinceFirstPass: AccountCountersSchema.shape.messagesSyncedSinceFirstPass,
    etaSeconds: z.number().nullable(),
    folders: z.array(FolderProgressSchema),
  }),
  'job.status': z.object({ job: JobViewSchema }),
  /**
   * Once per job and first pass: every account that was started is past its first pass
   * (first pass done, syncing or closed after it) or failed. Sent again after accounts are
   * added or reopened and their first pass ends in turn.
   */
  'job.firstPassDone': z.object({
    job: JobViewSchema,
    /** Accounts whose first pass is done, and accounts that failed (they need a person). */
    done: z.number().int(),
    failed: z.number().int(),
    at: IsoDateTimeSchema,
  }),
  /** The cut-over state of a job after each DNS check (periodic or asked for) or checklist change. */
  'job.cutover': z.object({ cutover: CutoverViewSchema }),
  log: z.object({
    time: IsoDateTimeSchema,
    level: z.enum(['debug', 'info', 'warn', 'error']),
    msg: z.string(),
    jobId: IdSchema.optional(),
    accountId: IdSchema.optional(),
  }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventData<E extends EventName> = z.infer<(typeof EVENTS)[E]>;
