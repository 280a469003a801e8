import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema } from './common';
import { AccountPhaseSchema, AccountViewSchema, FolderProgressSchema } from './account';
import { JobViewSchema } from './job';

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
    messagesTotal: z.number().int(),
    messagesCopied: z.number().int(),
    messagesSkipped: z.number().int(),
    messagesAlreadyPresent: z.number().int(),
    bytesTotal: z.number().int(),
    bytesCopied: z.number().int(),
    /** Messages per second over the last seconds. */
    rate: z.number(),
    etaSeconds: z.number().nullable(),
    folders: z.array(FolderProgressSchema),
  }),
  'job.status': z.object({ job: JobViewSchema }),
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
