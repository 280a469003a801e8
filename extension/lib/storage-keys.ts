/**
 * chrome.storage.local keys. The pairing secret lives here (never in Dexie, which pages read),
 * and the background worker restricts chrome.storage.local to extension pages and itself
 * (setAccessLevel TRUSTED_CONTEXTS) so a content script cannot read it. No password is ever
 * stored anywhere in the extension.
 */
import { z } from 'zod';

export { BRIDGE_PORT_STORAGE_KEY } from './bridge';

export const PAIRING_STORAGE_KEY = 'bridgePairing';
/** Where versions before the handshake kept the raw token: removed at start, never read. */
export const LEGACY_TOKEN_STORAGE_KEY = 'bridgeToken';
export const LOCALE_STORAGE_KEY = 'locale';

/**
 * What pairing leaves behind: the token's id and the per-pairing key of the WebSocket
 * handshake. The raw token is not kept: the extension proves itself with the key, so it has
 * nothing to send that a program posing as the bridge could replay.
 */
export const StoredPairingSchema = z.object({
  tokenId: z.string().min(1).max(64),
  key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** The extension origin the bridge trusts for this pairing (recorded at pairing). */
  origin: z.string().min(1).max(200),
  port: z.number().int().min(1).max(65535),
  pairedAt: z.string(),
});
export type StoredPairing = z.infer<typeof StoredPairingSchema>;

export function parseStoredPairing(value: unknown): StoredPairing | undefined {
  const parsed = StoredPairingSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
