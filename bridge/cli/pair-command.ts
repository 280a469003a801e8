import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { pairingLine } from '../../shared/pairing-line';
import { runningBridgePort } from '../server/port-record';
import { openServiceDb } from '../service/db';
import { PairingCodes } from '../service/pairing-codes';

/**
 * `mailmover-bridge pair`: a new one-time pairing code, written to the state store
 * so that a bridge already running on it accepts it. A bridge on another port than the
 * default gets the code with its port (K7QM-2XPR@7879), as `start` prints it, so that the
 * extension looks there; the port is the one the running bridge recorded in the state dir.
 */
export function runPair(stateDir: string, out: (line: string) => void, port: number | null = runningBridgePort(stateDir)): number {
  const db = openServiceDb(stateDir);
  try {
    const { code, expiresAt } = new PairingCodes(db).create();
    out(`Pairing code: ${pairingLine(code, port ?? DEFAULT_BRIDGE_PORT)}`);
    out(`Valid once, until ${expiresAt.toLocaleTimeString()} (10 minutes). Enter it in the mailmover extension.`);
    out(`State dir: ${stateDir}`);
    return 0;
  } finally {
    db.close();
  }
}
