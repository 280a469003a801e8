import { defineConfig } from 'wxt';
import { EXTENSION_PUBLIC_KEY, FIREFOX_ADDON_ID } from './shared/extension-id';
import { siteMatches, TEST_FIXTURE_SITE, TEST_THIRD_SITE_ORIGIN, WEBMAIL_SITES } from './shared/providers/webmail-sites';

/**
 * MAILMOVER_TEST_BUILD=1: the e2e build. It adds the loopback fixture pages to the content
 * script's matches and pre-grants the "third site" origin (http://127.0.0.2) that the
 * "enable on this site" test registers at run time, and goes to .output-e2e/ so the production
 * build in .output/ is never touched by it.
 */
const TEST_BUILD = process.env.MAILMOVER_TEST_BUILD === '1';
/**
 * MAILMOVER_STORE_BUILD=1 (`npm run package`): archives for the Chrome Web Store, Microsoft
 * Edge Add-ons and Firefox Add-ons, in dist/. The stores assign the extension's id themselves
 * and refuse a manifest with a "key" field, so the pinned key is left out; the bridge trusts
 * the store's id once the extension has paired.
 */
const STORE_BUILD = process.env.MAILMOVER_STORE_BUILD === '1';


// WXT 0.21: srcDir and entrypointsDir resolve against the source dir, publicDir
// against the project root. Output goes to <outDir>/<browser>-mv<n>/.
export default defineConfig({
  srcDir: 'extension',
  entrypointsDir: 'entrypoints',
  publicDir: 'extension/public',
  outDir: TEST_BUILD ? '.output-e2e' : STORE_BUILD ? 'dist' : '.output',
  modules: ['@wxt-dev/module-react'],
  hooks: {
    // The test build adds the loopback fixture pages to the launcher's matches.
    'build:manifestGenerated': (_wxt, manifest) => {
      if (!TEST_BUILD) return;
      for (const cs of manifest.content_scripts ?? []) {
        if (cs.js?.some((f) => f.includes('webmail'))) cs.matches = [...siteMatches(WEBMAIL_SITES), ...siteMatches([TEST_FIXTURE_SITE])];
      }
    },
  },
  manifest: ({ browser, manifestVersion }) => ({
    name: 'mailmover',
    description: 'Enterprise mailbox migration (邮箱搬家) with a local bridge.',
    // storage: pairing key, port, language; alarms: wake the worker to reconnect;
    // notifications: an account failed, a first pass finished; scripting: the launcher on sites
    // enabled from the popup (registerContentScripts); activeTab: the popup reads the current
    // tab's address for "enable on this site".
    permissions: ['storage', 'alarms', 'notifications', 'scripting', 'activeTab'],
    // Hosts: the local bridge (and, in the e2e build only, the pre-granted third fixture site).
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*', ...(TEST_BUILD ? [`${TEST_THIRD_SITE_ORIGIN}/*`] : [])],
    // "Enable on this site": any self-hosted console or webmail, asked for at run time.
    ...(manifestVersion === 3 ? { optional_host_permissions: ['https://*/*', 'http://*/*'] } : { optional_permissions: ['https://*/*', 'http://*/*'] }),
    // The panel page is framed by the launcher (content script) on any enabled site; sites
    // enabled at run time cannot be listed here, so panel.html is reachable from every page,
    // and it shows nothing unless the launcher obtained a one-time ticket from the background
    // worker (extension/background/panel-router.ts). use_dynamic_url: only the per-session
    // URL that runtime.getURL gives the launcher loads it, so a site cannot probe the
    // extension's fixed id to learn that mailmover is installed.
    web_accessible_resources:
      manifestVersion === 3 ? [{ resources: ['panel.html'], matches: ['*://*/*'], use_dynamic_url: true }] : ['panel.html'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: FIREFOX_ADDON_ID,
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : STORE_BUILD
        ? {}
        : {
            // Pins the Chromium extension id of unpacked builds (see shared/extension-id.ts).
            key: EXTENSION_PUBLIC_KEY,
          }),
  }),
});
