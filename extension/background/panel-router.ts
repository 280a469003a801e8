/**
 * The launcher's, the panel's and the popup's own messages (extension/panel/messages.ts):
 * one-time panel tickets, and the sites enabled at run time ("enable on this site", which
 * registers the launcher with chrome.scripting.registerContentScripts). Bridge traffic never
 * comes through here: the panel uses the ordinary page messages (router.ts).
 */
import { browser } from 'wxt/browser';
import { enabledSitesItem, readEnabledSites, readLocale } from '../lib/storage-items';
import { siteScriptId } from './site-script-id';
import {
  LAUNCHER_SCRIPT_FILE,
  PanelRequestSchema,
  originOf,
  type LauncherSetupResult,
  type PanelContext,
  type PanelResponse,
} from '../panel/messages';

interface Sender {
  id?: string;
  url?: string;
  tab?: { id?: number; url?: string };
  frameId?: number;
}

const TICKET_TTL_MS = 60_000;
const tickets = new Map<string, { context: PanelContext; expires: number }>();

function newTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The registrations a site may hold: its id, and the one recorded when it was enabled (ids made
 * before they were injective), so that enabling or disabling it again leaves no stale launcher.
 */
async function registeredIdsOf(origin: string): Promise<string[]> {
  const sites = await readEnabledSites();
  const recorded = sites.find((s) => s.origin === origin)?.scriptId;
  // An old id another enabled site also recorded is that site's launcher too: it stays.
  const own = recorded && !sites.some((s) => s.origin !== origin && s.scriptId === recorded) ? [recorded] : [];
  const ids = [...new Set([siteScriptId(origin), ...own])];
  return (await browser.scripting.getRegisteredContentScripts({ ids })).map((s) => s.id);
}

/**
 * Whether the sender is this extension's page under `page`. By path and scheme, not the full URL:
 * the framed panel runs under the per-session dynamic id (use_dynamic_url), so its origin is not
 * runtime.getURL's.
 */
export function isExtensionPage(sender: Sender, page: string): boolean {
  if (sender.id !== browser.runtime.id) return false;
  try {
    const u = new URL(sender.url ?? '');
    return u.protocol === new URL(browser.runtime.getURL('/')).protocol && u.pathname.startsWith(page);
  } catch {
    return false;
  }
}

const fail = (code: string, message: string): PanelResponse => ({ ok: false, error: { code, message } });

export async function handlePanelMessage(message: unknown, sender: Sender): Promise<PanelResponse> {
  if (sender.id !== browser.runtime.id) return fail('BAD_REQUEST', 'Not from this extension.');
  const parsed = PanelRequestSchema.safeParse(message);
  if (!parsed.success) return fail('BAD_REQUEST', 'Malformed message.');
  const m = parsed.data;
  const extensionPage = (page: string) => isExtensionPage(sender, page);
  try {
    switch (m.kind) {
      case 'panel.ticket': {
        // Only a content script (it has a tab and the tab's page URL) gets a ticket.
        const origin = sender.tab?.url ? originOf(sender.url ?? sender.tab.url) : null;
        if (!origin) return fail('BAD_REQUEST', 'Not from a web page.');
        const now = Date.now();
        for (const [k, v] of tickets) if (v.expires < now) tickets.delete(k);
        const ticket = newTicket();
        tickets.set(ticket, { context: { ...m.context, origin }, expires: now + TICKET_TTL_MS });
        return { ok: true, result: { ticket } };
      }
      case 'panel.claim': {
        if (!extensionPage('/panel.html')) return fail('BAD_REQUEST', 'Only the panel page claims tickets.');
        const entry = tickets.get(m.ticket);
        tickets.delete(m.ticket);
        if (!entry || entry.expires < Date.now()) return fail('TICKET_INVALID', 'This panel was not opened by the mailmover launcher.');
        return { ok: true, result: entry.context };
      }
      case 'panel.setup': {
        const origin = sender.tab?.url ? originOf(sender.url ?? sender.tab.url) : null;
        if (!origin) return fail('BAD_REQUEST', 'Not from a web page.');
        const enabled = (await readEnabledSites()).find((s) => s.origin === origin);
        const result: LauncherSetupResult = { locale: await readLocale(), enabledKind: enabled?.kind ?? null };
        return { ok: true, result };
      }
      case 'site.list':
        if (!extensionPage('/')) return fail('BAD_REQUEST', 'Only extension pages list the enabled sites.');
        return { ok: true, result: await readEnabledSites() };
      case 'site.enable': {
        if (!extensionPage('/popup.html')) return fail('BAD_REQUEST', 'Only the popup enables sites.');
        const origins = [`${m.origin}/*`];
        if (!(await browser.permissions.contains({ origins }))) return fail('PERMISSION_DENIED', `No permission for ${m.origin}.`);
        const scriptId = siteScriptId(m.origin);
        const registered = await registeredIdsOf(m.origin);
        if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: registered });
        await browser.scripting.registerContentScripts([
          { id: scriptId, matches: origins, js: [LAUNCHER_SCRIPT_FILE], runAt: 'document_idle', persistAcrossSessions: true },
        ]);
        const sites = (await readEnabledSites()).filter((s) => s.origin !== m.origin);
        sites.push({ origin: m.origin, kind: m.siteKind, scriptId });
        await enabledSitesItem().setValue(sites);
        return { ok: true, result: sites };
      }
      case 'site.disable': {
        if (!extensionPage('/popup.html')) return fail('BAD_REQUEST', 'Only the popup disables sites.');
        const registered = await registeredIdsOf(m.origin);
        if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: registered });
        const sites = (await readEnabledSites()).filter((s) => s.origin !== m.origin);
        await enabledSitesItem().setValue(sites);
        // The host permission goes too (unless it is one the manifest grants).
        await browser.permissions.remove({ origins: [`${m.origin}/*`] }).catch(() => false);
        return { ok: true, result: sites };
      }
    }
  } catch (err) {
    return fail('FAILED', err instanceof Error ? err.message : String(err));
  }
}
