import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';

/**
 * The bridge's port from the command line or the environment. Its own module so that the
 * CLI can read it (status, service) without loading the HTTP server.
 */
export class PortError extends Error {}

function parsePort(raw: string, source: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PortError(`${source}: "${raw}" is not a TCP port (0-65535)`);
  }
  return port;
}

/**
 * The port to listen on: `--port N` / `--port=N` wins, then the MAILMOVER_PORT
 * environment variable, then DEFAULT_BRIDGE_PORT. 0 asks the OS for a free port.
 */
export function resolvePort(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--port') {
      const value = argv[i + 1];
      if (value === undefined) throw new PortError('--port needs a value');
      return parsePort(value, '--port');
    }
    if (arg.startsWith('--port=')) return parsePort(arg.slice('--port='.length), '--port');
  }
  const fromEnv = env.MAILMOVER_PORT;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parsePort(fromEnv, 'MAILMOVER_PORT');
  return DEFAULT_BRIDGE_PORT;
}
