/**
 * chrome.storage.local keys. The pairing token lives here (never in Dexie, which pages read);
 * no password is ever stored anywhere in the extension.
 */
export { BRIDGE_PORT_STORAGE_KEY } from './bridge';

export const TOKEN_STORAGE_KEY = 'bridgeToken';
export const LOCALE_STORAGE_KEY = 'locale';

export interface StoredToken {
  token: string;
  tokenId: string;
  /** The extension origin the bridge trusts for this token (recorded at pairing). */
  origin: string;
  port: number;
  pairedAt: string;
}

export function isStoredToken(value: unknown): value is StoredToken {
  const v = value as Partial<StoredToken> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.token === 'string' &&
    typeof v.tokenId === 'string' &&
    typeof v.origin === 'string' &&
    typeof v.port === 'number' &&
    typeof v.pairedAt === 'string'
  );
}
