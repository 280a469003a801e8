import { z } from 'zod';

/**
 * POST /pair: the extension sends the code the bridge printed, with its own origin in
 * the Origin header; the bridge trusts that origin from then on and returns a token.
 */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** XXXX-XXXX from PAIRING_CODE_ALPHABET (no 0/O, 1/I); case and the dash are optional when typed. */
export const PairingCodeSchema = z
  .string()
  .max(32)
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(new RegExp(`^[${PAIRING_CODE_ALPHABET}]{8}$`), 'a pairing code looks like ABCD-EFGH'));

export const PAIRING_CODE_TTL_MS = 10 * 60 * 1000;

export const PairRequestSchema = z.object({
  code: PairingCodeSchema,
  /** If given, must equal the Origin header (a consistency check, not a way around it). */
  origin: z.string().max(200).optional(),
  /** A name for the token in `tokens list` (browser and profile, say). */
  label: z.string().max(100).optional(),
});
export type PairRequest = z.input<typeof PairRequestSchema>;

/**
 * `key` is the per-pairing secret of the WebSocket handshake (32 random bytes, base64url): the
 * extension keeps it and the token id, and drops the token, which it never needs to send again.
 * `token` stays for scripted clients (tests, tools) that say a plain `hello`.
 */
export const PairResponseSchema = z.object({ token: z.string(), tokenId: z.string(), origin: z.string(), key: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
export type PairResponse = z.infer<typeof PairResponseSchema>;

/** Shape of every HTTP error body of the bridge. */
export const HttpErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
