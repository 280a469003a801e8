import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { PairRequestSchema } from '../../shared/protocol/pairing';
import type { AuthStores } from '../service/auth-stores';
import type { Logger } from '../service/logger';
import { ServiceError } from '../service/service-error';
import { checkRequest } from './guards';
import { createHealthApp } from './health';
import type { PairGate } from './pair-gate';
import type { PairingKeys } from './pairing-keys';

const MAX_PAIR_BODY = 4096;

type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 421 | 429 | 503;

function fail(c: Context, status: ErrorStatus, code: string, message: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error: { code, message } }, status);
}

export interface HttpAppDeps {
  auth: AuthStores;
  /** The CSV report of a job (job-service.ts); throws ServiceError NOT_FOUND for an unknown job. */
  report(jobId: string): { filename: string; csv: string };
  port: () => number;
  pairGate: PairGate;
  pairingKeys: PairingKeys;
  log: Logger;
}

type Env = { Variables: { paired: boolean } };

/**
 * The bridge's HTTP side: GET /health (open, for discovery), POST /pair, and the
 * report download. Every route but /health passes the Host and Origin guards;
 * the report also needs a token (Authorization: Bearer) paired for that origin.
 */
export function createHttpApp(deps: HttpAppDeps): Hono<Env> {
  const { auth } = deps;
  const app = new Hono<Env>();
  app.route('/', createHealthApp(undefined, deps.port));

  // Host and Origin first: nothing else runs for a request that fails them.
  app.use('*', async (c, next) => {
    if (c.req.path === '/health' && c.req.method === 'GET') return next();
    const denied = checkRequest({ host: c.req.header('host'), origin: c.req.header('origin') }, deps.port(), auth.origins, { pairing: c.req.path === '/pair' });
    if (denied) {
      deps.log.warn({ path: c.req.path, origin: c.req.header('origin') ?? null, host: c.req.header('host') ?? null }, `refused HTTP ${c.req.method} ${c.req.path}: ${denied.code}`);
      return fail(c, denied.status, denied.code, denied.message);
    }
    return next();
  });
  // The extension may lack a host permission for 127.0.0.1: CORS is answered, for the origin the guard let through only.
  app.use(
    '*',
    cors({
      origin: (origin, c) => (c.req.path === '/health' && c.req.method === 'GET' ? null : origin),
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }),
  );

  app.post('/pair', admitPairing(deps.pairGate), bodyLimit({ maxSize: MAX_PAIR_BODY, onError: (c) => fail(c, 413, 'TOO_LARGE', 'The pairing request is too large.') }), async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return fail(c, 400, 'BAD_JSON', 'The body must be JSON: {"code": "ABCD-EFGH"}.');
    }
    const parsed = PairRequestSchema.safeParse(body);
    const origin = c.req.header('origin')!;
    if (!parsed.success) return fail(c, 400, 'BAD_CODE', 'That is not a pairing code; it looks like ABCD-EFGH.');
    if (parsed.data.origin !== undefined && parsed.data.origin !== origin) {
      return fail(c, 403, 'BAD_ORIGIN', 'The origin in the body differs from the Origin header.');
    }
    if (!auth.pairing.consume(parsed.data.code)) {
      deps.log.warn({ origin }, 'pairing refused: wrong, used or expired code');
      return fail(c, 401, 'BAD_CODE', 'Wrong, used or expired pairing code. Run `mailmover-bridge pair` for a new one.');
    }
    c.set('paired', true);
    auth.origins.add(origin);
    const { token, info } = auth.tokens.issue(origin, parsed.data.label);
    const key = deps.pairingKeys.create(info.id);
    deps.log.info({ origin, tokenId: info.id }, `paired ${origin} (token ${info.id})`);
    c.header('Cache-Control', 'no-store');
    return c.json({ token, tokenId: info.id, origin, key });
  });

  // A token from pairing, presented by the origin it was paired for; any other failure is the same 401.
  const unauthorized = { message: (c: Context) => fail(c, 401, 'UNAUTHORIZED', 'A token from pairing is required (Authorization: Bearer <token>).') };
  const tokenOfOrigin = bearerAuth({
    verifyToken: (token, c) => {
      const info = auth.tokens.verify(token);
      return info !== undefined && info.origin === c.req.header('origin');
    },
    noAuthenticationHeader: unauthorized,
    invalidAuthenticationHeader: unauthorized,
    invalidToken: unauthorized,
  });

  app.get('/jobs/:jobId/report.csv', tokenOfOrigin, (c) => {
    try {
      const { filename, csv } = deps.report(c.req.param('jobId'));
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
    // The middleware's own refusals (bearerAuth's 401) carry their response.
    if (err instanceof HTTPException) return err.getResponse();
    deps.log.error({ err }, 'HTTP handler failed');
    return c.json({ error: { code: 'INTERNAL', message: 'Internal error; see the bridge log.' } }, 500);
  });
  return app;
}

/**
 * Admission to POST /pair (pair-gate.ts): decided and counted before anything is awaited (the
 * body is read after it), given back when the code was right.
 */
function admitPairing(gate: PairGate): MiddlewareHandler<Env> {
  return async (c, next) => {
    const admission = gate.admit();
    if (!admission.ok) {
      const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      c.header('Retry-After', String(seconds));
      return admission.reason === 'BUSY'
        ? fail(c, 503, 'BUSY', 'Another pairing request is being checked; try again in a moment.')
        : fail(c, 429, 'RATE_LIMITED', `Too many pairing attempts; try again in ${seconds} s.`);
    }
    try {
      await next();
    } finally {
      admission.release(c.get('paired') === true);
    }
  };
}
