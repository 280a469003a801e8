import { z } from 'zod';
import { ClassifiedErrorSchema, IdSchema, RequestIdSchema, ServerSchema } from './common';
import { AccountStatusSchema, AccountViewSchema, ImportModeSchema } from './account';
import { JobIdParamsSchema, JobPatchSchema, JobSpecSchema, JobViewSchema } from './job';
import { PROTOCOL_VERSION } from './version';

/**
 * Every request the extension can send, with its params and its result. A request is
 *   { v: 1, id: "<client's id>", type: "<name>", params: {...} }
 * and is answered by exactly one response with the same id (see messages.ts).
 */

const Password = z.string().min(1).max(1024);
const Address = z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'an email address');

/** Accounts a batch action applies to: a list of ids (one is a single action), or a job's accounts in some statuses. */
export const AccountSelectionSchema = z.union([
  z.object({ accountIds: z.array(IdSchema).min(1).max(1000) }).strict(),
  z.object({ jobId: IdSchema, statuses: z.array(AccountStatusSchema).min(1).optional() }).strict(),
]);
export type AccountSelection = z.infer<typeof AccountSelectionSchema>;

/** Per-account outcome of a batch action: an account in the wrong state is reported, not fatal. */
export const BatchResultSchema = z.object({
  results: z.array(z.object({ accountId: IdSchema, ok: z.boolean(), status: AccountStatusSchema, reason: z.string().optional() })),
});

const def = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const REQUESTS = {
  /** First message of every connection: the token from pairing. Nothing else is accepted before it. */
  hello: def(
    z.object({ token: z.string().min(1).max(256), clientVersion: z.string().max(64), protocol: z.number().int().default(PROTOCOL_VERSION) }),
    z.object({ bridgeVersion: z.string(), protocol: z.number().int(), tokenId: IdSchema }),
  ),
  /**
   * 原邮箱系统验证: connect and log in with one verification account; nothing is read or
   * written. A failed login is a successful request whose result carries the classified error.
   */
  'endpoint.test': def(
    z.object({
      side: z.enum(['source', 'target']).default('source'),
      server: ServerSchema.extend({ protocol: z.enum(['imap', 'pop3']).default('imap') }),
      user: Address,
      password: Password,
      /** Log in as this admin on behalf of `user` (the password is then the admin's). */
      adminUser: z.string().min(1).max(320).optional(),
    }),
    z.object({ ok: z.boolean(), error: ClassifiedErrorSchema.nullable(), folders: z.number().int().nullable(), ms: z.number() }),
  ),
  'job.create': def(JobSpecSchema, z.object({ job: JobViewSchema })),
  'job.update': def(z.object({ jobId: IdSchema, patch: JobPatchSchema }), z.object({ job: JobViewSchema })),
  'job.pause': def(JobIdParamsSchema, z.object({ job: JobViewSchema })),
  'job.resume': def(JobIdParamsSchema, z.object({ job: JobViewSchema })),
  /** 关闭搬家 for the whole job: every account closed, every stored password deleted. */
  'job.close': def(JobIdParamsSchema, z.object({ job: JobViewSchema })),
  'job.list': def(z.object({}).default({}), z.object({ jobs: z.array(JobViewSchema) })),
  /**
   * Imports up to 1000 rows (one CSV file, as bytes in base64: UTF-8 or GBK). Imports append;
   * a row whose source is already in the job updates it (new password, reopened if closed).
   * A file with any bad row imports nothing (the errors name the lines).
   */
  'accounts.import': def(
    z.object({
      jobId: IdSchema,
      mode: ImportModeSchema,
      csvBase64: z.string().min(1).max(1_800_000),
      /** Start accounts that have their passwords right away (default true). */
      autoStart: z.boolean().default(true),
    }),
    z.object({
      imported: z.number().int(),
      updated: z.number().int(),
      errors: z.array(z.object({ line: z.number().int(), message: z.string(), messageZh: z.string() })),
      accounts: z.array(AccountViewSchema),
    }),
  ),
  'account.list': def(
    z.object({
      jobId: IdSchema,
      statuses: z.array(AccountStatusSchema).optional(),
      /** Substring of the source or target address. */
      search: z.string().max(320).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(1000),
    }),
    z.object({ accounts: z.array(AccountViewSchema), total: z.number().int() }),
  ),
  'account.start': def(AccountSelectionSchema, BatchResultSchema),
  'account.pause': def(AccountSelectionSchema, BatchResultSchema),
  /** Stops the migration for good (关闭搬家): status closed, stored passwords deleted. */
  'account.stop': def(AccountSelectionSchema, BatchResultSchema),
  /** A failed account is tried again now, whatever its error (a person decided to). */
  'account.retry': def(AccountSelectionSchema, BatchResultSchema),
  /**
   * The employee's own credentials, for a self-service or password-less account: the old
   * mailbox's address (self-service may differ from the target) and password. Starts the account.
   * Identified by accountId, or by job + new address (what an employee knows).
   */
  'account.credentials': def(
    z.union([
      z.object({ accountId: IdSchema, sourceUser: Address.optional(), sourcePassword: Password, targetPassword: Password.optional() }).strict(),
      z.object({ jobId: IdSchema, target: Address, sourceUser: Address.optional(), sourcePassword: Password, targetPassword: Password.optional() }).strict(),
    ]),
    z.object({ account: AccountViewSchema }),
  ),
  /**
   * 修改服务器地址和端口 (seed 001, 异常处理流程): `new-accounts` changes the job's default for
   * accounts that start from now on (those already started keep the old server); `all-accounts`
   * moves every account, and failed ones are retried at once.
   */
  'server.change': def(
    z.object({
      jobId: IdSchema,
      scope: z.enum(['new-accounts', 'all-accounts']),
      host: ServerSchema.shape.host.optional(),
      port: ServerSchema.shape.port.optional(),
      security: ServerSchema.shape.security.optional(),
      allowPlaintext: z.boolean().optional(),
      insecureTls: z.boolean().optional(),
    }),
    z.object({ job: JobViewSchema, accountsChanged: z.number().int() }),
  ),
  /**
   * Events for one job (or every job) start flowing on this connection; the result is a snapshot
   * so nothing is missed between the two. `logs` also sends log lines at `logLevel` and above.
   */
  subscribe: def(
    z.object({ jobId: IdSchema.optional(), logs: z.boolean().default(false), logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info') }),
    z.object({ jobs: z.array(JobViewSchema), accounts: z.array(AccountViewSchema) }),
  ),
  unsubscribe: def(z.object({}).default({}), z.object({})),
  /** The report as CSV text (also downloadable at GET `path` with the token as Bearer). */
  'report.export': def(JobIdParamsSchema, z.object({ filename: z.string(), path: z.string(), csv: z.string() })),
} as const;

export type RequestType = keyof typeof REQUESTS;
export const REQUEST_TYPES = Object.keys(REQUESTS) as RequestType[];
export type RequestParams<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['params']>;
export type RequestParamsInput<T extends RequestType> = z.input<(typeof REQUESTS)[T]['params']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['result']>;

/** The envelope of a request, before its params are checked against its type. */
export const RequestEnvelopeSchema = z.object({
  v: z.number().int(),
  id: RequestIdSchema,
  type: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;

export function isRequestType(type: string): type is RequestType {
  return Object.prototype.hasOwnProperty.call(REQUESTS, type);
}
