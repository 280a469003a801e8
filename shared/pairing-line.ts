/**
 * The pairing code as the bridge prints it: `K7QM-2XPR`, or `K7QM-2XPR@7879` when the bridge
 * listens on another port than the default, so that one copied line tells the extension both
 * where to look and what to type. Pure: bundled into the extension too.
 */
import { DEFAULT_BRIDGE_PORT } from './bridge-defaults';

export function pairingLine(code: string, port: number): string {
  return port === DEFAULT_BRIDGE_PORT ? code : `${code}@${port}`;
}

/**
 * What a person typed where a port or a pairing code is asked: `7879`, `K7QM-2XPR`,
 * `K7QM-2XPR@7879` or `127.0.0.1:7879`. null when it is none of these (or the port is out of range).
 */
export function parsePairingLine(text: string): { code: string | null; port: number | null } | null {
  const m = /^\s*(?:([A-Za-z0-9]{4}-?[A-Za-z0-9]{4})\s*)?(?:(?:@|^\s*(?:127\.0\.0\.1|localhost):|^\s*)(\d{1,5}))?\s*$/.exec(text);
  if (!m || (!m[1] && !m[2])) return null;
  const port = m[2] ? Number(m[2]) : null;
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { code: m[1] ? m[1].toUpperCase() : null, port };
}
