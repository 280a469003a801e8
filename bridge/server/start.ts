import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { createHealthApp } from './health';
import { resolvePort } from './port';

/** The bridge only listens on the IPv4 loopback address, never on the network. */
export const BRIDGE_HOSTNAME = '127.0.0.1';

export { PortError, resolvePort } from './port';

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
