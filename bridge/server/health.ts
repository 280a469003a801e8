import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';

/** The bridge's version: the project's package.json version. */
export const BRIDGE_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;

export interface HealthBody {
  readonly name: typeof BRIDGE_NAME;
  readonly version: string;
}

/**
 * GET /health → {name: 'mailmover-bridge', version}. Unauthenticated on
 * purpose: the extension uses it to discover the bridge, so it says nothing
 * but who is listening. Everything else is 404.
 */
export function createHealthApp(version: string = BRIDGE_VERSION): Hono {
  const app = new Hono();
  app.get('/health', (c) => {
    const body: HealthBody = { name: BRIDGE_NAME, version };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });
  return app;
}
