import { ByteBudget } from '../engine/byte-budget';
import { join } from 'node:path';
import { z } from 'zod';
import type { AccountResult } from '../../shared/migration';
import { describeEndpoint } from '../engine/endpoint';
import { tlsHint } from './tls-hint';
import { tlsOptOutWarning } from './tls-options';
import { migrate, notRunResult, type AccountJob } from '../engine/migrate';
import { StateStore } from '../engine/state-store';
import { buildJobs } from './build-jobs';
import { defaultDataDir } from './data-dir';
import { UsageError } from './endpoint-url';
import { MigrateCliOptionsSchema, usageText } from './migrate-options';
import { ProgressOutput } from './progress-output';
import { pool } from './pool';
import { unreachableAccounts } from './server-reachability';
import { batchExitCode, warningLine, writeBatchSummary } from './batch-summary';

export interface MigrateOutcome {
  /** 130 / 143: stopped by SIGINT (Ctrl+C) / SIGTERM, as shells report a command a signal ended (and as `migrate --queue` exits on Ctrl+C). */
  exitCode: 0 | 1 | 2 | 130 | 143;
  results: AccountResult[];
}

export function parseMigrateOptions(raw: Record<string, unknown>) {
  const parsed = MigrateCliOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(usageText(issue, raw));
  }
  return parsed.data;
}

export async function runMigrate(raw: Record<string, unknown>, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream }): Promise<MigrateOutcome> {
  const opts = parseMigrateOptions(raw);
  const jobs: AccountJob[] = await buildJobs(opts);
  const stateDir = opts.stateDir ?? join(defaultDataDir(), 'state');
  const store = StateStore.open(stateDir);
  const progress = new ProgressOutput(io.stderr);
  const controller = new AbortController();
  // One memory budget for the whole batch: accounts migrated at once share it.
  const budget = new ByteBudget(jobs[0]?.options.budgetBytes ?? 16 * 1024 * 1024);
  let stoppedBy: 130 | 143 | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    progress.line('Stopping: letting in-flight APPENDs finish; the next run resumes from the checkpoint.');
    stoppedBy ??= signal === 'SIGINT' ? 130 : 143;
    progress.stopping = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // A batch checks its servers first; a single account finds out with its first login, as soon.
    const unreachable = jobs.length > 1 ? await unreachableAccounts(jobs, (line) => progress.line(line)) : new Map();
    const results = await pool(jobs, opts.accountConcurrency, async (job) => {
      const cannotReach = unreachable.get(job);
      if (cannotReach) return notRunResult(job, cannotReach);
      // Stopped: an account not begun yet is not begun now (no login, no folder on its target).
      if (controller.signal.aborted) {
        return notRunResult(job, { code: 'CANCELLED', message: `${job.source.user} was not started: the run was stopped before its turn; run the same command again to migrate it.` });
      }
      progress.line(`${opts.dryRun ? 'Dry run' : 'Migrating'} ${describeEndpoint(job.source)} -> ${describeEndpoint(job.target)}`);
      // IMAP or POP3 source, by the job's source protocol.
      const result = await migrate(job, store, {
        signal: controller.signal,
        budget,
        // A dry run counts folders without planning them: its progress would say "0/0 messages".
        onProgress: opts.dryRun ? undefined : (p) => progress.update(p),
        onRetry: (err, attempt, delay) => progress.line(`Retry ${attempt} for ${job.source.user} in ${delay} ms: [${err.code}] ${err.message}`),
      });
      for (const w of result.warnings) progress.line(warningLine(job.source.user, w));
      // Stopped by Ctrl+C / SIGTERM: not a failure; the summary says STOPPED and how to carry on.
      if (result.error?.code === 'CANCELLED' && stoppedBy !== undefined) progress.line(`Stopped ${job.source.user}: the same command carries on from its checkpoint.`);
      else if (result.error) progress.line(`Failed ${job.source.user}: [${result.error.code}] ${result.error.message}`);
      if (result.error?.code === 'TLS_FAILED' && /certificate/i.test(result.error.message)) {
        const side = result.error.side ?? 'source';
        if (!job[side].insecureTls) progress.line(tlsHint(side, job));
      }
      if (opts.dryRun) {
        // POP3 gives a message's date only in its header, which only the copy reads.
        const whole = opts.since && job.source.protocol === 'pop3' ? ' (all of them: POP3 tells dates only in each message, so --since is applied while copying)' : '';
        for (const f of result.folders) progress.line(`  ${f.source} -> ${f.target}: ${f.total} messages${whole}`);
      }
      return result;
    });
    progress.stop();
    writeBatchSummary(results, io, opts.json);
    // Not checking a certificate is the user's explicit choice; a run that made it says so, also when it went well.
    const unchecked = tlsOptOutWarning(jobs, opts);
    if (unchecked) io.stderr.write(`${unchecked}\n`);
    return { exitCode: stoppedBy ?? batchExitCode(results), results };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
}

export const ExitCode = z.union([z.literal(0), z.literal(1), z.literal(2)]);
