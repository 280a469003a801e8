import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import { nowIso, type ServiceDb } from './db';

/**
 * Origins allowed to talk to the bridge: the extension's stable Chromium origin
 * (shared/extension-id.ts) from the start, and every extension origin that
 * paired (a Firefox moz-extension:// origin is random per installation, a
 * differently keyed Chromium build has another id). Only extension schemes can be
 * trusted: a web page, or a content script (whose requests carry the page's
 * origin), never.
 */
const EXTENSION_ORIGIN_RE = /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function isExtensionOrigin(origin: string): boolean {
  return EXTENSION_ORIGIN_RE.test(origin);
}

export class TrustedOrigins {
  constructor(
    private readonly db: ServiceDb,
    private readonly builtIn: readonly string[] = [EXTENSION_ORIGIN],
  ) {}

  has(origin: string | undefined): boolean {
    if (!origin || !isExtensionOrigin(origin)) return false;
    if (this.builtIn.includes(origin)) return true;
    return this.db.prepare(`SELECT 1 FROM svc_trusted_origins WHERE origin = ?`).get(origin) !== undefined;
  }

  add(origin: string): void {
    if (!isExtensionOrigin(origin)) throw new Error(`not an extension origin: ${origin}`);
    this.db.prepare(`INSERT OR IGNORE INTO svc_trusted_origins (origin, added_at) VALUES (?, ?)`).run(origin, nowIso());
  }
}
