import { createHash, randomInt } from 'node:crypto';
import { PAIRING_CODE_ALPHABET, PAIRING_CODE_TTL_MS } from '../../shared/protocol/pairing';
import type { ServiceDb } from './db';

/**
 * One-time pairing codes, shared through the state store: `mailmover-bridge pair`
 * (another process) writes a code that the running bridge accepts. A code is
 * 8 characters of a 32-letter alphabet (40 bits), valid 10 minutes, used once;
 * with the attempt limit of pairing-rate-limit.ts guessing one is hopeless.
 */
const hashCode = (normalized: string): string => createHash('sha256').update(`mailmover-pairing:${normalized}`).digest('hex');

export function formatCode(normalized: string): string {
  return `${normalized.slice(0, 4)}-${normalized.slice(4)}`;
}

export class PairingCodes {
  constructor(
    private readonly db: ServiceDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new code, printed as XXXX-XXXX. Expired codes are purged on the way. */
  create(ttlMs: number = PAIRING_CODE_TTL_MS): { code: string; expiresAt: Date } {
    const t = this.now();
    this.db.prepare(`DELETE FROM svc_pairing_codes WHERE expires_at < ? OR used_at IS NOT NULL`).run(t);
    let normalized = '';
    for (let i = 0; i < 8; i++) normalized += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
    this.db.prepare(`INSERT INTO svc_pairing_codes (hash, created_at, expires_at) VALUES (?, ?, ?)`).run(hashCode(normalized), t, t + ttlMs);
    return { code: formatCode(normalized), expiresAt: new Date(t + ttlMs) };
  }

  /** Uses up a code (already normalized: upper case, no dash). True if it was valid. */
  consume(normalized: string): boolean {
    const t = this.now();
    const res = this.db
      .prepare(`UPDATE svc_pairing_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at >= ?`)
      .run(t, hashCode(normalized), t);
    return res.changes === 1;
  }
}
