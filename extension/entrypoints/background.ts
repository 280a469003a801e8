import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { BridgeConnection } from '../background/bridge-connection';
import { notifyChanges } from '../background/notifications';
import { pushMirror } from '../background/mirror-push';
import { handlePanelMessage } from '../background/panel-router';
import { handlePageMessage } from '../background/router';
import { Mirror } from '../db/mirror';
import { db } from '../db/schema';
import { pickLocale, type Locale } from '../i18n';
import { asLocale, bridgePortItem, legacyTokenItem, localeItem, readLocale } from '../lib/storage-items';
import { isPanelRequest, MIRROR_PORT_NAME } from '../panel/messages';

/** Wakes a stopped worker so it reconnects (and its mirror catches up) even with no page open. */
const ALARM = 'mailmover-reconnect';

export default defineBackground(() => {
  // The pairing key is in chrome.storage.local: only extension pages and this worker may read
  // it, not content scripts (which run inside web pages). The launcher gets what it needs from
  // storage through panel.setup instead. Set at every start: the call is cheap and idempotent.
  void browser.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);
  // Versions before the handshake kept the raw token here; nothing reads it any more.
  void legacyTokenItem().removeValue().catch(() => undefined);
  let locale: Locale = pickLocale(navigator.language);
  void readLocale().then((v) => {
    if (v) locale = v;
  });

  const mirror = new Mirror(db(), (changes) => void notifyChanges(changes, locale));
  const connection = new BridgeConnection(db(), undefined, mirror);

  browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
    // Launcher / panel / site registration (extension/background/panel-router.ts).
    if (isPanelRequest(message)) {
      void handlePanelMessage(message, sender).then(sendResponse);
      return true;
    }
    void handlePageMessage(message, sender, connection).then(sendResponse);
    return true; // answered asynchronously
  });

  // The migration panel framed in webmail pages gets the mirror pushed (extension/panel/mirror-relay.ts).
  browser.runtime.onConnect.addListener((port) => {
    if (port.name === MIRROR_PORT_NAME) pushMirror(port);
  });

  bridgePortItem().watch(() => connection.portChanged());
  localeItem().watch((l) => {
    const v = asLocale(l);
    if (v) locale = v;
  });

  browser.alarms.create(ALARM, { periodInMinutes: 1 });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === ALARM) void connection.ensure();
  });

  void connection.ensure();
});
