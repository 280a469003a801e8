import type { Server } from '../../shared/protocol/common';
import { MigrationOptionsSchema, type MigrationOptions } from '../../shared/migration';
import type { Auth, Endpoint } from '../engine/endpoint';
import type { AccountJob } from '../engine/migrate-account';
import type { AccountRecord } from './accounts-repo';
import { credentialOwner, type CredentialVault } from './credential-vault';
import type { JobRecord, StoredLogin } from './jobs-repo';

/** Why an account cannot run yet: the password it is waiting for. */
export type MissingCredential = 'source' | 'target';

function auth(login: StoredLogin, adminOwner: string, accountOwner: string, vault: CredentialVault): Auth | undefined {
  if (login.kind === 'admin') {
    const password = vault.get(adminOwner);
    return password ? { kind: 'master', adminUser: login.adminUser, password, form: login.form, separator: '*' } : undefined;
  }
  const password = vault.get(accountOwner);
  return password ? { kind: 'password', password } : undefined;
}

/** Whether both sides have a way to log in, without decrypting anything. */
export function missingCredentials(job: JobRecord, account: AccountRecord, vault: CredentialVault): MissingCredential[] {
  const missing: MissingCredential[] = [];
  const src = job.spec.sourceLogin.kind === 'admin' ? credentialOwner.jobSourceAdmin(job.id) : credentialOwner.accountSource(account.id);
  const tgt = job.spec.targetLogin.kind === 'admin' ? credentialOwner.jobTargetAdmin(job.id) : credentialOwner.accountTarget(account.id);
  if (!vault.has(src)) missing.push('source');
  if (!vault.has(tgt)) missing.push('target');
  return missing;
}

/** The server an account's source is read from: its own after a "new accounts only" change, else the job's. */
export function sourceServerOf(job: JobRecord, account: AccountRecord): Server {
  return account.sourceServer ?? job.spec.source;
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

/** The engine's job for one account, with the passwords decrypted for this run only. */
export function buildAccountJob(job: JobRecord, account: AccountRecord, vault: CredentialVault, connections: number, retryBaseMs: number): AccountJob | MissingCredential {
  const srcAuth = auth(job.spec.sourceLogin, credentialOwner.jobSourceAdmin(job.id), credentialOwner.accountSource(account.id), vault);
  if (!srcAuth) return 'source';
  const tgtAuth = auth(job.spec.targetLogin, credentialOwner.jobTargetAdmin(job.id), credentialOwner.accountTarget(account.id), vault);
  if (!tgtAuth) return 'target';
  return {
    // The protocol is the job's (a server change moves host and port, not the protocol).
    source: { ...endpoint(sourceServerOf(job, account), account.source, srcAuth), protocol: job.spec.source.protocol },
    target: endpoint(job.spec.target, account.target, tgtAuth),
    options: migrationOptions(job, connections, retryBaseMs),
  };
}
