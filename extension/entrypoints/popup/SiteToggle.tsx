import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { useLocale } from '../../i18n/locale-context';
import { classifyUrl } from '../../../shared/providers/webmail-sites';
import { originOf, type EnabledSite, type SiteKind } from '../../panel/messages';
import { disableSite, enableSite, listSites } from '../../panel/panel-client';
import { ps } from '../../panel/strings';

/**
 * The current web page: the active tab, or (when the popup is open in a tab of its own) the
 * most recently used http(s) tab. Its address is readable thanks to activeTab (or a host
 * permission the extension already has).
 */
async function currentSite(): Promise<{ url: string; origin: string } | null> {
  const [active] = await browser.tabs.query({ active: true, currentWindow: true });
  const activeOrigin = active?.url ? originOf(active.url) : null;
  if (active?.url && activeOrigin) return { url: active.url, origin: activeOrigin };
  const tabs = (await browser.tabs.query({})).filter((t) => t.url && originOf(t.url));
  tabs.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  const t = tabs[0];
  return t?.url ? { url: t.url, origin: originOf(t.url)! } : null;
}

/**
 * "Enable on this site" for any other console or webmail (self-hosted Coremail, Roundcube, …):
 * asks for the origin's host permission at run time (optional_host_permissions; this click is
 * the user gesture the browser requires), then the background registers the launcher for it.
 * "Disable" unregisters it and gives the permission back.
 */
export function SiteToggle() {
  const { locale } = useLocale();
  const [site, setSite] = useState<{ url: string; origin: string } | null>(null);
  const [enabled, setEnabled] = useState<EnabledSite[]>([]);
  const [kind, setKind] = useState<SiteKind>('webmail');
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void currentSite().then(setSite);
    void listSites().then(setEnabled);
  }, []);

  if (!site) return null;
  if (classifyUrl(site.url)) return <p className="hint" data-testid="site-builtin">{ps(locale, 'siteBuiltIn')}</p>;
  const on = enabled.find((s) => s.origin === site.origin);

  const enable = () => {
    // permissions.request must be the first await of the click handler (user gesture).
    void browser.permissions.request({ origins: [`${site.origin}/*`] }).then(async (granted) => {
      if (!granted) return setMessage(ps(locale, 'siteDenied'));
      const r = await enableSite(site.origin, kind);
      setMessage(r.ok ? ps(locale, 'siteEnabled', { origin: site.origin }) : (r.error ?? ''));
      setEnabled(await listSites());
    });
  };
  const disable = () =>
    void disableSite(site.origin).then(async (r) => {
      setMessage(r.ok ? null : (r.error ?? ''));
      setEnabled(await listSites());
    });

  return (
    <section className="site-toggle" data-testid="site-toggle" data-enabled={String(Boolean(on))} data-origin={site.origin}>
      <p className="hint">{site.origin}</p>
      {on ? (
        <button type="button" className="secondary" data-testid="site-disable" onClick={disable}>
          {ps(locale, 'disableSite')}
        </button>
      ) : (
        <div className="site-toggle__row">
          <label className="hint">
            {ps(locale, 'siteAs')}{' '}
            <select name="site-kind" value={kind} onChange={(e) => setKind(e.target.value as SiteKind)}>
              <option value="webmail">{ps(locale, 'siteWebmail')}</option>
              <option value="console">{ps(locale, 'siteConsole')}</option>
            </select>
          </label>
          <button type="button" className="secondary" data-testid="site-enable" onClick={enable}>
            {ps(locale, 'enableSite')}
          </button>
        </div>
      )}
      {message && (
        <p className="hint" role="status" data-testid="site-message">
          {message}
        </p>
      )}
    </section>
  );
}
