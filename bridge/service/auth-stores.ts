import type { ServiceDb } from './db';
import { PairingCodes } from './pairing-codes';
import { TokenStore } from './tokens';
import { TrustedOrigins } from './trusted-origins';

/** Who may use the bridge: pairing codes, the tokens they turn into, and the extension origins trusted. */
export interface AuthStores {
  readonly tokens: TokenStore;
  readonly pairing: PairingCodes;
  readonly origins: TrustedOrigins;
}

export function openAuthStores(db: ServiceDb): AuthStores {
  return { tokens: new TokenStore(db), pairing: new PairingCodes(db), origins: new TrustedOrigins(db) };
}
