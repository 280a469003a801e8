import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VerifyReportSchema, type VerifyAccount } from '../../shared/verify';
import { ByteBudget } from '../engine/byte-budget';
import { describeEndpoint, endpointProtocol } from '../engine/endpoint';
import { classifyError } from '../engine/errors';
import type { AccountJob } from '../engine/account-job';
import { StateStore } from '../engine/state-store';
import { copyMissing } from '../verify/copy-missing';
import { summarise } from '../verify/summary';
import { verifyAccount } from '../verify/verify-account';
import { buildJobs } from './build-jobs';
import { defaultDataDir } from './data-dir';
import { UsageError } from './endpoint-url';
import { usageText } from './migrate-options';
import { VerifyCliOptionsSchema, asMigrateOptions, type VerifyCliOptions } from './verify-options';
import { pool } from './pool';
import { tlsOptOutWarning } from './tls-options';

export interface VerifyOutcome {
  exitCode: 0 | 1 | 2;
  accounts: VerifyAccount[];
}

export function parseVerifyOptions(raw: Record<string, unknown>): VerifyCliOptions {
  const parsed = VerifyCliOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(usageText(issue, raw));
  }
  return parsed.data;
}

/**
 * `verify`: reads both sides of every account again and says, per folder, what matched and
 * what is missing, extra or changed (one JSON document on stdout with --json, a summary on
 * stderr). Exit 0 when every account is verified, 1 when one has differences or failed.
 */
export async function runVerify(raw: Record<string, unknown>, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<VerifyOutcome> {
  const opts = parseVerifyOptions(raw);
  const jobs: AccountJob[] = await buildJobs(asMigrateOptions(opts));
  const stateDir = opts.stateDir ?? join(defaultDataDir(), 'state');
  const budget = new ByteBudget(jobs[0]?.options.budgetBytes ?? 16 * 1024 * 1024);
  // Only --fix writes, and only then is the state store opened for writing (to record the new copies).
  const store = opts.fix && existsSync(join(stateDir, 'mailmover.sqlite')) ? StateStore.open(stateDir) : undefined;
  try {
    const accounts = await pool(jobs, opts.accountConcurrency, async (job) => {
      io.stderr.write(`Verifying${opts.deep ? ' (deep)' : ''} ${describeEndpoint(job.source)} -> ${describeEndpoint(job.target)}\n`);
      const first = await verifyAccount(job, { deep: opts.deep, stateDir }, { budget });
      if (!opts.fix || first.status === 'failed' || first.totals.missing === 0) return first;
      if (endpointProtocol(job.source) === 'pop3') {
        // POP3 has no UIDs to fetch by; a migrate run with the same state copies what its UIDLs say is missing.
        io.stderr.write(`--fix copies from an IMAP source only; for the POP3 source of ${job.source.user} run migrate again.\n`);
        return first;
      }
      io.stderr.write(`Copying the ${first.totals.missing} missing message(s) of ${job.source.user} (--fix)\n`);
      let fixed;
      try {
        fixed = await copyMissing(job, first, store);
      } catch (err) {
        const e = classifyError(err, { side: 'target', account: job.target.user, host: job.target.host, port: job.target.port });
        return { ...first, status: 'failed' as const, error: { code: e.code, message: `--fix: ${e.message}` } };
      }
      for (const r of fixed.refused) io.stderr.write(`  refused by the target: ${r.folder} UID ${r.uid}: ${r.reason}\n`);
      const after = await verifyAccount(job, { deep: opts.deep, stateDir }, { budget });
      return { ...after, fixed: fixed.copied };
    });
    for (const a of accounts) io.stderr.write(summarise(a) + '\n');
    const unchecked = tlsOptOutWarning(jobs, opts);
    if (unchecked) io.stderr.write(`${unchecked}\n`);
    const report = VerifyReportSchema.parse({ accounts });
    if (opts.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return { exitCode: accounts.every((a) => a.status === 'verified') ? 0 : 1, accounts };
  } finally {
    store?.close();
  }
}
