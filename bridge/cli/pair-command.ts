import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { pairingLine } from '../../shared/pairing-line';
import { runningBridgePort } from '../server/port-record';
import { openServiceDb, STATE_FILE } from '../service/db';
import { PairingCodes } from '../service/pairing-codes';

/**
 * Why `pair` and `tokens` refuse a state dir without a state store, or null when it has one.
 * Opening the store creates it: a mistyped --state-dir would get a new empty store, and `pair`
 * a code no bridge ever reads. Only `start` (the bridge itself) creates a store.
 */
export function missingStateStore(stateDir: string): string | null {
  if (existsSync(join(stateDir, STATE_FILE))) return null;
  return `no state store in ${stateDir}: start the bridge with this state dir first (or check --state-dir)`;
}

/**
 * `mailmover-bridge pair`: a new one-time pairing code, written to the state store
 * so that a bridge already running on it accepts it. A bridge on another port than the
 * default gets the code with its port (K7QM-2XPR@7879), as `start` prints it, so that the
 * extension looks there; the port is the one the running bridge recorded in the state dir.
 * With no bridge running the code is still stored: a bridge started on the state dir within
 * its 10 minutes accepts it.
 */
export function runPair(stateDir: string, out: (line: string) => void, port: number | null = runningBridgePort(stateDir)): number {
  const missing = missingStateStore(stateDir);
  if (missing) {
    process.stderr.write(`mailmover-bridge pair: ${missing}\n`);
    return 1;
  }
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
