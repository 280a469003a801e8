import { z } from 'zod';
import { DeletedPolicySchema } from '../../shared/migration';
import { DateOptionSchema } from './endpoint-url';

/** The `migrate` command's options as commander hands them over, checked once here. */
export const MigrateCliOptionsSchema = z
  .object({
    source: z.string({ error: '--source is required (imap://host or imaps://host)' }),
    target: z.string({ error: '--target is required (imap://host or imaps://host)' }),
    sourceUser: z.string().optional(),
    targetUser: z.string().optional(),
    sourcePasswordEnv: z.string().optional(),
    targetPasswordEnv: z.string().optional(),
    sourcePasswordFile: z.string().optional(),
    targetPasswordFile: z.string().optional(),
    sourceAuthUser: z.string().optional(),
    targetAuthUser: z.string().optional(),
    sourceAuthForm: z.enum(['authzid', 'separator']).default('authzid'),
    targetAuthForm: z.enum(['authzid', 'separator']).default('authzid'),
    sourceOauthTokenEnv: z.string().optional(),
    targetOauthTokenEnv: z.string().optional(),
    allowPlaintext: z.boolean().default(false),
    insecureTls: z.boolean().default(false),
    mode: z.enum(['mapped', 'unified'], { error: '--mode must be mapped or unified' }).default('mapped'),
    since: DateOptionSchema.optional(),
    includeFolder: z.array(z.string()).default([]),
    excludeFolder: z.array(z.string()).default([]),
    concurrency: z.coerce.number({ error: '--concurrency must be a number' }).int().min(1).max(32).optional(),
    accountConcurrency: z.coerce.number().int().min(1).max(64).default(2),
    stateDir: z.string().optional(),
    dryRun: z.boolean().default(false),
    deleted: DeletedPolicySchema.default('copy'),
    accounts: z.string().optional(),
    json: z.boolean().default(false),
    provider: z.string().optional(),
    targetProvider: z.string().optional(),
    batchMessages: z.coerce.number({ error: '--batch-messages must be a number' }).int().min(1).max(5000).default(200),
    retries: z.coerce.number().int().min(1).max(20).default(5),
    pop3Retr: z.boolean().default(false),
    compress: z.boolean().default(false),
  })
  .strict();
export type MigrateCliOptions = z.infer<typeof MigrateCliOptionsSchema>;

/** Maps a zod issue path back to the option a person typed. */
export function optionName(path: PropertyKey[]): string {
  const key = String(path[0] ?? '');
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
