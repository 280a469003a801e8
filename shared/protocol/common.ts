import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';
import { WarningFactsSchema } from '../warning-facts';

/** Ids the bridge hands out (jobs, accounts, tokens): short random url-safe strings. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'not an id');

/** A request id chosen by the client; echoed in the response so it can match them. */
export const RequestIdSchema = z.string().min(1).max(64);

export const IsoDateTimeSchema = z.string().datetime({ offset: true });
export const DateOnlySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a valid date');

const HostSchema = z
  .string()
  .min(1)
  .max(253)
  // No scheme, path, spaces or credentials: a host name or an IP address only.
  .regex(/^[A-Za-z0-9.\-:[\]]+$/, 'a host name or IP address, without scheme or path');

/**
 * One mail server: address, port and transport security. `tls` = implicit TLS
 * (993/995), `starttls` = upgrade required, `plain` = no TLS (only with
 * allowPlaintext). insecureTls accepts a self-signed certificate (an explicit,
 * per-server choice shown in the UI).
 */
export const ServerSchema = z.object({
  host: HostSchema,
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'plain']),
  allowPlaintext: z.boolean().default(false),
  insecureTls: z.boolean().default(false),
});
export type Server = z.infer<typeof ServerSchema>;
export type ServerInput = z.input<typeof ServerSchema>;

/** The source server also names its protocol; POP3 copies the inbox only (POP3 has no folders). */
export const SourceServerSchema = ServerSchema.extend({ protocol: z.enum(['imap', 'pop3']).default('imap') });
export type SourceServer = z.infer<typeof SourceServerSchema>;

/** A remedy a person can act on, in English and Chinese (shared/errors.ts REMEDIES). */
export const RemedySchema = z.object({ en: z.string(), zh: z.string() });

/** A classified migration error as the UI shows it: code, what happened, what to do. */
export const ClassifiedErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** The side of the migration it came from, when the engine knows (the UI words it: 原邮箱 / 新邮箱). */
  side: z.enum(['source', 'target']).optional(),
  remedy: RemedySchema,
  /** Whether the bridge retries by itself (connection cut, throttling) or waits for a change. */
  transient: z.boolean(),
  /** Which folder (FOLDER_UNREADABLE), for the UI's own words. */
  facts: WarningFactsSchema.optional(),
});
export type ClassifiedError = z.infer<typeof ClassifiedErrorSchema>;
