import type { RewriteKind } from '../../shared/verify';
import { createHash } from 'node:crypto';
import { bodyHash } from '../engine/body-hash';
import { headerBlock } from '../engine/pop3/headers';

/** SHA-256 of a message's bytes, and of the form servers are known to rewrite it into. */
export interface BodyDigest {
  sha256: string;
  /**
   * SHA-256 with 8-bit header bytes as 'X' (Cyrus stores them so) and NUL as 0x80 (Dovecot's
   * BODY[] shows a stored NUL so): equal on both sides when the copy differs in nothing else.
   */
  normalised: string;
  header8bit: boolean;
  nul: boolean;
}

export function bodyDigest(raw: Buffer): BodyDigest {
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const header = headerBlock(raw);
  let header8bit = false;
  for (let i = 0; i < header.length && !header8bit; i++) if (header[i]! >= 0x80) header8bit = true;
  const nul = raw.includes(0);
  // The engine's content hash (body-hash.ts) is this normalised form: one rule for both.
  return { sha256, normalised: header8bit || nul ? bodyHash(raw) : sha256, header8bit, nul };
}

/**
 * How two digests compare: 'same' byte for byte, 'rewritten' (with what) when they differ
 * only by a server's known rewriting, else 'different'.
 */
export function compareDigests(source: BodyDigest, target: BodyDigest): { kind: 'same' } | { kind: 'rewritten'; what: string; kinds: RewriteKind[] } | { kind: 'different' } {
  if (source.sha256 === target.sha256) return { kind: 'same' };
  if (source.normalised !== target.normalised) return { kind: 'different' };
  const kinds: RewriteKind[] = [...(source.header8bit && !target.header8bit ? (['header-8bit'] as const) : []), ...(source.nul !== target.nul ? (['nul'] as const) : [])];
  const words: Record<RewriteKind, string> = { 'header-8bit': "8-bit header bytes stored as 'X'", nul: 'NUL bytes returned as 0x80 by one server', date: '' };
  return { kind: 'rewritten', what: kinds.map((k) => words[k]).join('; ') || 'differs only in 8-bit header bytes or NUL bytes', kinds };
}
