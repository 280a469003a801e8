import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { nowIso, type ServiceDb } from './db';
import type { SecretScrubber } from './secret-scrubber';
import { bindingKey, type SecretRef } from './secret-binding';

/**
 * Passwords at rest: AES-256-GCM, a fresh 96-bit IV per value. The associated data is the owner
 * name (e.g. `account:acc_x:source`) and the server the password was entered for (protocol, host,
 * port, TLS mode, certificate and plaintext policy, user: see secret-binding.ts). So a ciphertext
 * copied onto another row does not decrypt, and a password asked for another server does not
 * either: changing a job's server cannot send the stored password anywhere new. The binding is
 * also kept in clear beside the value (`bound_to`), so "is there a usable password" is answered
 * without decrypting; the associated data is what enforces it.
 * Every value that passes through here is registered with the log scrubber.
 */
export class CredentialVault {
  constructor(
    private readonly db: ServiceDb,
    private readonly key: Buffer,
    private readonly scrubber: SecretScrubber,
  ) {}

  put(ref: SecretRef, secret: string): void {
    const bound = bindingKey(ref.binding);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(ref.owner, bound));
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    this.db
      .prepare(
        `INSERT INTO svc_credentials (owner, iv, tag, data, bound_to, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner) DO UPDATE SET iv = excluded.iv, tag = excluded.tag, data = excluded.data, bound_to = excluded.bound_to, created_at = excluded.created_at`,
      )
      .run(ref.owner, iv, tag, data, bound, nowIso());
    this.scrubber.add(secret);
  }

  /** The password, only when it was stored for exactly this binding; undefined otherwise. */
  get(ref: SecretRef): string | undefined {
    const row = this.row(ref.owner);
    if (!row) return undefined;
    try {
      // Decrypted with the binding asked for, not the one stored: an edited bound_to column cannot help.
      const secret = decrypt(this.key, row, aad(ref.owner, bindingKey(ref.binding)));
      this.scrubber.add(secret);
      return secret;
    } catch {
      return undefined;
    }
  }

  /** Whether a password usable for this binding is stored (without decrypting it). */
  has(ref: SecretRef): boolean {
    return this.row(ref.owner)?.bound_to === bindingKey(ref.binding);
  }

  /** Whether any value is stored under this owner, whatever it is bound to. */
  stored(owner: string): boolean {
    return this.row(owner) !== undefined;
  }

  /** Deletes one value, or every value whose owner starts with `prefix` when it ends with ':'. */
  delete(ownerOrPrefix: string): number {
    if (ownerOrPrefix.endsWith(':')) {
      return this.db.prepare(`DELETE FROM svc_credentials WHERE substr(owner, 1, ?) = ?`).run(ownerOrPrefix.length, ownerOrPrefix).changes;
    }
    return this.db.prepare(`DELETE FROM svc_credentials WHERE owner = ?`).run(ownerOrPrefix).changes;
  }

  /**
   * Values stored by a version that did not bind them (bound_to NULL, the owner alone as associated
   * data) are bound once to the server their job names now, which is the one they were entered for
   * (that version could not tell them apart). `refFor` gives the binding, or undefined to drop one.
   */
  bindUnbound(refFor: (owner: string) => SecretRef | undefined): number {
    const rows = this.db.prepare(`SELECT owner FROM svc_credentials WHERE bound_to IS NULL`).all() as Array<{ owner: string }>;
    let bound = 0;
    for (const { owner } of rows) {
      const row = this.row(owner)!;
      const ref = refFor(owner);
      let secret: string | undefined;
      try {
        secret = decrypt(this.key, row, Buffer.from(owner, 'utf8'));
      } catch {
        secret = undefined;
      }
      if (ref && secret !== undefined) {
        this.put(ref, secret);
        bound++;
      } else {
        this.delete(owner);
      }
    }
    return bound;
  }

  /** Registers every stored secret with the scrubber (at start, before anything logs). */
  primeScrubber(): void {
    const rows = this.db.prepare(`SELECT owner, bound_to FROM svc_credentials`).all() as Array<{ owner: string; bound_to: string | null }>;
    for (const { owner, bound_to } of rows) {
      try {
        this.scrubber.add(decrypt(this.key, this.row(owner)!, bound_to === null ? Buffer.from(owner, 'utf8') : aad(owner, bound_to)));
      } catch {
        // A value that no longer decrypts (key replaced) is useless; the account will ask again.
      }
    }
  }

  private row(owner: string): Row | undefined {
    return this.db.prepare(`SELECT iv, tag, data, bound_to FROM svc_credentials WHERE owner = ?`).get(owner) as Row | undefined;
  }
}

interface Row {
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
  bound_to: string | null;
}

function aad(owner: string, bound: string): Buffer {
  return Buffer.from(`${owner}\n${bound}`, 'utf8');
}

function decrypt(key: Buffer, row: Row, associated: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, row.iv);
  decipher.setAAD(associated);
  decipher.setAuthTag(row.tag);
  return Buffer.concat([decipher.update(row.data), decipher.final()]).toString('utf8');
}

export { credentialOwner } from './credential-owner';
