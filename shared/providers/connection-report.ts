/**
 * Wire format of the connection test (连接测试) and of provider auto-detection (自动识别): what
 * `testConnection()` (bridge/diagnose) returns, what `mailmover-bridge test-connection --json`
 * prints, and what the bridge protocol hands to the UI. No secret is ever part of it.
 */
import { WarningFactsSchema } from '../warning-facts';
import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';

export const TextSchema = z.object({ en: z.string(), zh: z.string() });
const IsoSchema = z.string().datetime({ offset: true });
const SecuritySchema = z.enum(['tls', 'starttls', 'plain']);
export const ConfidenceSchema = z.enum(['guide', 'documented', 'known', 'unverified']);

export const ServerSettingSchema = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  security: SecuritySchema,
  confidence: ConfidenceSchema,
  source: z.string().optional(),
  note: TextSchema.optional(),
});

/** A provider pitfall as the UI shows it (shared/providers/types.ts Pitfall, without its triggers). */
export const PitfallViewSchema = z.object({
  id: z.string(),
  action: z.enum(['enable', 'disable', 'set', 'use', 'check', 'avoid', 'contact']),
  audience: z.enum(['user', 'admin']),
  what: TextSchema,
  where: TextSchema.optional(),
  why: TextSchema,
  confidence: ConfidenceSchema,
  source: z.string().optional(),
});
export type PitfallView = z.infer<typeof PitfallViewSchema>;

/**
 * Result of provider auto-detection for an address.
 * via: 'manual' (chosen), 'host' (the server name is a preset's), 'cname' (the server name is an
 * alias of a preset's), 'domain' (well-known consumer domain, no DNS), 'mx' (the domain's MX hosts),
 * 'greeting' (the server names its software). null: not detected (manual entry).
 */
export const ProviderDetectionSchema = z.object({
  domain: z.string().nullable(),
  presetId: z.string().nullable(),
  /** The folder-names provider id (shared/folders/localized-names.ts), for the migration's providerHint. */
  provider: z.string().nullable(),
  label: TextSchema.nullable(),
  via: z.enum(['manual', 'host', 'cname', 'domain', 'mx', 'greeting']).nullable(),
  dns: z.enum(['ok', 'nxdomain', 'no-mx', 'timeout', 'error', 'skipped']),
  dnsError: z.string().nullable(),
  /** MX records of the domain, most preferred first (null when not looked up). */
  mx: z.array(z.object({ exchange: z.string(), priority: z.number().int() })).nullable(),
  matchedMx: z.string().nullable(),
  /** Suggested IMAP servers, preferred first (empty: enter the server by hand). */
  imap: z.array(ServerSettingSchema),
  pop3: z.array(ServerSettingSchema),
  /** true when the server must be entered by hand (unknown provider, or self-hosted without a fixed host). */
  manual: z.boolean(),
  hostHint: TextSchema.nullable(),
});
export type ProviderDetection = z.infer<typeof ProviderDetectionSchema>;

export const ConnectionStageSchema = z.enum(['config', 'dns', 'tcp', 'tls', 'greeting', 'auth', 'folders', 'quota', 'pop3']);
export type ConnectionStage = z.infer<typeof ConnectionStageSchema>;

/** Same shape as shared/protocol ClassifiedError (code, message, remedy, transient) plus where it failed. */
export const ConnectionErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  remedy: TextSchema,
  transient: z.boolean(),
  stage: ConnectionStageSchema,
  /** The server's own words, when it said something (never contains the password). */
  serverText: z.string().nullable(),
  /** The provider's pitfalls for this error, as a checklist. */
  hints: z.array(PitfallViewSchema),
  /** What the error is about, as data (a port that answered as another service), for the UI's own words. */
  facts: WarningFactsSchema.optional(),
});
export type ConnectionError = z.infer<typeof ConnectionErrorSchema>;

export const StepSchema = z.object({
  stage: ConnectionStageSchema,
  status: z.enum(['ok', 'failed', 'skipped', 'warning']),
  ms: z.number().int().nonnegative().nullable(),
  detail: z.string().nullable(),
});

export const CertificateSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  subjectAltNames: z.array(z.string()),
  validFrom: IsoSchema,
  validTo: IsoSchema,
  expired: z.boolean(),
  notYetValid: z.boolean(),
  daysLeft: z.number().int(),
  fingerprint256: z.string(),
  serialNumber: z.string(),
});

export const TlsInfoSchema = z.object({
  /** 'tls' = implicit TLS (imaps://), 'starttls' = upgraded plain connection (imap://). */
  mode: z.enum(['tls', 'starttls']),
  /** e.g. 'TLSv1.3' */
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  certificate: CertificateSchema.nullable(),
  /** The server's certificate is signed by itself (reported also when --insecure-tls accepted it). */
  selfSigned: z.boolean(),
  /** Chain verified against the system CAs (and a configured CA) and the name matches. */
  trusted: z.boolean(),
  /** OpenSSL's verdict, e.g. 'DEPTH_ZERO_SELF_SIGNED_CERT'; null when the chain verified. */
  authorizationError: z.string().nullable(),
  hostnameMatches: z.boolean(),
  hostnameError: z.string().nullable(),
  /** verified: trusted; insecure-accepted: not trusted but --insecure-tls; rejected: not trusted, test stopped. */
  accepted: z.enum(['verified', 'insecure-accepted', 'rejected']),
});
export type TlsInfo = z.infer<typeof TlsInfoSchema>;

export const MessageRefSchema = z.object({ uid: z.number().int().positive(), internalDate: IsoSchema });

export const FolderReportSchema = z.object({
  path: z.string(),
  delimiter: z.string().nullable(),
  /** Server-declared special-use (RFC 6154), e.g. '\\Sent'. */
  specialUse: z.string().nullable(),
  flags: z.array(z.string()),
  selectable: z.boolean(),
  /** STATUS MESSAGES */
  messages: z.number().int().nonnegative().nullable(),
  /** STATUS SIZE in octets (RFC 8438, STATUS=SIZE); null when the server does not support it. */
  size: z.number().int().nonnegative().nullable(),
  /** UIDVALIDITY as a decimal string (it may exceed 2^53 on odd servers). */
  uidValidity: z.string().nullable(),
  uidNext: z.number().int().nullable(),
  /** INTERNALDATE of the message with the lowest UID (see ConnectionReport.datesMethod). */
  oldest: MessageRefSchema.nullable(),
  /** INTERNALDATE of the message with the highest UID. */
  newest: MessageRefSchema.nullable(),
  /** Not examined because of the folder limit. */
  skipped: z.boolean(),
  error: z.string().nullable(),
});
export type FolderReport = z.infer<typeof FolderReportSchema>;

export const QuotaResourceSchema = z.object({
  /** 'STORAGE' (usage/limit in bytes, converted from the KiB on the wire), 'MESSAGE' (count), others as sent. */
  name: z.string(),
  usage: z.number().nonnegative(),
  limit: z.number().nonnegative().nullable(),
});

export const QuotaReportSchema = z.discriminatedUnion('available', [
  z.object({ available: z.literal(true), root: z.string(), resources: z.array(QuotaResourceSchema) }),
  z.object({
    available: z.literal(false),
    /** not-advertised: no QUOTA capability; no-quota-root: GETQUOTAROOT named no root (no limit); error: the command failed. */
    reason: z.enum(['not-advertised', 'no-quota-root', 'error', 'not-reached']),
    detail: z.string().nullable(),
  }),
]);
export type QuotaReport = z.infer<typeof QuotaReportSchema>;

export const Pop3ReportSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  security: SecuritySchema,
  status: z.enum(['ok', 'failed', 'skipped']),
  /** STAT: messages in the POP3 mailbox (the inbox at most providers). */
  messages: z.number().int().nonnegative().nullable(),
  octets: z.number().int().nonnegative().nullable(),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
  detail: z.string().nullable(),
});
export type Pop3Report = z.infer<typeof Pop3ReportSchema>;

export const WARNING_CODES = [
  /** Only about the last 30 days of mail are visible (download range of Tencent / NetEase / 263). */
  'RECENT_ONLY',
  /** POP3 shows more inbox messages than IMAP, and the visible mail is older than the window. */
  'IMAP_FEWER_THAN_POP3',
  /** POP3 shows fewer messages than IMAP (POP3 download range limited: a POP3 migration would be incomplete). */
  'POP3_FEWER_THAN_IMAP',
  'POP3_CHECK_FAILED',
  /** TLS certificate not trusted, accepted because of --insecure-tls. */
  'TLS_NOT_VERIFIED',
  'TLS_CERT_EXPIRING',
  /** No TLS at all (--allow-plaintext). */
  'PLAINTEXT',
  /** More folders than the test examines; the rest are listed without counts. */
  'FOLDER_LIMIT',
  'FOLDER_ERROR',
  /** The server has no STATUS=SIZE: folder sizes are unknown. */
  'NO_STATUS_SIZE',
  /** The provider was recognised from the domain's MX records, which point to the NEW system after the switch. */
  'PROVIDER_FROM_MX',
] as const;
export const WarningCodeSchema = z.enum(WARNING_CODES);
export type WarningCode = z.infer<typeof WarningCodeSchema>;

export const ConnectionWarningSchema = z.object({
  code: WarningCodeSchema,
  severity: z.enum(['warning', 'info']),
  message: TextSchema,
  /** The observations behind it (counts, dates, ages). */
  evidence: z.record(z.string(), z.unknown()).optional(),
  hints: z.array(PitfallViewSchema),
});
export type ConnectionWarning = z.infer<typeof ConnectionWarningSchema>;

export const ConnectionReportSchema = z
  .object({
    ok: z.boolean(),
    testedAt: IsoSchema,
    durationMs: z.number().int().nonnegative(),
    server: z.object({
      host: z.string(),
      port: z.number().int(),
      security: SecuritySchema,
      user: z.string(),
      /** The admin (master user) that logged in on behalf of `user`, if any. */
      authUser: z.string().nullable(),
      authKind: z.enum(['password', 'master', 'oauth2']),
    }),
    provider: ProviderDetectionSchema.nullable(),
    steps: z.array(StepSchema),
    dns: z.object({ addresses: z.array(z.string()), ms: z.number().int().nonnegative() }).nullable(),
    tls: TlsInfoSchema.nullable(),
    /** The server's greeting line. */
    greeting: z.string().nullable(),
    /** The server's IMAP ID reply (RFC 2971), e.g. { name: 'Dovecot' }. */
    serverId: z.record(z.string(), z.string()).nullable(),
    capabilities: z.object({
      /** Before login (after STARTTLS when used). */
      preAuth: z.array(z.string()).nullable(),
      /** After login. */
      postAuth: z.array(z.string()).nullable(),
    }),
    authenticated: z.boolean(),
    folders: z.array(FolderReportSchema).nullable(),
    /** Sums over the examined folders, without virtual views (\\All, \\Flagged) that repeat other folders' mail. */
    totals: z
      .object({
        folders: z.number().int().nonnegative(),
        messages: z.number().int().nonnegative(),
        /** null when some folder's size is unknown. */
        size: z.number().int().nonnegative().nullable(),
        oldest: IsoSchema.nullable(),
        newest: IsoSchema.nullable(),
      })
      .nullable(),
    /** Whether the server supports STATUS=SIZE (RFC 8438); null when not logged in. */
    statusSize: z.boolean().nullable(),
    /**
     * Oldest/newest dates are the INTERNALDATEs of the lowest and highest UID of each folder (two
     * small FETCHes per folder instead of reading every date). Mail appended out of date order
     * (e.g. by an earlier migration) makes them approximate.
     */
    datesMethod: z.literal('internaldate-of-lowest-and-highest-uid'),
    quota: QuotaReportSchema.nullable(),
    pop3: Pop3ReportSchema.nullable(),
    warnings: z.array(ConnectionWarningSchema),
    /** What to check before a migration from this provider (准备工作清单): the generic checks plus the provider's own. */
    checklist: z.array(PitfallViewSchema),
    error: ConnectionErrorSchema.nullable(),
  })
  .refine((r) => r.ok === (r.error === null), { message: 'ok must be true exactly when there is no error' });
export type ConnectionReport = z.infer<typeof ConnectionReportSchema>;
