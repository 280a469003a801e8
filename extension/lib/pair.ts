/**
 * POST /pair: trades the code the bridge printed for a token. The request carries this
 * extension's origin (the Origin header, and the body for the bridge's consistency check);
 * the bridge trusts that origin from then on.
 */
import { HttpErrorSchema, PairResponseSchema, type PairResponse } from '../../shared/protocol/pairing';
import { BRIDGE_HOST } from './bridge';

export type PairOutcome =
  | { ok: true; pair: PairResponse }
  | { ok: false; code: 'BAD_CODE' | 'RATE_LIMITED' | 'BAD_ORIGIN' | 'UNREACHABLE' | 'OTHER'; message: string };

export async function pairWithBridge(
  port: number,
  code: string,
  { origin, label, fetchImpl = fetch }: { origin: string; label: string; fetchImpl?: typeof fetch },
): Promise<PairOutcome> {
  let response: Response;
  try {
    response = await fetchImpl(`http://${BRIDGE_HOST}:${port}/pair`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, origin, label }),
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    return { ok: false, code: 'UNREACHABLE', message: String(err) };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // handled below
  }
  if (response.ok) {
    const parsed = PairResponseSchema.safeParse(body);
    if (parsed.success) return { ok: true, pair: parsed.data };
    return { ok: false, code: 'OTHER', message: 'Unexpected answer from the bridge.' };
  }
  const err = HttpErrorSchema.safeParse(body);
  const errCode = err.success ? err.data.error.code : '';
  const message = err.success ? err.data.error.message : `HTTP ${response.status}`;
  if (errCode === 'BAD_CODE') return { ok: false, code: 'BAD_CODE', message };
  if (errCode === 'RATE_LIMITED' || response.status === 429) return { ok: false, code: 'RATE_LIMITED', message };
  if (errCode === 'BAD_ORIGIN') return { ok: false, code: 'BAD_ORIGIN', message };
  return { ok: false, code: 'OTHER', message };
}
