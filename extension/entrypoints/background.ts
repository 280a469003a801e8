import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import {
  BRIDGE_PORT_STORAGE_KEY,
  isBridgeStatusRequest,
  normalizePort,
  probeBridge,
  type BridgeStatus,
} from '../lib/bridge';

/** The port from chrome.storage.local 'bridgePort', else DEFAULT_BRIDGE_PORT. */
async function bridgePort(): Promise<number> {
  try {
    const stored = await browser.storage.local.get(BRIDGE_PORT_STORAGE_KEY);
    return normalizePort(stored[BRIDGE_PORT_STORAGE_KEY]);
  } catch {
    return normalizePort(undefined);
  }
}

async function currentBridgeStatus(): Promise<BridgeStatus> {
  return probeBridge(await bridgePort());
}

export default defineBackground(() => {
  browser.runtime.onMessage.addListener((message: unknown, _sender, sendResponse) => {
    if (!isBridgeStatusRequest(message)) return undefined;
    void currentBridgeStatus().then(sendResponse);
    return true; // keep the channel open for the async answer
  });
});
