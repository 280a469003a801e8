/**
 * Answers the pages' runtime messages (PageRequestSchema). Anything that does not parse, or
 * comes from outside this extension, is refused.
 */
import { browser } from 'wxt/browser';
import { PageRequestSchema, type PageResponse } from '../lib/runtime-messages';
import type { BridgeConnection } from './bridge-connection';

export async function handlePageMessage(message: unknown, senderId: string | undefined, conn: BridgeConnection): Promise<PageResponse> {
  if (senderId !== browser.runtime.id) return { ok: false, error: { code: 'BAD_REQUEST', message: 'Not from this extension.' } };
  const parsed = PageRequestSchema.safeParse(message);
  if (!parsed.success) return { ok: false, error: { code: 'BAD_REQUEST', message: 'Malformed message.' } };
  const m = parsed.data;
  try {
    switch (m.kind) {
      case 'bridge.status':
        return { ok: true, result: await conn.ensure() };
      case 'bridge.reconnect':
        return { ok: true, result: await conn.ensure(true) };
      case 'bridge.pair': {
        const outcome = await conn.pair(m.code);
        return outcome.ok ? { ok: true, result: conn.current } : { ok: false, error: { code: outcome.code, message: outcome.message } };
      }
      case 'bridge.unpair':
        await conn.unpair();
        return { ok: true, result: conn.current };
      case 'bridge.setPort':
        await conn.setPort(m.port);
        return { ok: true, result: conn.current };
      case 'bridge.request':
        return { ok: true, result: await conn.request(m.type, m.params) };
    }
  } catch (err) {
    return { ok: false, error: conn.failureOf(err) };
  }
}
