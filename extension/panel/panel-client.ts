/** The panel's and the popup's side of extension/panel/messages.ts. */
import { browser } from 'wxt/browser';
import { EnabledSitesSchema, PanelContextSchema, PanelResponseSchema, type EnabledSite, type PanelRequest, type SiteKind } from './messages';

async function send(message: PanelRequest): Promise<{ ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }> {
  try {
    const r = PanelResponseSchema.safeParse(await browser.runtime.sendMessage(message));
    return r.success ? r.data : { ok: false, error: { code: 'BAD_RESPONSE', message: 'Unexpected answer from the background.' } };
  } catch (err) {
    return { ok: false, error: { code: 'NOT_CONNECTED', message: String(err) } };
  }
}

export async function claimTicket(ticket: string) {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(ticket)) return null;
  const r = await send({ kind: 'panel.claim', ticket });
  if (!r.ok) return null;
  const c = PanelContextSchema.safeParse(r.result);
  return c.success ? c.data : null;
}

export async function listSites(): Promise<EnabledSite[]> {
  const r = await send({ kind: 'site.list' });
  const s = r.ok ? EnabledSitesSchema.safeParse(r.result) : null;
  return s?.success ? s.data : [];
}

export async function enableSite(origin: string, siteKind: SiteKind): Promise<{ ok: boolean; error?: string }> {
  const r = await send({ kind: 'site.enable', origin, siteKind });
  return r.ok ? { ok: true } : { ok: false, error: r.error.message };
}

export async function disableSite(origin: string): Promise<{ ok: boolean; error?: string }> {
  const r = await send({ kind: 'site.disable', origin });
  return r.ok ? { ok: true } : { ok: false, error: r.error.message };
}
