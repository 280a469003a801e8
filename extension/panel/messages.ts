/**
 * Runtime messages of the in-page launcher, the panel page and the popup's "enable on this
 * site", answered by extension/background/panel-router.ts. Validated with zod on both sides.
 *
 * Trust: the content script (launcher) runs next to the page's scripts, so it never handles a
 * credential or bridge traffic. It only asks for a one-time ticket and puts it in the panel
 * iframe's address; the panel (an extension page the page's scripts cannot read) redeems the
 * ticket for what the launcher saw (site, kind, the address shown on the page) and talks to the
 * bridge through the background worker like the dashboard does.
 */
import { z } from 'zod';

export const SiteKindSchema = z.enum(['console', 'webmail']);
export type SiteKind = z.infer<typeof SiteKindSchema>;

/** An http(s) origin, no path. */
export const OriginSchema = z
  .string()
  .max(300)
  .regex(/^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/i);

export const PanelContextSchema = z.object({
  kind: SiteKindSchema,
  /** webmail-sites.ts id, or 'enabled' for a site enabled from the popup. */
  siteId: z.string().max(64),
  presetId: z.string().max(64).nullable(),
  origin: OriginSchema,
  /** The logged-in address as the page shows it; null: ask. */
  address: z.string().max(320).nullable(),
});
export type PanelContext = z.infer<typeof PanelContextSchema>;

export const PanelRequestSchema = z.discriminatedUnion('kind', [
  /** Launcher → background: a ticket for one panel (sender must be a content script of a tab). */
  z.object({ kind: z.literal('panel.ticket'), context: PanelContextSchema.omit({ origin: true }) }),
  /** Panel page → background: what the launcher saw; the ticket works once. */
  z.object({ kind: z.literal('panel.claim'), ticket: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/) }),
  /** Popup → background, after chrome.permissions.request granted the origin. */
  z.object({ kind: z.literal('site.enable'), origin: OriginSchema, siteKind: SiteKindSchema }),
  z.object({ kind: z.literal('site.disable'), origin: OriginSchema }),
  z.object({ kind: z.literal('site.list') }),
  /**
   * Launcher → background: its language and whether the page's origin was enabled from the
   * popup. chrome.storage.local is closed to content scripts (it holds the pairing key), so
   * this is the one thing from storage the launcher gets, for its own origin only.
   */
  z.object({ kind: z.literal('panel.setup') }),
]);
export type PanelRequest = z.infer<typeof PanelRequestSchema>;

export const EnabledSiteSchema = z.object({ origin: OriginSchema, kind: SiteKindSchema, scriptId: z.string() });
export type EnabledSite = z.infer<typeof EnabledSiteSchema>;

export const PanelResponseSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type PanelResponse = z.infer<typeof PanelResponseSchema>;

/**
 * Name of the port the panel page opens to receive the mirror (the panel cannot open the
 * extension's IndexedDB): the background sends a table's rows when the panel connects and again
 * whenever that table changes.
 */
export const MIRROR_PORT_NAME = 'panel.mirror';

/**
 * The mirror's tables, as the background's Dexie holds them (never a password or token), read in
 * one transaction and sent as one message: the panel never holds the bridge's "connected" state
 * and its snapshot time beside the accounts of before that snapshot.
 */
export const MirrorUpdateSchema = z.object({
  settings: z.array(z.object({ key: z.string(), value: z.unknown() })),
  jobs: z.array(z.record(z.string(), z.unknown())),
  accounts: z.array(z.record(z.string(), z.unknown())),
  events: z.array(z.record(z.string(), z.unknown())),
});
export type MirrorUpdate = z.infer<typeof MirrorUpdateSchema>;

export const TicketResultSchema = z.object({ ticket: z.string() });
export const LauncherSetupResultSchema = z.object({ locale: z.enum(['en', 'zh-CN']).nullable(), enabledKind: SiteKindSchema.nullable() });
export type LauncherSetupResult = z.infer<typeof LauncherSetupResultSchema>;
export const EnabledSitesSchema = z.array(EnabledSiteSchema);

export function isPanelRequest(message: unknown): boolean {
  const k = (message as { kind?: unknown } | null)?.kind;
  return typeof k === 'string' && (k.startsWith('panel.') || k.startsWith('site.'));
}

export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** The built launcher script (WXT's output name of entrypoints/webmail.content). */
export const LAUNCHER_SCRIPT_FILE = 'content-scripts/webmail.js';
