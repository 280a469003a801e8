import type { Server } from '../../shared/protocol/common';
import { MigrationOptionsSchema, type MigrationOptions } from '../../shared/migration';
import type { Auth, Endpoint } from '../engine/endpoint';
import type { AccountJob } from '../engine/account-job';
import type { AccountRecord } from './accounts-repo';
import type { CredentialVault } from './credential-vault';
import { sourceLoginRef, sourceServerOf, targetLoginRef, type SecretRef } from './secret-binding';
import type { JobRecord, StoredLogin } from './jobs-repo';

/** Why an account cannot run yet: the password it is waiting for. */
export type MissingCredential = 'source' | 'target';

function auth(login: StoredLogin, ref: SecretRef, vault: CredentialVault): Auth | undefined {
  const password = vault.get(ref);
  if (!password) return undefined;
  return login.kind === 'admin' ? { kind: 'master', adminUser: login.adminUser, password, form: login.form, separator: '*' } : { kind: 'password', password };
}

/**
 * Whether both sides have a password stored for the servers the account would log in to now,
 * without decrypting anything. A password stored for other server settings counts as missing.
 */
export function missingCredentials(job: JobRecord, account: AccountRecord, vault: CredentialVault): MissingCredential[] {
  const missing: MissingCredential[] = [];
  if (!vault.has(sourceLoginRef(job, account))) missing.push('source');
  if (!vault.has(targetLoginRef(job, account))) missing.push('target');
  return missing;
}

function endpoint(server: Server, user: string, a: Auth): Endpoint {
  return { host: server.host, port: server.port, security: server.security, user, auth: a, allowPlaintext: server.allowPlaintext, insecureTls: server.insecureTls };
}

export function migrationOptions(job: JobRecord, connections: number, retryBaseMs: number): MigrationOptions {
  const s = job.spec;
  return MigrationOptionsSchema.parse({
    mode: s.storage,
    since: s.filters.since ? new Date(`${s.filters.since}T00:00:00Z`) : undefined,
    includeFolders: s.filters.includeFolders,
    excludeFolders: s.filters.excludeFolders,
    deleted: s.filters.deleted,
    concurrency: connections,
    chunkMessages: s.batchMessages,
    providerHint: s.provider ?? undefined,
    // The engine retries a cut connection within the run; longer waits are the scheduler's.
    maxAttempts: 3,
    retryBaseMs,
  });
}

export { sourceServerOf };

/**
 * How often the runs after an account's first pass (the syncs of its window, every few
 * minutes) try again the messages the source could not read: each try costs about a login
 * per damaged message on a server that drops the session over one (unreadable-retries.ts).
 * The first pass tries them every time, as a run from the command line does, and so does
 * the last sync of the window (after it the account closes and its passwords are deleted)
 * and the first run after a person reopens the account (the tries are forgotten then).
 */
export const SYNC_UNREADABLE_RETRY_MS = 6 * 3_600_000;

/** The engine's options for one run of an account, at `now`: the job's, and what its syncs do differently. */
export function accountRunOptions(
  job: JobRecord,
  account: Pick<AccountRecord, 'firstPassDoneAt' | 'syncUntil'>,
  connections: number,
  retryBaseMs: number,
  now = Date.now(),
): MigrationOptions {
  const options = migrationOptions(job, connections, retryBaseMs);
  if (!account.firstPassDoneAt) return options;
  // The window ends before the next sync would start: this one is its last chance.
  const last = account.syncUntil !== null && account.syncUntil - now <= job.spec.incremental.intervalMinutes * 60_000;
  return last ? options : { ...options, unreadableRetryMs: SYNC_UNREADABLE_RETRY_MS };
}

/** The engine's job for one account, with the passwords decrypted for this run only. */
export function buildAccountJob(job: JobRecord, account: AccountRecord, vault: CredentialVault, connections: number, retryBaseMs: number): AccountJob | MissingCredential {
  // Decrypted for the servers this run connects to: a password entered for other settings does not decrypt.
  const srcAuth = auth(job.spec.sourceLogin, sourceLoginRef(job, account), vault);
  if (!srcAuth) return 'source';
  const tgtAuth = auth(job.spec.targetLogin, targetLoginRef(job, account), vault);
  if (!tgtAuth) return 'target';
  return {
    // The protocol is the job's (a server change moves host and port, not the protocol).
    source: { ...endpoint(sourceServerOf(job, account), account.source, srcAuth), protocol: job.spec.source.protocol },
    target: endpoint(job.spec.target, account.target, tgtAuth),
    options: accountRunOptions(job, account, connections, retryBaseMs),
  };
}
