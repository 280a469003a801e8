import { z } from 'zod';
import { ConnectionReportSchema, ProviderDetectionSchema } from '../providers/connection-report';
import { ClassifiedErrorSchema, IdSchema, RequestIdSchema, ServerSchema, SourceServerSchema, type Server } from './common';
import { AccountStatusSchema, AccountViewSchema, FolderStateSchema, ImportModeSchema, SkippedMessageSchema } from './account';
import { JobIdParamsSchema, JobPatchSchema, JobSpecSchema, JobViewSchema, LoginInputSchema } from './job';
import { PROTOCOL_VERSION } from './version';
import { CUTOVER_REQUESTS } from './cutover';
import { WorkersListSchema } from './workers';

/**
 * Every request the extension can send, with its params and its result. A request is
 *   { v: 1, id: "<client's id>", type: "<name>", params: {...} }
 * and is answered by exactly one response with the same id (see messages.ts).
 */

const Password = z.string().min(1).max(1024);
/** Base64 characters of account files one request may carry (a frame is at most 2 MiB). */
export const MAX_ACCOUNT_FILES_BASE64 = 1_800_000;
const Address = z.string().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'an email address');

/** Accounts a batch action applies to: a list of ids (one is a single action), or a job's accounts in some statuses. */
export const AccountSelectionSchema = z.union([
  z.object({ accountIds: z.array(IdSchema).min(1).max(1000) }).strict(),
  z.object({ jobId: IdSchema, statuses: z.array(AccountStatusSchema).min(1).optional() }).strict(),
]);
export type AccountSelection = z.infer<typeof AccountSelectionSchema>;

/** Per-account outcome of a batch action: an account in the wrong state is reported, not fatal. */
export const BatchResultSchema = z.object({
  results: z.array(
    z.object({
      accountId: IdSchema,
      ok: z.boolean(),
      status: AccountStatusSchema,
      reason: z.string().optional(),
      /** Refused because this open job migrates the same two mailboxes in the other storage (mapped / unified): its name. */
      otherLayoutJob: z.string().optional(),
    }),
  ),
});

/** One account list file (CSV) and how its accounts enter the job (see ImportModeSchema). */
const AccountFileSchema = z.object({
  mode: ImportModeSchema,
  csvBase64: z.string().min(1).max(MAX_ACCOUNT_FILES_BASE64),
  /** Start accounts that have their passwords right away (default true). */
  autoStart: z.boolean().default(true),
});

const ImportResultSchema = z.object({
  imported: z.number().int(),
  updated: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), message: z.string(), messageZh: z.string() })),
  accounts: z.array(AccountViewSchema),
});

/**
 * The server a password was typed for, as the form showed it (protocol, host, port, security and
 * the certificate and plaintext policy; the target's protocol is imap). Required with every
 * password for an existing job or account: the bridge stores the password only while this is still
 * the server it would be used with, so a change of the job's or account's server made meanwhile
 * (another admin screen, another tab) does not bind it to a server nobody typed it for
 * (SERVER_CHANGED, nothing stored).
 */
export const TypedForServerSchema = SourceServerSchema;
export type TypedForServer = z.infer<typeof TypedForServerSchema>;

/** A server as a form shows it (a job's or account's server view), as the password it asks for is typed for. */
export function typedForServer(server: Server, protocol: 'imap' | 'pop3'): TypedForServer {
  return { protocol, host: server.host, port: server.port, security: server.security, allowPlaintext: server.allowPlaintext, insecureTls: server.insecureTls };
}

type TypedFor = { sourceServer?: unknown; targetServer?: unknown };
/** An issue for each password sent without the server it was typed for. */
function requireTypedFor(p: TypedFor, source: boolean, target: boolean, ctx: z.RefinementCtx): void {
  if (source && p.sourceServer === undefined) ctx.addIssue({ code: 'custom', path: ['sourceServer'], message: 'the server the source password was typed for' });
  if (target && p.targetServer === undefined) ctx.addIssue({ code: 'custom', path: ['targetServer'], message: 'the server the target password was typed for' });
}
const typedFor = { sourceServer: TypedForServerSchema.optional(), targetServer: TypedForServerSchema.optional() };

const def = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const REQUESTS = {
  /** First message of every connection: the token from pairing. Nothing else is accepted before it. */
  hello: def(
    z.object({ token: z.string().min(1).max(256), clientVersion: z.string().max(64), protocol: z.number().int().default(PROTOCOL_VERSION) }),
    z.object({ bridgeVersion: z.string(), protocol: z.number().int(), tokenId: IdSchema }),
  ),
  /** Cheap keep-alive / liveness check: answered at once, touches nothing. */
  ping: def(z.object({}).default({}), z.object({ pong: z.literal(true), time: z.string() })),
  /**
   * 原邮箱系统验证: connect and log in with one verification account (IMAP, or POP3 for a POP3
   * source); nothing is written. A failed login is a successful request whose result carries the
   * classified error. `report` is the full connection test (bridge/diagnose testConnection):
   * certificate, folders with counts and dates, quota, the "only the last 30 days" warning and
   * the provider's checklist; null when the test could not run at all.
   */
  'endpoint.test': def(
    z.object({
      side: z.enum(['source', 'target']).default('source'),
      server: ServerSchema.extend({ protocol: z.enum(['imap', 'pop3']).default('imap') }),
      user: Address,
      password: Password,
      /** Log in as this admin on behalf of `user` (the password is then the admin's). */
      adminUser: z.string().min(1).max(320).optional(),
      /** How the admin login is sent: SASL PLAIN authzid (default) or `user*admin`. */
      adminForm: z.enum(['authzid', 'separator']).default('authzid'),
      /** Provider preset id chosen in the UI (its folder names and remedies are used). */
      provider: z.string().max(64).optional(),
      /** false: no DNS lookups (MX, CNAME) for provider detection. Default true. */
      detect: z.boolean().default(true),
    }),
    z.object({
      ok: z.boolean(),
      error: ClassifiedErrorSchema.nullable(),
      folders: z.number().int().nullable(),
      ms: z.number(),
      report: ConnectionReportSchema.nullable().optional(),
    }),
  ),
  /** 自动识别: the provider of an address from its domain or its MX records (DNS from the bridge). */
  'provider.detect': def(z.object({ address: z.string().min(1).max(320) }), z.object({ detection: ProviderDetectionSchema })),
  /**
   * The folder mapping (shared/folders mapFolders) the migration would use: the verification
   * account's folders on the source, mapped onto the target's layout when a target login is
   * given (else onto a plain target: "/" delimiter, no special-use folders yet).
   */
  'folders.preview': def(
    z.object({
      source: z.object({
        server: ServerSchema,
        user: Address,
        password: Password,
        adminUser: z.string().min(1).max(320).optional(),
        adminForm: z.enum(['authzid', 'separator']).default('authzid'),
      }),
      target: z
        .object({
          server: ServerSchema,
          user: Address,
          password: Password,
          adminUser: z.string().min(1).max(320).optional(),
          adminForm: z.enum(['authzid', 'separator']).default('authzid'),
        })
        .optional(),
      storage: z.enum(['mapped', 'unified']).default('mapped'),
      includeFolders: z.array(z.string().min(1).max(1000)).max(200).default([]),
      excludeFolders: z.array(z.string().min(1).max(1000)).max(200).default([]),
      provider: z.string().max(64).optional(),
    }),
    z.object({
      ok: z.boolean(),
      error: ClassifiedErrorSchema.nullable(),
      /** Whether the target's real layout was used. */
      targetChecked: z.boolean(),
      mappings: z.array(
        z.object({
          source: z.string(),
          target: z.string(),
          /** Why it goes there: special-use, localized name, kept path, unified root… */
          reason: z.string(),
          role: z.string().nullable(),
          /** Characters the target refuses, replaced. */
          sanitized: z.boolean(),
        }),
      ),
    }),
  ),
  'job.create': def(JobSpecSchema, z.object({ job: JobViewSchema })),
  /**
   * job.create and accounts.import of each file as one step: the job is created only if every
   * file imports (a bad row in any file creates nothing: `job` is null and `imports[i].errors`
   * name the lines), so a refused list never leaves an empty job behind. The files together
   * are at most MAX_ACCOUNT_FILES_BASE64 characters; more go through accounts.import afterwards.
   */
  'job.createWithAccounts': def(
    JobSpecSchema.extend({
      accounts: z
        .array(AccountFileSchema)
        .min(1)
        .max(50)
        .refine((files) => files.reduce((n, f) => n + f.csvBase64.length, 0) <= MAX_ACCOUNT_FILES_BASE64, 'the files together are too large for one request'),
    }),
    z.object({ job: JobViewSchema.nullable(), imports: z.array(ImportResultSchema) }),
  ),
  'job.update': def(
    z
      .object({ jobId: IdSchema, patch: JobPatchSchema, ...typedFor })
      // A target in the same patch is the server its login is typed for.
      .superRefine((p, ctx) => requireTypedFor(p, p.patch.sourceLogin?.kind === 'admin', p.patch.targetLogin?.kind === 'admin' && !p.patch.target, ctx)),
    z.object({ job: JobViewSchema }),
  ),
  'job.pause': def(JobIdParamsSchema, z.object({ job: JobViewSchema })),
  'job.resume': def(JobIdParamsSchema, z.object({ job: JobViewSchema })),
  /** 关闭搬家 for the whole job: every account closed, every stored password deleted. */
  'job.close': def(JobIdParamsSchema, z.object({ job: JobViewSchema })),
  /**
   * 到期可重新开启: reopens a closed job (status active again). Admin logins deleted when it was
   * closed are supplied again here. Every closed account of the job whose passwords are
   * available is reopened as with account.reopen; the others are listed with the reason.
   */
  'job.reopen': def(
    z
      .object({ jobId: IdSchema, sourceLogin: LoginInputSchema.optional(), targetLogin: LoginInputSchema.optional(), ...typedFor })
      .superRefine((p, ctx) => requireTypedFor(p, p.sourceLogin?.kind === 'admin', p.targetLogin?.kind === 'admin', ctx)),
    z.object({ job: JobViewSchema }).extend(BatchResultSchema.shape),
  ),
  'job.list': def(z.object({}).default({}), z.object({ jobs: z.array(JobViewSchema) })),
  /**
   * Imports up to 1000 rows (one CSV file, as bytes in base64: UTF-8 or GBK). Imports append;
   * a row whose source is already in the job updates it (new password, reopened if closed).
   * A file with any bad row imports nothing (the errors name the lines).
   */
  'accounts.import': def(AccountFileSchema.extend({ jobId: IdSchema }), ImportResultSchema),
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
  /**
   * 到期可重新开启: a closed account (window over, or closed by a person) syncs
   * again for a new incremental window (from now), or resumes its first pass if it never
   * finished one. Closing deleted its stored passwords: give them here (one account at a
   * time) or the account is refused with the missing password named.
   */
  'account.reopen': def(
    z.union([
      z
        .object({ accountIds: z.array(IdSchema).length(1), sourcePassword: Password.optional(), targetPassword: Password.optional(), ...typedFor })
        .strict()
        .superRefine((p, ctx) => requireTypedFor(p, p.sourcePassword !== undefined, p.targetPassword !== undefined, ctx)),
      AccountSelectionSchema,
    ]),
    BatchResultSchema,
  ),
  /**
   * One account with its per-folder state from the engine's store (what every run so far
   * settled per folder), for the drawer after a reload or a bridge restart.
   */
  'account.get': def(z.object({ accountId: IdSchema }), z.object({ account: AccountViewSchema, folders: z.array(FolderStateSchema) })),
  /** Messages the engine left out for an account, with the reason, a page at a time. */
  'account.skipped': def(
    z.object({ accountId: IdSchema, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) }),
    z.object({ items: z.array(SkippedMessageSchema), total: z.number().int() }),
  ),
  /** A failed account is tried again now, whatever its error (a person decided to). */
  'account.retry': def(AccountSelectionSchema, BatchResultSchema),
  /**
   * 核验: verify accounts again, both mailboxes read-only, deep (bodies by SHA-256) unless
   * `deep: false`. The checks run one account after another in the background; each
   * account's `verify` (and its account.status event) changes when its check ends. Accounts
   * before their first pass, or without a usable stored password, are refused with the reason.
   */
  'account.verify': def(
    z.union([
      z.object({ accountIds: z.array(IdSchema).min(1).max(1000), deep: z.boolean().default(true) }).strict(),
      z.object({ jobId: IdSchema, statuses: z.array(AccountStatusSchema).min(1).optional(), deep: z.boolean().default(true) }).strict(),
    ]),
    BatchResultSchema,
  ),
  /**
   * 复制缺失邮件 ("copy the missing ones"): for each account (those given, of the job, or
   * every account of the job), the messages a verify finds missing on the target are copied,
   * exactly those (recorded in the state, so the next pass counts them as copied), then the
   * account is verified again (at the depth of its last check) and its `verify` updated
   * (account.status event). Runs in the background, one account after another. Refused with
   * the reason: accounts whose last verify found nothing missing, before their first pass,
   * running a pass right now, with a POP3 source, or without a usable stored password.
   */
  'account.fixMissing': def(
    z.object({ jobId: IdSchema, accountIds: z.array(IdSchema).min(1).max(1000).optional() }).strict(),
    BatchResultSchema,
  ),
  /**
   * The employee's own credentials, for a self-service or password-less account: the old
   * mailbox's address (self-service may differ from the target) and password. Starts the account.
   * Identified by accountId, or by job + new address (what an employee knows).
   * Also how an admin enters a password again for an account in `password_needed` (the server
   * settings changed since it was stored): either password or both, at least one.
   */
  'account.credentials': def(
    z.union([
      z.object({ accountId: IdSchema, sourceUser: Address.optional(), sourcePassword: Password.optional(), targetPassword: Password.optional(), ...typedFor }).strict(),
      z.object({ jobId: IdSchema, target: Address, sourceUser: Address.optional(), sourcePassword: Password.optional(), targetPassword: Password.optional(), ...typedFor }).strict(),
    ])
      .refine((p) => p.sourcePassword !== undefined || p.targetPassword !== undefined, { message: 'give sourcePassword, targetPassword or both' })
      .superRefine((p, ctx) => requireTypedFor(p, p.sourcePassword !== undefined, p.targetPassword !== undefined, ctx)),
    z.object({ account: AccountViewSchema }),
  ),
  /**
   * 修改服务器地址和端口 (异常处理流程): `new-accounts` changes the job's default for
   * accounts that start from now on (those already started keep the old server); `all-accounts`
   * moves every account, and failed ones are retried at once.
   * Stored passwords are bound to the server they were entered for: a change of host, port,
   * security or certificate policy leaves them unusable, and the accounts that relied on them
   * wait in `password_needed`. `sourceLogin` supplies the admin login for the new server in the
   * same request, so an admin-login job moves without waiting.
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
      sourceLogin: LoginInputSchema.optional(),
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
  /** The job's report as CSV, written in the admin's language (column names, error and remedy text). */
  'report.export': def(
    JobIdParamsSchema.extend({ language: z.enum(['en', 'zh-CN']).default('en') }),
    z.object({ filename: z.string(), path: z.string(), csv: z.string() }),
  ),
  /** Queue mode: the workers taking passes from the bridge's queue (queue null and no workers when passes run in the bridge). */
  'workers.list': def(z.object({}).default({}), WorkersListSchema),
  /** Cut-over (切换): domains, DNS check, MX switch seen, after-switch checklist (cutover.ts). */
  ...CUTOVER_REQUESTS,
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

/** A request type's params schema, typed by that type (REQUESTS pairs each type with its schema). */
export function paramsSchema<T extends RequestType>(type: T): z.ZodType<RequestParams<T>> {
  return REQUESTS[type].params as unknown as z.ZodType<RequestParams<T>>;
}

export function isRequestType(type: string): type is RequestType {
  return Object.prototype.hasOwnProperty.call(REQUESTS, type);
}
