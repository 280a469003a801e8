import { openServiceDb } from '../service/db';
import { PairingCodes } from '../service/pairing-codes';

/**
 * `mailmover-bridge pair`: a new one-time pairing code, written to the state store
 * so that a bridge already running on it accepts it.
 */
export function runPair(stateDir: string, out: (line: string) => void): number {
  const db = openServiceDb(stateDir);
  try {
    const { code, expiresAt } = new PairingCodes(db).create();
    out(`Pairing code: ${code}`);
    out(`Valid once, until ${expiresAt.toLocaleTimeString()} (10 minutes). Enter it in the mailmover extension.`);
    out(`State dir: ${stateDir}`);
    return 0;
  } finally {
    db.close();
  }
}
