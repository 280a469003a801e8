import type { RewriteKind } from '../../shared/verify';
import { createHash } from 'node:crypto';
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
  if (!header8bit && !nul) return { sha256, normalised: sha256, header8bit, nul };
  // A copy only when there is something to rewrite: most mail has neither.
  const copy = Buffer.from(raw);
  for (let i = 0; i < header.length; i++) if (copy[i]! >= 0x80) copy[i] = 0x58;
  for (let i = copy.indexOf(0); i >= 0; i = copy.indexOf(0, i + 1)) copy[i] = 0x80;
  return { sha256, normalised: createHash('sha256').update(copy).digest('hex'), header8bit, nul };
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
