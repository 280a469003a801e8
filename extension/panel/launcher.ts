/**
 * The in-page launcher (content script, plain DOM: no React in the page's process beyond what is
 * needed). Everything it draws lives in a CLOSED shadow root on an element of its own appended to
 * <html>, so:
 * - it does not depend on the page's DOM: it needs no particular element; where the site offers
 *   a natural anchor (webmail-sites.ts `anchors`) the launcher sits there, otherwise it floats;
 *   if the page's scripts remove or re-render it, it is put back;
 * - styles are isolated both ways (`all: initial` on the host, styles only inside the root);
 * - the page's scripts cannot reach inside (closed root, and the content script's own JS world).
 * The panel itself is an extension page in an iframe (panel.html): the page cannot read its
 * fields at all. The launcher only gets a one-time ticket for it from the background worker.
 */
import { browser } from 'wxt/browser';
import { pickLocale, type Locale } from '../i18n';
import { addressIn, classifyUrl, type WebmailSite } from '../../shared/providers/webmail-sites';
import { LauncherSetupResultSchema, PanelResponseSchema, TicketResultSchema, type LauncherSetupResult, type PanelContext, type SiteKind } from './messages';
import { ps } from './strings';

const HOST_TAG = 'mailmover-launcher';

// The highest z-index in every state: with the page's overlays at the same value, tree order
// decides, and place() keeps the host last (see there).
const CSS = `
:host { all: initial !important; display: block !important; position: fixed !important; z-index: 2147483647 !important; visibility: visible !important; opacity: 1 !important; }
:host([data-state="closed"]) { right: 20px !important; bottom: 20px !important; }
:host([data-state="closed"][data-anchored="true"]) { position: static !important; display: inline-block !important; vertical-align: middle !important; margin-left: 12px !important; }
:host([data-state="banner"]) { top: 12px !important; left: 50% !important; transform: translateX(-50%) !important; max-width: calc(100vw - 24px) !important; }
:host([data-state="open"]) { top: 0 !important; right: 0 !important; bottom: 0 !important; width: min(1040px, 100vw) !important; z-index: 2147483647 !important; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; letter-spacing: normal; text-transform: none; }
.fab { display: inline-flex; align-items: center; gap: 8px; margin: 0; padding: 10px 16px; border: 0; border-radius: 999px; background: #1d4ed8; color: #fff;
  font-size: 14px; font-weight: 600; line-height: 1.2; box-shadow: 0 6px 20px rgba(15, 23, 42, .3); cursor: pointer; white-space: nowrap; }
.fab.anchored { box-shadow: none; padding: 6px 12px; font-size: 13px; }
.fab:hover { background: #1e40af; }
.fab:focus-visible, .banner button:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.logo { width: 18px; height: 18px; border-radius: 4px; background: #fff; color: #1d4ed8; display: inline-grid; place-items: center; font-size: 12px; font-weight: 800; }
.banner { display: flex; align-items: center; gap: 12px; padding: 10px 12px 10px 16px; border-radius: 10px; background: #eff6ff; color: #1e3a8a;
  border: 1px solid #bfdbfe; font-size: 14px; line-height: 1.3; box-shadow: 0 6px 20px rgba(15, 23, 42, .18); cursor: pointer; }
.banner .go { border: 0; border-radius: 6px; background: #1d4ed8; color: #fff; padding: 7px 14px; font-size: 14px; font-weight: 600; cursor: pointer; white-space: nowrap; }
.banner .x { border: 0; background: transparent; color: #1e3a8a; font-size: 18px; cursor: pointer; padding: 0 4px; }
.drawer { position: absolute; inset: 0; display: flex; flex-direction: column; background: #fff; box-shadow: -10px 0 30px rgba(15, 23, 42, .25); }
.drawer header { display: flex; align-items: center; justify-content: space-between; padding: 6px 10px 6px 14px; background: #0f172a; color: #fff; font-size: 13px; }
.drawer header button { border: 0; background: transparent; color: #fff; font-size: 20px; line-height: 1; cursor: pointer; }
.drawer iframe { flex: 1; width: 100%; border: 0; background: #f8fafc; }
[hidden] { display: none !important; }
`;

export interface LauncherSetup {
  kind: SiteKind;
  site: WebmailSite | null;
  siteId: string;
}

/** The language and the popup's "enabled here" for this page, from the background (storage is closed to content scripts). */
async function launcherSetup(): Promise<LauncherSetupResult> {
  try {
    const res = PanelResponseSchema.parse(await browser.runtime.sendMessage({ kind: 'panel.setup' }));
    if (res.ok) return LauncherSetupResultSchema.parse(res.result);
  } catch {
    /* the worker is unavailable: the browser's language, no enabled site */
  }
  return { locale: null, enabledKind: null };
}

async function localeOf(): Promise<Locale> {
  return (await launcherSetup()).locale ?? pickLocale(navigator.language);
}

/** Which launcher this page gets: a known site, or one enabled from the popup; null: none. */
export async function setupFor(url: string): Promise<LauncherSetup | null> {
  const known = classifyUrl(url);
  if (known) return { kind: known.kind, site: known.site, siteId: known.site.id };
  const { enabledKind } = await launcherSetup();
  return enabledKind ? { kind: enabledKind, site: null, siteId: 'enabled' } : null;
}

/** The logged-in address where the page shows it (site selectors, then generic hints); null: ask. */
export function detectAddress(doc: Document, site: WebmailSite | null): string | null {
  const selectors = [...(site?.addressSelectors ?? []), '[data-user-email]', '[data-email]', '.user-email', '.account-email'];
  for (const sel of selectors) {
    let els: Element[] = [];
    try {
      els = [...doc.querySelectorAll(sel)];
    } catch {
      continue;
    }
    for (const el of els) {
      const a = addressIn(el.getAttribute('data-user-email') ?? el.getAttribute('data-email') ?? el.getAttribute('title') ?? el.textContent);
      if (a) return a;
    }
  }
  return null;
}

export function mountLauncher(setup: LauncherSetup, doc: Document = document): void {
  if (doc.querySelector(HOST_TAG)) return;
  const host = doc.createElement(HOST_TAG);
  host.setAttribute('data-kind', setup.kind);
  host.setAttribute('data-state', 'closed');
  const root = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = CSS;
  root.append(style);

  let locale: Locale = pickLocale(navigator.language);
  const launcher = doc.createElement('button');
  launcher.type = 'button';
  launcher.className = 'fab';
  const banner = doc.createElement('div');
  banner.className = 'banner';
  banner.setAttribute('role', 'region');
  const bannerText = doc.createElement('span');
  const bannerGo = doc.createElement('button');
  bannerGo.type = 'button';
  bannerGo.className = 'go';
  const bannerX = doc.createElement('button');
  bannerX.type = 'button';
  bannerX.className = 'x';
  bannerX.textContent = '×';
  banner.append(bannerText, bannerGo, bannerX);

  const drawer = doc.createElement('div');
  drawer.className = 'drawer';
  drawer.hidden = true;
  const bar = doc.createElement('header');
  const barTitle = doc.createElement('span');
  const closeBtn = doc.createElement('button');
  closeBtn.type = 'button';
  closeBtn.textContent = '×';
  bar.append(barTitle, closeBtn);
  drawer.append(bar);

  const render = () => {
    launcher.innerHTML = '';
    const logo = doc.createElement('span');
    logo.className = 'logo';
    logo.textContent = 'm';
    launcher.append(logo, doc.createTextNode(setup.kind === 'console' ? ps(locale, 'launcherConsole') : ps(locale, 'bannerButton')));
    launcher.title = ps(locale, 'launcherTitle');
    bannerText.textContent = ps(locale, 'bannerText');
    bannerGo.textContent = ps(locale, 'bannerButton');
    bannerX.title = ps(locale, 'bannerDismiss');
    bannerX.setAttribute('aria-label', ps(locale, 'bannerDismiss'));
    barTitle.textContent = ps(locale, 'panelTitle');
    closeBtn.setAttribute('aria-label', ps(locale, 'close'));
  };
  render();
  void localeOf().then((l) => {
    locale = l;
    render();
  });

  // Webmail: a banner first; once hidden, the small launcher stays (bottom right).
  let bannerShown = setup.kind === 'webmail';
  const showClosed = () => {
    drawer.hidden = true;
    banner.hidden = !bannerShown;
    launcher.hidden = bannerShown;
    host.setAttribute('data-state', bannerShown ? 'banner' : 'closed');
    place();
  };

  const open = async () => {
    const context: Omit<PanelContext, 'origin'> = {
      kind: setup.kind,
      siteId: setup.siteId,
      presetId: setup.site?.presetId ?? null,
      address: setup.kind === 'webmail' ? detectAddress(doc, setup.site) : null,
    };
    let ticket = '';
    try {
      const raw: unknown = await browser.runtime.sendMessage({ kind: 'panel.ticket', context });
      const res = PanelResponseSchema.parse(raw);
      if (res.ok) ticket = TicketResultSchema.parse(res.result).ticket;
    } catch {
      /* the panel says it cannot start */
    }
    // Into place first: moving a host with an iframe inside would reload the iframe.
    drawer.querySelector('iframe')?.remove();
    drawer.hidden = false;
    banner.hidden = true;
    launcher.hidden = true;
    host.setAttribute('data-state', 'open');
    place();
    const frame = doc.createElement('iframe');
    frame.title = ps(locale, 'panelTitle');
    frame.src = `${browser.runtime.getURL('/panel.html')}#${new URLSearchParams({ t: ticket }).toString()}`;
    drawer.append(frame);
  };

  launcher.addEventListener('click', () => void open());
  banner.addEventListener('click', (e) => {
    if (e.target !== bannerX) void open();
  });
  bannerX.addEventListener('click', () => {
    bannerShown = false;
    showClosed();
  });
  closeBtn.addEventListener('click', () => {
    drawer.querySelector('iframe')?.remove();
    showClosed();
  });
  root.append(launcher, banner, drawer);

  // Where the site offers a natural anchor, the (closed) launcher sits in it; else it floats.
  function place(): void {
    // Only the closed launcher is anchored: the banner and the open panel are fixed to the
    // viewport, outside any container of the page (a transformed ancestor would move them).
    const closed = host.getAttribute('data-state') === 'closed';
    const anchor = closed && setup.kind === 'console' ? (setup.site?.anchors ?? []).map((s) => doc.querySelector(s)).find((e) => e) : undefined;
    if (anchor) {
      if (host.parentElement !== anchor) anchor.append(host);
      launcher.classList.add('anchored');
      host.setAttribute('data-anchored', 'true');
    } else {
      // Last child of <html>: at the same (maximal) z-index the later element paints on top, so
      // an overlay the page appends after us would cover the launcher (clickjacking). Moved back
      // to the end whenever the page adds a later sibling, except while the panel's iframe is
      // in it: moving the host would reload the iframe; the panel protects itself then
      // (visibility.ts). open() calls this before it adds the iframe, so the panel opens last.
      const framed = drawer.querySelector('iframe') !== null;
      if (host.parentElement !== doc.documentElement || (!framed && host.nextElementSibling !== null)) doc.documentElement.append(host);
      launcher.classList.remove('anchored');
      host.setAttribute('data-anchored', 'false');
    }
  }
  showClosed();
  // Single-page consoles re-render: keep the launcher there (and move it when an anchor appears).
  let scheduled = false;
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      place();
    });
  }).observe(doc.documentElement, { childList: true, subtree: true });
}
