import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { nowIso, type ServiceDb } from './db';
import type { SecretScrubber } from './secret-scrubber';

/**
 * Passwords at rest: AES-256-GCM, a fresh 96-bit IV per value, and the owner
 * name (e.g. `account:acc_x:source`) as additional authenticated data, so a
 * ciphertext copied onto another row does not decrypt. Every value that passes
 * through here is registered with the log scrubber.
 */
export class CredentialVault {
  constructor(
    private readonly db: ServiceDb,
    private readonly key: Buffer,
    private readonly scrubber: SecretScrubber,
  ) {}

  put(owner: string, secret: string): void {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    this.db
      .prepare(
        `INSERT INTO svc_credentials (owner, iv, tag, data, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (owner) DO UPDATE SET iv = excluded.iv, tag = excluded.tag, data = excluded.data, created_at = excluded.created_at`,
      )
      .run(owner, iv, tag, data, nowIso());
    this.scrubber.add(secret);
  }

  get(owner: string): string | undefined {
    const row = this.db.prepare(`SELECT iv, tag, data FROM svc_credentials WHERE owner = ?`).get(owner) as
      | { iv: Buffer; tag: Buffer; data: Buffer }
      | undefined;
    if (!row) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, row.iv);
    decipher.setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(row.tag);
    const secret = Buffer.concat([decipher.update(row.data), decipher.final()]).toString('utf8');
    this.scrubber.add(secret);
    return secret;
  }

  has(owner: string): boolean {
    return this.db.prepare(`SELECT 1 FROM svc_credentials WHERE owner = ?`).get(owner) !== undefined;
  }

  /** Deletes one value, or every value whose owner starts with `prefix` when it ends with ':'. */
  delete(ownerOrPrefix: string): number {
    if (ownerOrPrefix.endsWith(':')) {
      return this.db.prepare(`DELETE FROM svc_credentials WHERE substr(owner, 1, ?) = ?`).run(ownerOrPrefix.length, ownerOrPrefix).changes;
    }
    return this.db.prepare(`DELETE FROM svc_credentials WHERE owner = ?`).run(ownerOrPrefix).changes;
  }

  /** Registers every stored secret with the scrubber (at start, before anything logs). */
  primeScrubber(): void {
    const owners = this.db.prepare(`SELECT owner FROM svc_credentials`).all() as Array<{ owner: string }>;
    for (const { owner } of owners) {
      try {
        this.get(owner);
      } catch {
        // A value that no longer decrypts (key replaced) is useless; the account will ask again.
      }
    }
  }
}

/** Owner names of the stored secrets. */
export const credentialOwner = {
  accountSource: (accountId: string) => `account:${accountId}:source`,
  accountTarget: (accountId: string) => `account:${accountId}:target`,
  account: (accountId: string) => `account:${accountId}:`,
  jobSourceAdmin: (jobId: string) => `job:${jobId}:source-admin`,
  jobTargetAdmin: (jobId: string) => `job:${jobId}:target-admin`,
  job: (jobId: string) => `job:${jobId}:`,
};
