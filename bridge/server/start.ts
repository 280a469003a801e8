import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { createHealthApp } from './health';

/** The bridge only listens on the IPv4 loopback address, never on the network. */
export const BRIDGE_HOSTNAME = '127.0.0.1';

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

export interface RunningBridge {
  readonly hostname: string;
  readonly port: number;
  readonly url: string;
  readonly server: ServerType;
  /** Stops accepting connections, ends idle keep-alive ones, resolves when closed. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to resolvePort(). */
  readonly port?: number;
  readonly hostname?: string;
  /** Defaults to the health-only app. */
  readonly app?: Pick<Hono, 'fetch'>;
}

/** Serves the bridge app; rejects (e.g. EADDRINUSE) if it cannot listen. */
export function startBridgeServer(options: StartOptions = {}): Promise<RunningBridge> {
  const hostname = options.hostname ?? BRIDGE_HOSTNAME;
  const app = options.app ?? createHealthApp();
  const requestedPort = options.port ?? resolvePort();

  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port: requestedPort }, (info: AddressInfo) => {
      server.off('error', reject);
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        closing ??= new Promise<void>((done, fail) => {
          server.close((err) => (err ? fail(err) : done()));
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        });
        return closing;
      };
      resolve({
        hostname,
        port: info.port,
        url: `http://${hostname}:${info.port}`,
        server,
        close,
      });
    });
    server.once('error', reject);
  });
}
