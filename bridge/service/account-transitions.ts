import type { AccountStatus } from '../../shared/protocol/account';
import type { ClassifiedError } from '../../shared/protocol/common';
import type { AccountPatch, AccountRecord } from './accounts-repo';
import type { MissingCredential } from './account-endpoints';
import { classified } from './views';

/**
 * The changes of an account's state that requests and runs make, as pure functions of the
 * account (and the clock where time matters), so each rule is written once and unit-tested
 * on its own. run-outcome.ts decides what a run's end does; these are the other moves.
 */

/** Statuses whose account is (or will soon be) run by the scheduler. */
export const ACTIVE: readonly AccountStatus[] = ['in_progress', 'syncing'];
/** Statuses of accounts that never started: a source server change for "new accounts" applies to them. */
export const NOT_YET_STARTED: readonly AccountStatus[] = ['not_enabled', 'not_started'];

/**
 * Back in the queue for a pass, with the failure count and any back-off reset. `keepError`:
 * the last error stays shown until the next run ends (a retry or requeue after a change, as
 * opposed to a person starting the account). `status` keeps a syncing account syncing.
 */
export function queued(opts: { keepError?: boolean; status?: 'in_progress' | 'syncing' } = {}): AccountPatch {
  return {
    status: opts.status ?? 'in_progress',
    phase: 'queued',
    ...(opts.keepError ? {} : { error: null }),
    failures: 0,
    nextRunAt: null,
  };
}

/** The error an account waiting for a password again shows. */
export function passwordNeededError(a: Pick<AccountRecord, 'source'>, missing: readonly MissingCredential[]): ClassifiedError {
  return classified({
    code: 'CONFIG_INVALID',
    message: `The ${missing.join(' and ')} password for ${a.source} must be entered again: none is stored for the current server settings (a password is only used with the server, port and security it was entered for).`,
    ...(missing.length === 1 ? { side: missing[0] } : {}),
  });
}

/** Waits until the missing passwords are entered again; not run meanwhile. */
export function passwordNeeded(a: Pick<AccountRecord, 'source'>, missing: readonly MissingCredential[]): AccountPatch {
  return { status: 'password_needed', phase: null, nextRunAt: null, error: passwordNeededError(a, missing) };
}

export const paused = (): AccountPatch => ({ status: 'paused', phase: null, nextRunAt: null });

export const closed = (): AccountPatch => ({ status: 'closed', phase: null, nextRunAt: null });

/** A run starts: one more attempt, the start time kept from the first one. */
export function runStarted(a: Pick<AccountRecord, 'attempts' | 'startedAt'>, nowIso: string): AccountPatch {
  return { phase: 'connecting', attempts: a.attempts + 1, startedAt: a.startedAt ?? nowIso, nextRunAt: null };
}

/**
 * A closed account reopened: with incremental sync on and its first pass done, it syncs for a
 * new window from now; otherwise it runs a pass (its first, or one more when sync is off).
 */
export function reopened(a: Pick<AccountRecord, 'firstPassDoneAt'>, incremental: { intervalMinutes: number; windowDays: number }, now: number): AccountPatch {
  if (a.firstPassDoneAt && incremental.intervalMinutes > 0) {
    return { status: 'syncing', phase: null, error: null, failures: 0, nextRunAt: now, syncUntil: now + Math.round(incremental.windowDays * 86_400_000) };
  }
  return { ...queued(), syncUntil: null };
}

/** After the employee's (or admin's) passwords arrived: a syncing account runs now, one with all it needs is queued. */
export function credentialsReceived(a: Pick<AccountRecord, 'status'>, missing: readonly MissingCredential[], now: number): AccountPatch {
  if (a.status === 'paused') return {};
  if (a.status === 'syncing') return { nextRunAt: now, error: null, failures: 0 };
  if (missing.length) return {};
  return queued();
}

/** A changed incremental window length moves the end of a running window (its start stays). */
export function windowMoved(a: Pick<AccountRecord, 'status' | 'syncUntil' | 'nextRunAt'>, oldDays: number, newDays: number): AccountPatch | undefined {
  if (oldDays === newDays || a.syncUntil === null || a.status === 'closed') return undefined;
  const syncUntil = a.syncUntil + Math.round((newDays - oldDays) * 86_400_000);
  return { syncUntil, ...(a.status === 'syncing' && a.nextRunAt !== null && a.nextRunAt > syncUntil ? { nextRunAt: syncUntil } : {}) };
}

/**
 * Incremental sync turned on for a job: an account that stopped at "first pass done" because it
 * was off syncs now, for the window that began with its first pass (the rule for every account).
 */
export function syncTurnedOn(a: Pick<AccountRecord, 'status' | 'firstPassDoneAt'>, windowDays: number, now: number): AccountPatch | undefined {
  if (a.status !== 'first_pass_done' || a.firstPassDoneAt === null) return undefined;
  return { status: 'syncing', phase: null, error: null, failures: 0, nextRunAt: now, syncUntil: Date.parse(a.firstPassDoneAt) + Math.round(windowDays * 86_400_000) };
}

/** "All accounts" moved to a new source server: a failed account is tried again, one waiting for a retry runs now. */
export function sourceServerChanged(a: Pick<AccountRecord, 'status' | 'phase'>, now: number): AccountPatch {
  const patch: AccountPatch = { sourceServer: null };
  if (a.status === 'failed') Object.assign(patch, queued({ keepError: true }));
  else if (ACTIVE.includes(a.status) && a.phase === 'waiting-retry') patch.nextRunAt = now;
  return patch;
}

/** Where a newly imported account starts, by import mode: only a ready admin import with autoStart is queued at once. */
export function importedStatus(mode: 'admin-with-passwords' | 'admin-without-passwords' | 'self-service', ready: boolean, autoStart: boolean): AccountPatch {
  const status: AccountStatus = mode === 'admin-without-passwords' ? 'not_enabled' : mode === 'self-service' ? 'not_started' : ready && autoStart ? 'in_progress' : 'not_started';
  return { status, phase: status === 'in_progress' ? 'queued' : null };
}

/**
 * A closed account imported again is reopened from scratch: its next run is a first pass, with a
 * new window after it, on the job's source server of today (the passwords in the file were
 * given for that one, not for a server the account was kept on by a change for new accounts).
 */
export function reimported(closed: AccountRecord, target: string, mode: AccountRecord['mode']): AccountPatch {
  // Another target mailbox: the engine's state of the old one must not be resumed in it (engineKey).
  const mailboxEpoch = closed.target.toLowerCase() === target.toLowerCase() ? closed.mailboxEpoch : closed.mailboxEpoch + 1;
  // The warnings of the old mailbox (its renamed folders, dates it did not keep) do not apply to another one.
  const forget: AccountPatch = mailboxEpoch !== closed.mailboxEpoch ? { warnings: null } : {};
  return { target, mode, status: 'not_started', phase: null, error: null, failures: 0, nextRunAt: null, firstPassDoneAt: null, syncUntil: null, sourceServer: null, mailboxEpoch, ...forget };
}
