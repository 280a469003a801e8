import { Hono, type Context } from 'hono';
import { PairRequestSchema } from '../../shared/protocol/pairing';
import type { BridgeService } from '../service/bridge-service';
import type { Logger } from '../service/logger';
import { ServiceError } from '../service/service-error';
import { checkRequest } from './guards';
import { createHealthApp } from './health';
import type { PairGate } from './pair-gate';
import type { PairingKeys } from './pairing-keys';

const MAX_PAIR_BODY = 4096;

function fail(c: Context, status: 400 | 401 | 403 | 404 | 413 | 421 | 429 | 503, code: string, message: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error: { code, message } }, status);
}

/**
 * The bridge's HTTP side: GET /health (open, for discovery), POST /pair, and the
 * report download. Every route but /health passes the Host and Origin guards;
 * the report also needs a token (Authorization: Bearer) paired for that origin.
 */
export function createHttpApp(deps: { service: BridgeService; port: () => number; pairGate: PairGate; pairingKeys: PairingKeys; log: Logger }): Hono {
  const { service } = deps;
  const app = new Hono();
  app.route('/', createHealthApp(undefined, deps.port));

  app.use('*', async (c, next) => {
    if (c.req.path === '/health' && c.req.method === 'GET') return next();
    const denied = checkRequest(
      { host: c.req.header('host'), origin: c.req.header('origin') },
      deps.port(),
      service.origins,
      { pairing: c.req.path === '/pair' },
    );
    if (denied) {
      deps.log.warn({ path: c.req.path, origin: c.req.header('origin') ?? null, host: c.req.header('host') ?? null }, `refused HTTP ${c.req.method} ${c.req.path}: ${denied.code}`);
      return fail(c, denied.status, denied.code, denied.message);
    }
    // The extension may lack a host permission for 127.0.0.1: answer CORS for the trusted origin only.
    const origin = c.req.header('origin')!;
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', 'GET, POST');
      c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    }
    return next();
  });

  app.post('/pair', async (c) => {
    // Admitted (and counted) before the first await: see pair-gate.ts.
    const admission = deps.pairGate.admit();
    if (!admission.ok) {
      const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      c.header('Retry-After', String(seconds));
      return admission.reason === 'BUSY'
        ? fail(c, 503, 'BUSY', 'Another pairing request is being checked; try again in a moment.')
        : fail(c, 429, 'RATE_LIMITED', `Too many pairing attempts; try again in ${seconds} s.`);
    }
    let paired = false;
    try {
      return await pairRequest(c, () => (paired = true));
    } finally {
      admission.release(paired);
    }
  });

  async function pairRequest(c: Context, succeeded: () => void) {
    const length = Number(c.req.header('content-length') ?? '0');
    if (length > MAX_PAIR_BODY) return fail(c, 413, 'TOO_LARGE', 'The pairing request is too large.');
    let body: unknown;
    try {
      const text = await c.req.text();
      if (text.length > MAX_PAIR_BODY) return fail(c, 413, 'TOO_LARGE', 'The pairing request is too large.');
      body = JSON.parse(text);
    } catch {
      return fail(c, 400, 'BAD_JSON', 'The body must be JSON: {"code": "ABCD-EFGH"}.');
    }
    const parsed = PairRequestSchema.safeParse(body);
    const origin = c.req.header('origin')!;
    if (!parsed.success) return fail(c, 400, 'BAD_CODE', 'That is not a pairing code; it looks like ABCD-EFGH.');
    if (parsed.data.origin !== undefined && parsed.data.origin !== origin) {
      return fail(c, 403, 'BAD_ORIGIN', 'The origin in the body differs from the Origin header.');
    }
    if (!service.pairing.consume(parsed.data.code)) {
      deps.log.warn({ origin }, 'pairing refused: wrong, used or expired code');
      return fail(c, 401, 'BAD_CODE', 'Wrong, used or expired pairing code. Run `mailmover-bridge pair` for a new one.');
    }
    succeeded();
    service.origins.add(origin);
    const { token, info } = service.tokens.issue(origin, parsed.data.label);
    const key = deps.pairingKeys.create(info.id);
    deps.log.info({ origin, tokenId: info.id }, `paired ${origin} (token ${info.id})`);
    c.header('Cache-Control', 'no-store');
    return c.json({ token, tokenId: info.id, origin, key });
  }

  app.get('/jobs/:jobId/report.csv', (c) => {
    const auth = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const info = m ? service.tokens.verify(m[1]!) : undefined;
    if (!info || info.origin !== c.req.header('origin')) return fail(c, 401, 'UNAUTHORIZED', 'A token from pairing is required (Authorization: Bearer <token>).');
    try {
      const { filename, csv } = service.report(c.req.param('jobId'));
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
      c.header('Cache-Control', 'no-store');
      return c.body(csv);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'NOT_FOUND') return fail(c, 404, 'NOT_FOUND', err.message);
      throw err;
    }
  });

  app.notFound((c) => fail(c, 404, 'NOT_FOUND', 'No such route.'));
  app.onError((err, c) => {
    deps.log.error({ err }, 'HTTP handler failed');
    return c.json({ error: { code: 'INTERNAL', message: 'Internal error; see the bridge log.' } }, 500);
  });
  return app;
}
