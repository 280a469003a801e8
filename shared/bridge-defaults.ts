/**
 * Defaults shared by the browser extension and the local Node bridge.
 * Pure constants only: this file is bundled into the extension too.
 */

/** TCP port the bridge listens on (127.0.0.1) unless told otherwise. */
export const DEFAULT_BRIDGE_PORT = 7878;

/** Name the bridge reports on GET /health; the extension checks it. */
export const BRIDGE_NAME = 'mailmover-bridge';
