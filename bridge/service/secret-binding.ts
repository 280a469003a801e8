import type { Server } from '../../shared/protocol/common';
import type { TypedForServer } from '../../shared/protocol/requests';
import { ServiceError } from './service-error';
import type { AccountRecord } from './accounts-repo';
import { credentialOwner } from './credential-owner';
import type { JobRecord } from './jobs-repo';

/**
 * What a stored password was entered for: the server (protocol, host, port, transport security,
 * certificate and plaintext policy) and the user it logs in as. The vault makes this part of the
 * AES-GCM associated data, so a password decrypts only for the exact server it was given for.
 * Without that, anyone who may change a job's server settings (any paired client) could point
 * the stored passwords at a host of their choosing, or at a plaintext port, and collect them.
 */
export interface SecretBinding {
  protocol: 'imap' | 'pop3';
  host: string;
  port: number;
  security: Server['security'];
  insecureTls: boolean;
  allowPlaintext: boolean;
  user: string;
}

/** A stored secret: its row (owner) and the server it must be bound to for this use. */
export interface SecretRef {
  owner: string;
  binding: SecretBinding;
}

/** One canonical text per binding (host and user compare case-insensitively, as DNS and mail logins do). */
export function bindingKey(b: SecretBinding): string {
  return JSON.stringify([b.protocol, b.host.toLowerCase(), b.port, b.security, b.insecureTls, b.allowPlaintext, b.user.toLowerCase()]);
}

export function bindTo(server: Server, protocol: 'imap' | 'pop3', user: string): SecretBinding {
  return { protocol, host: server.host, port: server.port, security: server.security, insecureTls: server.insecureTls, allowPlaintext: server.allowPlaintext, user };
}

/** The server an account's source is read from: its own after a "new accounts only" change, else the job's. */
export function sourceServerOf(job: JobRecord, account: AccountRecord): Server {
  return account.sourceServer ?? job.spec.source;
}

const adminUser = (login: JobRecord['spec']['sourceLogin']): string => (login.kind === 'admin' ? login.adminUser : '');

/** The job's source admin password, as bound for the job's current source server. */
export function jobSourceAdminRef(job: JobRecord): SecretRef {
  return { owner: credentialOwner.jobSourceAdmin(job.id), binding: bindTo(job.spec.source, job.spec.source.protocol, adminUser(job.spec.sourceLogin)) };
}

export function jobTargetAdminRef(job: JobRecord): SecretRef {
  return { owner: credentialOwner.jobTargetAdmin(job.id), binding: bindTo(job.spec.target, 'imap', adminUser(job.spec.targetLogin)) };
}

export function accountSourceRef(job: JobRecord, account: AccountRecord): SecretRef {
  return { owner: credentialOwner.accountSource(account.id), binding: bindTo(sourceServerOf(job, account), job.spec.source.protocol, account.source) };
}

export function accountTargetRef(job: JobRecord, account: AccountRecord): SecretRef {
  return { owner: credentialOwner.accountTarget(account.id), binding: bindTo(job.spec.target, 'imap', account.target) };
}

/** The secret an account's source login uses: the admin's (bound to the account's own source server) or its own. */
export function sourceLoginRef(job: JobRecord, account: AccountRecord): SecretRef {
  if (job.spec.sourceLogin.kind !== 'admin') return accountSourceRef(job, account);
  return { owner: credentialOwner.jobSourceAdmin(job.id), binding: bindTo(sourceServerOf(job, account), job.spec.source.protocol, job.spec.sourceLogin.adminUser) };
}

export function targetLoginRef(job: JobRecord, account: AccountRecord): SecretRef {
  return job.spec.targetLogin.kind === 'admin' ? jobTargetAdminRef(job) : accountTargetRef(job, account);
}

/**
 * Refuses a password typed for another server than the one it would be stored for now (the job's
 * or account's server changed while the form was open): stored, it would be bound to, and sent
 * to, a server nobody typed it for. Every setting of the binding counts, host case aside.
 */
export function assertTypedFor(side: 'source' | 'target', typedFor: TypedForServer | undefined, server: Server, protocol: 'imap' | 'pop3'): void {
  // The request schemas require it with every password; a caller that skipped them is refused too.
  if (!typedFor) throw new ServiceError('INVALID_PARAMS', `${side}Server: the server the ${side} password was typed for`);
  const same =
    typedFor.protocol === protocol &&
    typedFor.host.toLowerCase() === server.host.toLowerCase() &&
    typedFor.port === server.port &&
    typedFor.security === server.security &&
    typedFor.insecureTls === server.insecureTls &&
    typedFor.allowPlaintext === server.allowPlaintext;
  if (same) return;
  const now = `${server.host}:${server.port}`;
  const typed = `${typedFor.host}:${typedFor.port}`;
  const en = side === 'source' ? 'old' : 'new';
  const zh = side === 'source' ? '原邮箱' : '新邮箱';
  throw new ServiceError(
    'SERVER_CHANGED',
    `The ${side} password was typed for ${typed} (${typedFor.protocol}, ${typedFor.security}), but the ${side} server is now ${now} (${protocol}, ${server.security}); nothing was stored.`,
    {
      en: `The ${en} mailbox's server settings were changed while you typed (now ${now}). Nothing was saved: check the server shown and type the password again.`,
      zh: `输入密码期间，${zh}服务器设置已被更改（现为 ${now}）。未保存任何内容：请核对显示的服务器后重新输入密码。`,
    },
  );
}
