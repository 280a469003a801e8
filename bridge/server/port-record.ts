import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the bridge running on a state dir listens, for `mailmover-bridge pair`: a bridge started
 * with --port or MAILMOVER_PORT on another port than the default must hand out a pairing line
 * that carries that port (K7QM-2XPR@7879), and `pair` runs in another process that only knows
 * the state dir. The file is owner-only like the rest of the state dir, and removed on a clean
 * stop; one left by a crashed bridge is recognised by its process id no longer running.
 * Only node:fs here: `pair` must not load the HTTP server.
 */
export const PORT_RECORD_FILE = 'bridge-port.json';

export interface PortRecord {
  port: number;
  pid: number;
}

export function writePortRecord(stateDir: string, port: number, pid: number = process.pid): void {
  const file = join(stateDir, PORT_RECORD_FILE);
  const tmp = `${file}.${pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ port, pid }) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Removes the record if it is this process's (a bridge started later on the same dir keeps its own). */
export function removePortRecord(stateDir: string, pid: number = process.pid): void {
  if (readRecord(stateDir)?.pid !== pid) return;
  try {
    rmSync(join(stateDir, PORT_RECORD_FILE), { force: true });
  } catch {
    // A record left behind is recognised as stale by its process id.
  }
}

/** The port of the bridge running on the state dir, or null when none is recorded or its process is gone. */
export function runningBridgePort(stateDir: string, alive: (pid: number) => boolean = processAlive): number | null {
  const record = readRecord(stateDir);
  return record && alive(record.pid) ? record.port : null;
}

/** The record as written, whether or not its process still runs (status: where the last bridge listened). */
export function recordedBridge(stateDir: string): PortRecord | null {
  return readRecord(stateDir);
}

function readRecord(stateDir: string): PortRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(stateDir, PORT_RECORD_FILE), 'utf8'));
  } catch {
    return null;
  }
  const { port, pid } = (raw ?? {}) as Partial<PortRecord>;
  if (!Number.isInteger(port) || port! < 1 || port! > 65535 || !Number.isInteger(pid) || pid! < 1) return null;
  return { port: port!, pid: pid! };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
