import { z } from 'zod';
import { MigrateCliOptionsSchema, type MigrateCliOptions } from './migrate-options';

/**
 * The `verify` command's options: migrate's endpoint, login, mode, filter, --accounts and
 * --state-dir options (so the same command line with `verify` in place of `migrate`
 * checks that migration), plus --deep and --fix. Options that only steer copying are left out.
 */
export const VerifyCliOptionsSchema = MigrateCliOptionsSchema.omit({
  concurrency: true,
  dryRun: true,
  batchMessages: true,
  retries: true,
  pop3Retr: true,
  compress: true,
})
  .extend({
    deep: z.boolean().default(false),
    fix: z.boolean().default(false),
  })
  .strict();
export type VerifyCliOptions = z.infer<typeof VerifyCliOptionsSchema>;

/** The migrate options buildJobs needs, with the copy-only ones at their defaults. */
export function asMigrateOptions(o: VerifyCliOptions): MigrateCliOptions {
  const { deep: _deep, fix: _fix, ...rest } = o;
  return { ...rest, concurrency: 1, dryRun: false, batchMessages: 200, retries: 1, pop3Retr: false, compress: false };
}
