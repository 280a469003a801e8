import { createHash, randomBytes } from 'node:crypto';
import { newId, nowIso, type ServiceDb } from './db';

/**
 * Tokens handed out by pairing. Only a SHA-256 of each token is stored: a token
 * is 256 random bits, so a plain hash is enough (no salt or slow KDF needed), and
 * a leaked state file cannot be replayed against the bridge.
 */
export interface TokenInfo {
  id: string;
  origin: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

interface TokenRow {
  id: string;
  origin: string;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toInfo = (r: TokenRow): TokenInfo => ({
  id: r.id,
  origin: r.origin,
  label: r.label,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export class TokenStore {
  constructor(private readonly db: ServiceDb) {}

  /** A new token for `origin`; the clear token is returned once and never stored. */
  issue(origin: string, label?: string): { token: string; info: TokenInfo } {
    const token = `mmt_${randomBytes(32).toString('base64url')}`;
    const id = newId('tok');
    this.db
      .prepare(`INSERT INTO svc_tokens (id, hash, origin, label, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(id, hashToken(token), origin, label ?? null, nowIso());
    return { token, info: this.get(id)! };
  }

  /** The token's record if it exists and is not revoked; records the use. */
  verify(token: string): TokenInfo | undefined {
    const row = this.db.prepare(`SELECT * FROM svc_tokens WHERE hash = ?`).get(hashToken(token)) as TokenRow | undefined;
    if (!row || row.revoked_at) return undefined;
    this.db.prepare(`UPDATE svc_tokens SET last_used_at = ? WHERE id = ?`).run(nowIso(), row.id);
    return toInfo(row);
  }

  /** Records a successful connection with the pairing (the handshake never sees the token itself). */
  markUsed(id: string): void {
    this.db.prepare(`UPDATE svc_tokens SET last_used_at = ? WHERE id = ?`).run(nowIso(), id);
  }

  isActive(id: string): boolean {
    const row = this.db.prepare(`SELECT revoked_at FROM svc_tokens WHERE id = ?`).get(id) as { revoked_at: string | null } | undefined;
    return row !== undefined && row.revoked_at === null;
  }

  get(id: string): TokenInfo | undefined {
    const row = this.db.prepare(`SELECT * FROM svc_tokens WHERE id = ?`).get(id) as TokenRow | undefined;
    return row ? toInfo(row) : undefined;
  }

  list(): TokenInfo[] {
    return (this.db.prepare(`SELECT * FROM svc_tokens ORDER BY created_at`).all() as TokenRow[]).map(toInfo);
  }

  /**
   * Revokes the token with this id (any string is only ever an id: ids are tok_..., so a word
   * such as `all` matches no token). Returns 1 when it was active, else 0.
   */
  revoke(id: string): number {
    return this.db.prepare(`UPDATE svc_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(nowIso(), id).changes;
  }

  /** Revokes every active token (every paired extension has to pair again). Returns how many. */
  revokeAll(): number {
    return this.db.prepare(`UPDATE svc_tokens SET revoked_at = ? WHERE revoked_at IS NULL`).run(nowIso()).changes;
  }
}
