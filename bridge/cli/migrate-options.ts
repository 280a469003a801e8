import { z } from 'zod';
import { DeletedPolicySchema } from '../../shared/migration';
import { DateOptionSchema } from './endpoint-url';
import { SourceProviderOptionSchema, TargetProviderOptionSchema } from './provider-option';

/** A count option: one message for every way it can be wrong, naming the range. */
function wholeNumber(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/**
 * One --include-folder / --exclude-folder value. An empty one (an unset shell variable) would be
 * dropped further on: an include list of only '' copied every folder, the opposite of a filter.
 */
const FolderGlobSchema = z.string().min(1, { error: 'an empty value is no folder name or glob (give e.g. INBOX or Work/**)' });

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
    sourceInsecureTls: z.boolean().default(false),
    targetInsecureTls: z.boolean().default(false),
    sourceCa: z.string().min(1, { error: 'a PEM file name' }).optional(),
    targetCa: z.string().min(1, { error: 'a PEM file name' }).optional(),
    mode: z.enum(['mapped', 'unified'], { error: 'must be mapped or unified' }).default('mapped'),
    since: DateOptionSchema.optional(),
    includeFolder: z.array(FolderGlobSchema).default([]),
    excludeFolder: z.array(FolderGlobSchema).default([]),
    concurrency: wholeNumber(1, 32).optional(),
    accountConcurrency: wholeNumber(1, 64).default(2),
    stateDir: z.string().optional(),
    dryRun: z.boolean().default(false),
    deleted: DeletedPolicySchema.default('copy'),
    accounts: z.string().optional(),
    json: z.boolean().default(false),
    provider: SourceProviderOptionSchema.optional(),
    targetProvider: TargetProviderOptionSchema.optional(),
    batchMessages: wholeNumber(1, 5000).default(200),
    retries: wholeNumber(1, 20).default(5),
    pop3Retr: z.boolean().default(false),
    compress: z.boolean().default(false),
  })
  .strict();
export type MigrateCliOptions = z.infer<typeof MigrateCliOptionsSchema>;

/**
 * A usage error's text for a zod issue of these options: the option as typed, what is
 * wrong, and the value given (option values are names and numbers, never a secret: passwords
 * come from the environment or a file).
 */
export function usageText(issue: { path: PropertyKey[]; message: string }, raw: Record<string, unknown>): string {
  const given = raw[String(issue.path[0] ?? '')];
  const shown = typeof given === 'string' || typeof given === 'number' ? ` (given: ${JSON.stringify(String(given))})` : '';
  return `${optionName(issue.path)}: ${issue.message}${shown}`;
}

/** Maps a zod issue path back to the option a person typed. */
export function optionName(path: PropertyKey[]): string {
  const key = String(path[0] ?? '');
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
