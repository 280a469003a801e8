import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';
import { FolderCountsSchema } from '../migration';
import { VerifySummarySchema } from '../verify';
import { WarningFactsSchema } from '../warning-facts';
import { ClassifiedErrorSchema, IdSchema, IsoDateTimeSchema, ServerSchema } from './common';

/**
 * The three ways accounts enter a job (选择搬家方案):
 * - admin-with-passwords    批量搬家(已知密码): the admin's CSV carries the old passwords; accounts
 *                           start as soon as they are imported (or when the admin starts them).
 * - admin-without-passwords 批量搬家(未知密码): the CSV lists accounts only, source and target
 *                           address must be the same; an account waits (未开启搬家) until its
 *                           employee supplies the old password.
 * - self-service            员工自助搬家: the admin lists who is invited; the employee enters the
 *                           old address and password (未开始 until then).
 */
export const ImportModeSchema = z.enum(['admin-with-passwords', 'admin-without-passwords', 'self-service']);
export type ImportMode = z.infer<typeof ImportModeSchema>;

/**
 * Account statuses, named as the monitor shows them (进度监控与管理), plus the two states of the
 * incremental phase. There is deliberately no "done": after the first pass the account keeps
 * syncing new mail until its window ends or it is closed (没有"已完成"状态: there is no "done" state).
 * `password_needed`: a stored password was entered for other server settings (the server, port,
 * TLS or certificate policy changed since) and is not used; the account waits until it is entered
 * again (account.credentials, or job.update with the admin login).
 */
export const ACCOUNT_STATUSES = [
  'not_enabled',
  'not_started',
  'in_progress',
  'paused',
  'failed',
  'first_pass_done',
  'syncing',
  'closed',
  'password_needed',
] as const;
export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES);
export type AccountStatus = z.infer<typeof AccountStatusSchema>;

/** Finer detail of an account that is in progress, for the progress bar's caption. */
export const AccountPhaseSchema = z.enum([
  'queued',
  'waiting-retry',
  'connecting',
  'discovering',
  'creating-folders',
  'planning',
  'copying',
  'retrying',
]);
export type AccountPhase = z.infer<typeof AccountPhaseSchema>;

export const FolderProgressSchema = FolderCountsSchema.extend({ done: z.boolean() });
export type FolderProgress = z.infer<typeof FolderProgressSchema>;

/** Which pass a run is: the first one (首次搬家) or an incremental sync after it. */
export const PassSchema = z.enum(['first', 'sync']);
export type Pass = z.infer<typeof PassSchema>;

/**
 * One source folder of an account as the engine's state store remembers it (account.get):
 * what every run so far settled there, so the drawer shows per-folder progress after a
 * reload or a bridge restart, not only while a run streams progress events.
 */
export const FolderStateSchema = z.object({
  source: z.string(),
  target: z.string(),
  /** Every source UID up to this one is settled (copied, already present or skipped). */
  lastUid: z.number().int(),
  copied: z.number().int(),
  alreadyPresent: z.number().int(),
  skipped: z.number().int(),
  updatedAt: z.string().nullable(),
});
export type FolderState = z.infer<typeof FolderStateSchema>;

/** A message left out, with the engine's reason (too big, refused by the target, \\Deleted policy, ...): the engine's result schema (shared/migration.ts), one definition for both. */
export { SkippedMessageSchema, type SkippedMessage } from '../migration';

/** Counters of an account; kept after a run so the list and the report show them. */
export const AccountCountersSchema = z.object({
  messagesTotal: z.number().int(),
  messagesCopied: z.number().int(),
  messagesSkipped: z.number().int(),
  messagesAlreadyPresent: z.number().int(),
  bytesCopied: z.number().int(),
  /** Messages copied by the incremental syncs after the first pass (cumulative, all windows). */
  messagesSyncedSinceFirstPass: z.number().int(),
});
export type AccountCounters = z.infer<typeof AccountCountersSchema>;

/**
 * A warning the engine reported for an account's passes (DATE_CHANGED, MESSAGE_CHANGED,
 * FOLDER_RENAMED, ...): the mail was copied, but not exactly as on the old mailbox. Each distinct
 * warning (code and text) is kept once, with how many passes reported it.
 */
export const AccountWarningSchema = z.object({
  code: ErrorCodeSchema,
  /** The engine's text (English): which folder, message or date it is about. */
  message: z.string(),
  side: z.enum(['source', 'target']).optional(),
  /** The same facts as data, for the UI's language (absent for a warning that has none, or one stored by an older version). */
  facts: WarningFactsSchema.optional(),
  /** Passes that reported it. */
  passes: z.number().int().positive(),
  firstAt: IsoDateTimeSchema,
  lastAt: IsoDateTimeSchema,
  /** Reported by the account's latest pass too (false: only by earlier ones). */
  latest: z.boolean(),
});
export type AccountWarning = z.infer<typeof AccountWarningSchema>;

/** Distinct warnings an account keeps at most: the latest pass's first, then earlier ones, newest first. */
export const ACCOUNT_WARNINGS_CAP = 200;

export const AccountViewSchema = z.object({
  id: IdSchema,
  jobId: IdSchema,
  /** Old mailbox (待搬家账号). */
  source: z.string(),
  /** New mailbox (搬家账号). */
  target: z.string(),
  mode: ImportModeSchema,
  status: AccountStatusSchema,
  phase: AccountPhaseSchema.nullable(),
  hasSourcePassword: z.boolean(),
  hasTargetPassword: z.boolean(),
  /** Set when the account keeps its own server after a "new accounts only" address change. */
  sourceServer: ServerSchema.nullable(),
  counters: AccountCountersSchema,
  error: ClassifiedErrorSchema.nullable(),
  /** Runs the scheduler started for this account (first pass, retries, syncs). */
  attempts: z.number().int(),
  nextRunAt: IsoDateTimeSchema.nullable(),
  startedAt: IsoDateTimeSchema.nullable(),
  firstPassDoneAt: IsoDateTimeSchema.nullable(),
  lastSyncAt: IsoDateTimeSchema.nullable(),
  /** When incremental sync stops by itself (end of the window); null before the first pass or when sync is off. */
  syncEndsAt: IsoDateTimeSchema.nullable(),
  updatedAt: IsoDateTimeSchema,
  /** The last independent verify (已核验 / 有差异), run by the bridge after the first pass; absent before. */
  verify: VerifySummarySchema.nullable().optional(),
  /**
   * The warnings of the account's passes into its current target mailbox (at most
   * ACCOUNT_WARNINGS_CAP); empty before any pass reported one, and from a bridge that predates them.
   */
  warnings: z.array(AccountWarningSchema).default([]),
  /** Distinct warnings left out of `warnings` by the cap. */
  warningsOmitted: z.number().int().nonnegative().default(0),
  /** Queue mode (bridge start --queue): the worker running the account, or the last one that ran it; absent in-process. */
  worker: z.string().nullable().optional(),
  /**
   * Paused or closed while a pass still runs: the pass stops after the chunk it is copying (a
   * few seconds), and its figures may still grow until then. False once it has stopped.
   */
  stopping: z.boolean().default(false),
});
export type AccountView = z.infer<typeof AccountViewSchema>;
