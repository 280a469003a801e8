/**
 * The batch scenario: --accounts (default 1,000) small accounts of --account-messages (default
 * 5) messages each, written as maildirs straight into the source Dovecot. mailmover migrates
 * them from one CSV (`--accounts`, `--account-concurrency` = --batch-concurrency); dsync runs
 * one `doveadm backup` per account, the same number at a time. Then both run again on their
 * finished accounts (nothing new): that re-run should cost little more than a login each.
 * Reported per account: wall time / accounts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAccounts, snapshotSources, writeSmallAccount, type ReportedAccount } from './accounts';
import { batchSource, bytesOf, countOf, type Bench } from './scenarios';
import type { AccountPair, ToolRun } from './tools/common';
import { runDsyncBatch } from './tools/dsync';
import { runMailmover } from './tools/mailmover';
import type { CheckResult } from './verify';

export const BATCH_SCENARIO = 'batch';
export const BATCH_RERUN_SCENARIO = 'batch re-run';

/** Accounts whose targets are read back after a re-run: all of a small batch, an even sample of a big one. */
const RERUN_CHECK_SAMPLE = 100;

export async function batchScenario(bench: Bench): Promise<void> {
  const cfg = bench.cfg;
  const n = cfg.accounts;
  const per = cfg.accountMessages;
  const c = cfg.batchConcurrency;
  const t0 = performance.now();
  bench.log(`Batch: writing ${n} accounts x ${per} messages (INBOX and Sent) into the source maildirs`);
  const sources = Array.from({ length: n }, (_, i) => batchSource(i + 1));
  let bytes = 0;
  for (const [i, s] of sources.entries()) bytes += writeSmallAccount(bench, s, per, `batch${i + 1}`);
  bench.corpus.batch = { accounts: n, messagesPerAccount: per, bytes };
  const sourceSnaps = await snapshotSources(bench, sources);
  const messages = sourceSnaps.reduce((t, s) => t + countOf(s), 0);
  const totalBytes = sourceSnaps.reduce((t, s) => t + bytesOf(s), 0);
  bench.log(`  ${messages} messages, ${(totalBytes / 1048576).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const mmPairs: AccountPair[] = [];
  const dsPairs: AccountPair[] = [];
  for (const s of sources) mmPairs.push({ source: s, target: await bench.allocTarget() });
  const withDsync = bench.comparedTools().includes('dsync');
  if (withDsync) for (const s of sources) dsPairs.push({ source: s, target: await bench.allocTarget() });

  const csv = join(bench.scratch, 'accounts.csv');
  writeFileSync(
    csv,
    ['source,target,source_password,target_password', ...mmPairs.map((p) => [p.source.user, p.target.user, p.source.password, p.target.password].join(','))].join('\r\n') + '\r\n',
    { mode: 0o600 },
  );
  const args = [...cfg.mailmoverArgs, '--account-concurrency', String(c)];
  const stateDir = bench.stateDir();
  const label = `${n} accounts x ${per}, ${c} at a time`;
  bench.scenarioNotes[BATCH_SCENARIO] =
    `${n} accounts of ${per} messages: mailmover from one CSV (--accounts, --account-concurrency ${c}), dsync one doveadm backup per account, ${c} at a time; ms/account = wall / accounts`;
  bench.scenarioNotes[BATCH_RERUN_SCENARIO] = `the same again on the finished accounts, nothing new${n > RERUN_CHECK_SAMPLE ? ` (targets of ${RERUN_CHECK_SAMPLE} accounts, evenly spread, read back)` : ''}`;

  const check = (pairs: AccountPair[], run: ToolRun & { accounts?: ReportedAccount[] }, sample: boolean): Promise<CheckResult> =>
    checkAccounts(bench, pairs, sourceSnaps, run.accounts, sample ? RERUN_CHECK_SAMPLE : undefined);

  for (const rerun of [false, true]) {
    const scenario = rerun ? BATCH_RERUN_SCENARIO : BATCH_SCENARIO;
    await bench.settle();
    // The runner's 30-minute guard is for one mailbox; a thousand accounts on a busy machine take longer.
    const mm = await runMailmover(bench.servers, { accountsCsv: csv }, { stateDir, extraArgs: args, timeoutMs: Math.max(30 * 60_000, n * 10_000) });
    if (rerun && mm.ok && mm.copied !== 0) {
      mm.ok = false;
      mm.error = `copied ${mm.copied} messages on a re-run with nothing new`;
    }
    bench.record(scenario, label, mm, args, rerun ? 0 : messages, rerun ? 0 : totalBytes, await check(mmPairs, mm, rerun));
    if (withDsync) {
      await bench.settle();
      const ds = await runDsyncBatch(bench.servers, dsPairs, c);
      bench.record(scenario, label, ds, [], rerun ? 0 : messages, rerun ? 0 : totalBytes, await check(dsPairs, ds, rerun));
    }
  }
  for (const p of [...mmPairs, ...dsPairs]) bench.freeTarget(bench.servers.target, p.target);
}
