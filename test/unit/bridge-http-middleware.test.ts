/**
 * The bridge's HTTP guards through hono's cors, bodyLimit and bearerAuth, in-process
 * (app.request): the same answers as the hand-written checks they replaced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../bridge/server/http-app';
import { PairGate } from '../../bridge/server/pair-gate';
import { PairingKeys } from '../../bridge/server/pairing-keys';
import { openAuthStores, type AuthStores } from '../../bridge/service/auth-stores';
import { openServiceDb, type ServiceDb } from '../../bridge/service/db';
import { ServiceError } from '../../bridge/service/service-error';
import { createBridgeLogger } from '../../bridge/service/logger';
import { SecretScrubber } from '../../bridge/service/secret-scrubber';

const PORT = 7999;
const ORIGIN = 'moz-extension://11111111-2222-4333-8444-555555555555';

describe('bridge HTTP middleware', () => {
  let dir: string;
  let db: ServiceDb;
  let auth: AuthStores;
  let app: ReturnType<typeof createHttpApp>;
  let closeLog: () => void;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailmover-http-'));
    db = openServiceDb(dir);
    auth = openAuthStores(db);
    const logger = createBridgeLogger({ stateDir: dir, scrubber: new SecretScrubber(), stderr: null });
    closeLog = () => logger.close();
    app = createHttpApp({
      auth,
      report: (jobId) => {
        if (jobId !== 'j1') throw new ServiceError('NOT_FOUND', `No job ${jobId}.`);
        return { filename: 'r.csv', csv: 'a,b\r\n' };
      },
      port: () => PORT,
      pairGate: new PairGate(),
      pairingKeys: new PairingKeys(db),
      log: logger.logger,
    });
  });
  afterEach(() => {
    closeLog();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    app.request(`http://127.0.0.1:${PORT}${path}`, { ...init, headers: { host: `127.0.0.1:${PORT}`, ...init.headers } });

  it('answers a preflight from an extension origin for /pair, and refuses a web page before CORS', async () => {
    const pre = await req('/pair', { method: 'OPTIONS', headers: { origin: ORIGIN } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/GET,\s*POST/);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization,\s*Content-Type/);
    expect(pre.headers.get('access-control-max-age')).toBe('600');
    const page = await req('/pair', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(page.status).toBe(403);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    const rebinding = await req('/pair', { method: 'OPTIONS', headers: { origin: ORIGIN, host: `evil.example:${PORT}` } });
    expect(rebinding.status).toBe(421);
  });

  it('pairs once with a code, refuses a body over 4 KiB with 413', async () => {
    const big = await req('/pair', { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ code: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { code: 'TOO_LARGE', message: 'The pairing request is too large.' } });
    const { code } = auth.pairing.create();
    const ok = await req('/pair', { method: 'POST', headers: { origin: ORIGIN }, body: JSON.stringify({ code }) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const body = (await ok.json()) as { token: string; origin: string };
    expect(body.origin).toBe(ORIGIN);
    expect(auth.origins.has(ORIGIN)).toBe(true);
  });

  it('the report needs a token paired for the requesting origin; every failure is the same 401', async () => {
    auth.origins.add(ORIGIN);
    const other = 'moz-extension://99999999-2222-4333-8444-555555555555';
    auth.origins.add(other);
    const { token } = auth.tokens.issue(ORIGIN);
    const unauthorized = { error: { code: 'UNAUTHORIZED', message: 'A token from pairing is required (Authorization: Bearer <token>).' } };
    const tries: Array<Record<string, string>> = [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer mmt_wrong' }, { authorization: 'Bearer' }];
    for (const headers of tries) {
      const r = await req('/jobs/j1/report.csv', { headers: { origin: ORIGIN, ...headers } });
      expect(r.status).toBe(401);
      expect(r.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(await r.json()).toEqual(unauthorized);
    }
    const foreign = await req('/jobs/j1/report.csv', { headers: { origin: other, authorization: `Bearer ${token}` } });
    expect(foreign.status).toBe(401);
    const ok = await req('/jobs/j1/report.csv', { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await ok.text()).toBe('a,b\r\n');
    const missing = await req('/jobs/nope/report.csv', { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
  });
});
