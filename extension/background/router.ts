/**
 * Answers the pages' runtime messages (PageRequestSchema). Anything that does not parse, or
 * does not come from one of this extension's own pages, is refused. A content script shares
 * the extension's id (sender.id) but runs in a web page, next to the page's scripts and
 * whatever a compromised page does to it; its sender.url is the page's address, so checking
 * the URL is what keeps bridge traffic to the popup, dashboard and panel pages.
 */
import { browser } from 'wxt/browser';
import { PageRequestSchema, type PageResponse } from '../lib/runtime-messages';
import type { BridgeConnection } from './bridge-connection';

export interface PageSender {
  id?: string;
  url?: string;
}

/**
 * An extension page (popup, dashboard, panel), not a content script. The scheme is compared,
 * not the whole origin: the panel framed in a web page runs under the per-session dynamic id
 * (use_dynamic_url), and a content script's sender.url is always the page's http(s) address.
 */
export function isExtensionPage(sender: PageSender): boolean {
  if (sender.id !== browser.runtime.id || !sender.url) return false;
  try {
    return new URL(sender.url).protocol === new URL(browser.runtime.getURL('/')).protocol;
  } catch {
    return false;
  }
}

export async function handlePageMessage(message: unknown, sender: PageSender, conn: BridgeConnection): Promise<PageResponse> {
  if (!isExtensionPage(sender)) return { ok: false, error: { code: 'BAD_REQUEST', message: 'Only the extension’s own pages may use the bridge.' } };
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
