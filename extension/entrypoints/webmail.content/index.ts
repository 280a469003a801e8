import { defineContentScript } from 'wxt/utils/define-content-script';
import { siteMatches, WEBMAIL_SITES } from '../../../shared/providers/webmail-sites';
import { mountLauncher, setupFor } from '../../panel/launcher';

/**
 * The launcher on the providers' admin consoles and webmail (shared/providers/webmail-sites.ts;
 * the e2e build adds the loopback fixture pages in wxt.config.ts). Sites enabled from the popup
 * get this same file through chrome.scripting.registerContentScripts.
 */
export default defineContentScript({
  matches: siteMatches(WEBMAIL_SITES),
  runAt: 'document_idle',
  async main() {
    if (window.top !== window) return; // top frame only
    const setup = await setupFor(location.href);
    if (setup) mountLauncher(setup);
  },
});
