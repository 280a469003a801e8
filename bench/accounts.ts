/**
 * Many small accounts, shared by the batch and cluster scenarios: written as maildirs
 * straight into the source Dovecot (INBOX and Sent), and read back per account after a run
 * through the folder mapping the CLI's JSON reported for that account.
 */
import { writeMaildirFolder, smallMessages } from './maildir-writer';
import type { Bench } from './scenarios';
import type { DovecotUser } from '../test/harness/dovecot';
import type { AccountPair } from './tools/common';
import { compareSnapshots, mergeChecks, snapshot, type CheckResult, type Snapshot } from './verify';

/** Runs `fn` over `items`, `n` at a time. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** `per` small messages into `user`'s INBOX and Sent (two fifths in Sent); bytes written. */
export function writeSmallAccount(bench: Bench, user: DovecotUser, per: number, label: string): number {
  const sent = Math.floor((per * 2) / 5);
  const msgs = [...smallMessages(per, bench.cfg.seed, label)];
  let bytes = writeMaildirFolder(bench.servers.source, user.user, 'INBOX', msgs.slice(0, per - sent)).bytes;
  if (sent) bytes += writeMaildirFolder(bench.servers.source, user.user, 'Sent', msgs.slice(per - sent)).bytes;
  return bytes;
}

/** Each account's source snapshot; reading them once also lets Dovecot index them before anything is measured. */
export function snapshotSources(bench: Bench, users: DovecotUser[]): Promise<Snapshot[]> {
  return pool(users, 4, (s) => snapshot(bench.servers.source, s, { connections: 1 }));
}

/** What the CLI's JSON says of one account: its folder mapping. */
export interface ReportedAccount {
  source: string;
  folders: Array<{ source: string; target: string }>;
}

/**
 * Compares every account's target with its source snapshot (`pairs[i]` with `sourceSnaps[i]`),
 * through the mapping the run reported for it; `sample` reads back at most `sample` accounts,
 * evenly spread.
 */
export async function checkAccounts(bench: Bench, pairs: AccountPair[], sourceSnaps: Snapshot[], reported: ReportedAccount[] | undefined, sample?: number): Promise<CheckResult> {
  const idx = pairs.map((_, i) => i).filter((i) => sample === undefined || pairs.length <= sample || i % Math.ceil(pairs.length / sample) === 0);
  const checks = await pool(idx, 4, async (i) => {
    const p = pairs[i]!;
    const acct = reported?.find((a) => a.source === p.source.user);
    const mapping = new Map((acct?.folders ?? []).map((f) => [f.source, f.target] as [string, string]));
    return compareSnapshots(sourceSnaps[i] as Snapshot, await snapshot(bench.servers.target, p.target, { connections: 1 }), mapping);
  });
  return mergeChecks(checks);
}
