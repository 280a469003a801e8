import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { HealthBodySchema } from '../../shared/protocol/health';

/** Whether a bridge answers on the port (probeBridge). */
export type BridgeStatus =
  | { readonly state: 'not-found'; readonly port: number }
  | { readonly state: 'found'; readonly version: string; readonly port: number };

/** The bridge only ever listens on the IPv4 loopback address. */
export const BRIDGE_HOST = '127.0.0.1';

/** A stored port value if it is a valid TCP port, otherwise the default. */
export function normalizePort(value: unknown): number {
  const port = typeof value === 'string' ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536
    ? port
    : DEFAULT_BRIDGE_PORT;
}

/**
 * GET http://127.0.0.1:<port>/health. The bridge counts as found only if it
 * answers 200 with {name: BRIDGE_NAME, version: string}; anything else (refused
 * connection, timeout, another program on the port) is "not-found".
 */
export async function probeBridge(
  port: number,
  { timeoutMs = 2000, fetchImpl = fetch }: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<BridgeStatus> {
  try {
    const response = await fetchImpl(`http://${BRIDGE_HOST}:${port}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
      cache: 'no-store',
      credentials: 'omit',
    });
    if (!response.ok) return { state: 'not-found', port };
    const body = HealthBodySchema.safeParse(await response.json());
    return body.success ? { state: 'found', version: body.data.version, port } : { state: 'not-found', port };
  } catch {
    return { state: 'not-found', port };
  }
}
