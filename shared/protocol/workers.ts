import { z } from 'zod';
import { IsoDateTimeSchema } from './common';

/**
 * What a queue worker says of itself at each heartbeat, the same in its record in Redis and in
 * the workers panel: who it is, what it runs, and its figures so far.
 */
export const WorkerFiguresSchema = z.object({
  name: z.string(),
  host: z.string(),
  /** mailmover version the worker runs. */
  version: z.string(),
  /** Accounts it runs at once at most. */
  concurrency: z.number().int(),
  /** "source -> target" of the accounts it runs now. */
  running: z.array(z.string()),
  accountsDone: z.number().int(),
  accountsFailed: z.number().int(),
  messagesCopied: z.number().int(),
  bytesCopied: z.number().int(),
  messagesPerSecond: z.number(),
  bytesPerSecond: z.number(),
});

/**
 * Queue mode (bridge start --queue): the workers taking account passes from the queue, as the
 * workers panel shows them. Built from each worker's heartbeat record in Redis; a worker is
 * listed until about 20 s after its last heartbeat.
 */
export const WorkerViewSchema = WorkerFiguresSchema.extend({
  startedAt: IsoDateTimeSchema,
  lastHeartbeat: IsoDateTimeSchema,
  /** Why it stopped, when it stopped on purpose (a refusal: wrong cluster key, other version). */
  stopped: z.string().nullable(),
});
export type WorkerView = z.infer<typeof WorkerViewSchema>;

export const WorkersListSchema = z.object({
  /** The queue the bridge coordinates (password hidden), or null when passes run in the bridge itself. */
  queue: z.string().nullable(),
  workers: z.array(WorkerViewSchema),
});
export type WorkersList = z.infer<typeof WorkersListSchema>;
