import { z } from 'zod';
import { DeletedPolicySchema } from '../migration';
import { DateOnlySchema, IdSchema, IsoDateTimeSchema, ServerSchema, SourceServerSchema } from './common';
import { AccountStatusSchema } from './account';

/**
 * How the bridge logs in on one side. `per-account`: each account's own password
 * (from the import or from the employee). `admin`: an admin (master user) logs in
 * on behalf of every account with the admin's password (SASL PLAIN authzid, or
 * `user*admin`), so no per-account password is needed on that side.
 */
export const LoginInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('per-account') }),
  z.object({
    kind: z.literal('admin'),
    adminUser: z.string().min(1).max(320),
    password: z.string().min(1).max(1024),
    form: z.enum(['authzid', 'separator']).default('authzid'),
  }),
]);
export type LoginInput = z.input<typeof LoginInputSchema>;

/** A login as the bridge reports it back: never the password, only whether it has one. */
export const LoginViewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('per-account') }),
  z.object({ kind: z.literal('admin'), adminUser: z.string(), form: z.enum(['authzid', 'separator']), hasPassword: z.boolean() }),
]);
export type LoginView = z.infer<typeof LoginViewSchema>;

export const FiltersSchema = z.object({
  /** Only messages received on or after this date. */
  since: DateOnlySchema.nullable().default(null),
  includeFolders: z.array(z.string().min(1).max(1000)).max(200).default([]),
  excludeFolders: z.array(z.string().min(1).max(1000)).max(200).default([]),
  deleted: DeletedPolicySchema.default('copy'),
});
export type Filters = z.infer<typeof FiltersSchema>;

/**
 * Incremental sync after the first pass (增量同步: on for 30 days by default, 到期可重新开启).
 * After its first pass an account is run again every `intervalMinutes` (default 5): each run
 * EXAMINEs every source folder (UIDNEXT / UIDVALIDITY; POP3: the UIDL list), discovers folders
 * created since, and copies only what is new. `windowDays` after the first pass (or after a
 * reopen) the account closes by itself. intervalMinutes 0 turns it off: the account then stays
 * "first pass done". Fractions are accepted (0.5 = 30 s; at least one second) so that a short
 * trial or a test can use seconds; `windowDays` likewise (at least one second, 1/86400).
 */
export const IncrementalSchema = z.object({
  intervalMinutes: z
    .number()
    .min(0)
    .max(7 * 24 * 60)
    .refine((v) => v === 0 || v >= 1 / 60, 'at least 1/60 minute (one second), or 0 to turn incremental sync off')
    .default(5),
  windowDays: z
    .number()
    .max(365)
    .refine((v) => v >= 1 / 86_400, 'at least 1/86400 day (one second)')
    .default(30),
});
export type Incremental = z.infer<typeof IncrementalSchema>;

/** Everything a job holds besides its accounts; job.create takes it, job.update a part of it. */
export const JobSpecSchema = z.object({
  name: z.string().min(1).max(200),
  source: SourceServerSchema,
  sourceLogin: LoginInputSchema.default({ kind: 'per-account' }),
  target: ServerSchema,
  targetLogin: LoginInputSchema.default({ kind: 'per-account' }),
  /** 存储方案: mapped = 原所在文件夹 (system folders matched); unified = 统一存储 under a folder named after the source address. */
  storage: z.enum(['mapped', 'unified']).default('mapped'),
  filters: FiltersSchema.default(FiltersSchema.parse({})),
  incremental: IncrementalSchema.default(IncrementalSchema.parse({})),
  /** Parallel connections per side for one account. */
  concurrency: z.number().int().min(1).max(16).default(2),
  /** Messages per fetch/APPEND batch; smaller batches checkpoint more often. */
  batchMessages: z.number().int().min(1).max(5000).default(200),
  /** Source provider id (aliyun, exmail, …) so its localized folder names are tried first. */
  provider: z.string().max(64).optional(),
});
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobSpecInput = z.input<typeof JobSpecSchema>;

/**
 * A job.update patch. The source server is changed with `server.change` (which says
 * whether it is for new accounts or for all), not here.
 */
export const JobPatchSchema = z
  .object({
    name: JobSpecSchema.shape.name,
    sourceLogin: LoginInputSchema,
    target: ServerSchema,
    targetLogin: LoginInputSchema,
    storage: JobSpecSchema.shape.storage.unwrap(),
    filters: FiltersSchema,
    incremental: IncrementalSchema,
    concurrency: JobSpecSchema.shape.concurrency.unwrap(),
    batchMessages: JobSpecSchema.shape.batchMessages.unwrap(),
    provider: z.string().max(64),
  })
  .partial();
export type JobPatch = z.infer<typeof JobPatchSchema>;

export const JobStatusSchema = z.enum(['active', 'paused', 'closed']);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const JobViewSchema = z.object({
  id: IdSchema,
  name: z.string(),
  status: JobStatusSchema,
  source: SourceServerSchema,
  sourceLogin: LoginViewSchema,
  target: ServerSchema,
  targetLogin: LoginViewSchema,
  storage: z.enum(['mapped', 'unified']),
  filters: FiltersSchema,
  incremental: IncrementalSchema,
  concurrency: z.number().int(),
  batchMessages: z.number().int(),
  provider: z.string().nullable(),
  /** Accounts per status. */
  counts: z.record(AccountStatusSchema, z.number().int()),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
});
export type JobView = z.infer<typeof JobViewSchema>;

export const JobIdParamsSchema = z.object({ jobId: IdSchema });
