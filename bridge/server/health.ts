import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import type { HealthBody } from '../../shared/protocol/health';
import { isLoopbackHost } from './guards';

/** The bridge's version: the project's package.json version. */
export const BRIDGE_VERSION: string = (
  createRequire(import.meta.url)('../../package.json') as { version: string }
).version;

/**
 * GET /health → {name: 'mailmover-bridge', version}. Unauthenticated on
 * purpose: the extension uses it to discover the bridge, so it says nothing
 * but who is listening. Only to a loopback Host, though: a DNS-rebinding page
 * (evil.example resolving to 127.0.0.1) would otherwise learn that the bridge
 * runs here and which version. `port`, when given, must match too.
 * Everything else is 404.
 */
export function createHealthApp(version: string = BRIDGE_VERSION, port?: () => number): Hono {
  const app = new Hono();
  app.get('/health', (c) => {
    // Over HTTP/1.1 the Host header is always there; an in-process app.request() has only the URL.
    if (!isLoopbackHost(c.req.header('host') ?? new URL(c.req.url).host, port?.())) {
      c.header('Cache-Control', 'no-store');
      return c.json({ error: { code: 'BAD_HOST', message: 'The bridge answers only to a loopback address.' } }, 421);
    }
    const body: HealthBody = { name: BRIDGE_NAME, version };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });
  return app;
}
