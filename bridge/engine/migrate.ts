import type { ErrorInfo } from '../../shared/errors';
import type { AccountResult } from '../../shared/migration';
import { endpointProtocol } from './endpoint';
import { MigrationError } from './errors';
import { accountKey, type AccountJob } from './account-job';
import { migrateAccount } from './migrate-account';
import { mailboxKey } from '../../shared/csv/same-mailbox';
import { isSameServer } from './same-server-address';
import { holdLayout } from './folder-layout';
import { acquirePairLock, PairLockDirError, type PairLockAttempt, type PairLockRecord } from './pair-lock';
import { migratePop3Account, type Pop3MigrateHooks } from './pop3/migrate-pop3';
import type { StateStore } from './state-store';

export type { AccountJob, MigrateHooks } from './account-job';
export type { Pop3MigrateHooks } from './pop3/migrate-pop3';

/**
 * Migrates one account, choosing the engine by the source's protocol: IMAP folders
 * (migrateAccount) or a POP3 maildrop (migratePop3Account). The target is always IMAP.
 * Same result and progress shapes either way. A run holds its mailbox pair's lock from start to
 * end (pair-lock.ts): a second run of the pair on this machine fails at once as ALREADY_RUNNING,
 * before any login. So does a run in another folder layout than the account's copies were made
 * in (folder-layout.ts).
 */
export async function migrate(job: AccountJob, store: StateStore, hooks: Pop3MigrateHooks = {}): Promise<AccountResult> {
  if (endpointProtocol(job.target) !== 'imap') {
    const err = new MigrationError('CONFIG_INVALID', `The target ${job.target.user} at ${job.target.host}:${job.target.port} must be an IMAP server: POP3 can only be read from.`, { side: 'target' });
    return refused(job, hooks, err);
  }
  const self = await copiedOntoItself(job);
  if (self) return refused(job, hooks, self);
  // One run per mailbox pair across processes (pair-lock.ts), for the whole run. Not a dry run:
  // it writes nothing, so it neither needs the pair to itself nor keeps another run from it.
  // It is refused for another layout as the run would be (folder-layout.ts), recording none.
  if (job.options.dryRun) {
    const otherLayout = holdLayout(job, store, false);
    return otherLayout ? refused(job, hooks, otherLayout) : run(job, store, hooks);
  }
  let attempt: PairLockAttempt;
  try {
    attempt = await acquirePairLock(job.source, job.target);
  } catch (err) {
    const why = err instanceof PairLockDirError ? err.message : `The lock of this mailbox pair could not be taken: ${(err as Error)?.message ?? String(err)}`;
    return refused(job, hooks, new MigrationError(err instanceof PairLockDirError ? 'CONFIG_INVALID' : 'INTERNAL', why, { cause: err }));
  }
  if (!attempt.ok) return refused(job, hooks, alreadyRunning(job, attempt.holder, attempt.file));
  try {
    // Under the lock: no other run of the pair records its layout meanwhile.
    const otherLayout = holdLayout(job, store, true);
    if (otherLayout) return refused(job, hooks, otherLayout);
    return await run(job, store, hooks);
  } finally {
    attempt.lock.release();
  }
}

function run(job: AccountJob, store: StateStore, hooks: Pop3MigrateHooks): Promise<AccountResult> {
  return endpointProtocol(job.source) === 'pop3' ? migratePop3Account(job, store, hooks) : migrateAccount(job, store, hooks);
}

/**
 * The same login on one server (two names or two mail ports of it: same-server-address.ts) on
 * both sides: copied onto itself, a mailbox gains a copy of its own mail, and in unified mode a
 * copy of those copies on every run. The CLI refuses such a row before anything runs; this holds
 * for the service and the queue workers too, whose jobs name their servers as the admin typed
 * them. Only the same login is looked up: other mailboxes of one server are a domain change.
 */
async function copiedOntoItself(job: AccountJob): Promise<MigrationError | undefined> {
  if (mailboxKey(job.source.user) !== mailboxKey(job.target.user) || !(await isSameServer(job.source, job.target))) return undefined;
  return new MigrationError(
    'CONFIG_INVALID',
    `${side(job.source)} and ${side(job.target)} are one mailbox on one server: copied onto itself it would gain a copy of every message. Nothing was done; give the new mailbox (another login, or the new provider's server) as the target.`,
    { side: 'target' },
  );
}

/** `user on host:port`, for a person: no password. */
const side = (ep: AccountJob['source']): string => `${ep.user} on ${ep.host}:${ep.port}`;

/**
 * ALREADY_RUNNING: another process of this machine holds the pair's lock. Names both mailboxes,
 * the holder's pid and since when (when its record says), and what to do.
 */
export function alreadyRunning(job: AccountJob, holder: PairLockRecord | null, file: string): MigrationError {
  const who = holder ? `process ${holder.pid}, running since ${holder.since}` : `a process that holds the lock file ${file}`;
  const stop = holder ? `stop it (process ${holder.pid})` : 'stop it';
  return new MigrationError(
    'ALREADY_RUNNING',
    `Another mailmover run on this computer (${who}) is already migrating ${side(job.source)} to ${side(job.target)}; ` +
      `two runs of one mailbox pair at once would both copy the same new messages. Nothing was done for this account: ` +
      `wait for that run to finish, or ${stop}, then run this again.`,
    holder ? { facts: { kind: 'already-running', pid: holder.pid, since: holder.since } } : {},
  );
}

/** The result of an account refused before anything ran (no login, nothing on the target), with its 'failed' progress. */
function refused(job: AccountJob, hooks: Pop3MigrateHooks, err: MigrationError): AccountResult {
  hooks.onProgress?.({
    type: 'account-progress',
    account: accountKey(job),
    phase: 'failed',
    messagesTotal: 0,
    messagesCopied: 0,
    messagesSkipped: 0,
    messagesAlreadyPresent: 0,
    bytesTotal: 0,
    bytesCopied: 0,
    rate: 0,
    bytesPerSecond: 0,
    etaSeconds: 0,
    folders: [],
  });
  return notRunResult(job, err.toInfo());
}

/** The result of an account that failed before anything was copied (refused, or never started). */
export function notRunResult(job: AccountJob, error: ErrorInfo): AccountResult {
  return {
    source: job.source.user,
    target: job.target.user,
    status: 'failed',
    messagesCopied: 0,
    messagesSkipped: 0,
    messagesAlreadyPresent: 0,
    bytesCopied: 0,
    folders: [],
    skipped: [],
    warnings: [],
    error,
  };
}
