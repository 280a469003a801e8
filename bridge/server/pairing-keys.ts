import { randomBytes } from 'node:crypto';
import type { ServiceDb } from '../service/db';

/**
 * The per-pairing handshake keys, one per token. Unlike the token (only its hash is stored)
 * the key must be kept readable: the bridge computes its proof with it on every connection.
 * It lives in the service database, which only the bridge's user can read. A revoked token's
 * key is useless: the handshake checks the token is active first.
 */
export class PairingKeys {
  constructor(private readonly db: ServiceDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS svc_pairing_keys (token_id TEXT PRIMARY KEY, key TEXT NOT NULL, created_at TEXT NOT NULL)`);
  }

  /** A fresh key for a token just issued; returned once to the extension that paired. */
  create(tokenId: string): string {
    const key = randomBytes(32).toString('base64url');
    this.db.prepare(`INSERT OR REPLACE INTO svc_pairing_keys (token_id, key, created_at) VALUES (?, ?, ?)`).run(tokenId, key, new Date().toISOString());
    return key;
  }

  get(tokenId: string): string | undefined {
    const row = this.db.prepare(`SELECT key FROM svc_pairing_keys WHERE token_id = ?`).get(tokenId) as { key: string } | undefined;
    return row?.key;
  }
}
