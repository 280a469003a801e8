/**
 * Versioning and limits of the bridge wire protocol. Pure constants: bundled
 * into the extension too.
 *
 * Every message carries `v: PROTOCOL_VERSION`. A change that an older peer
 * would misread bumps the version; additive fields do not (schemas on both
 * sides are not strict about unknown fields in results and events, so a newer
 * bridge can add information an older extension ignores).
 */
export const PROTOCOL_VERSION = 1;

/** Path of the WebSocket endpoint on the bridge. */
export const WS_PATH = '/ws';

/** Largest frame the bridge accepts (an import of 1000 CSV rows is ~150 KB, base64 ~200 KB). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;

/** A connection must say hello (with its token) within this time or it is closed. */
export const HELLO_TIMEOUT_MS = 10_000;

/**
 * WebSocket close codes the bridge uses. 1000-1015 are RFC 6455's; 4000-4999 are
 * ours, chosen to echo the HTTP status with the same meaning.
 */
export const CLOSE_CODES = {
  /** The bridge is shutting down (RFC 6455 "going away"). */
  GOING_AWAY: 1001,
  /** A binary frame: the protocol is JSON text only (RFC 6455 "unsupported data"). */
  UNSUPPORTED_DATA: 1003,
  /** A frame over MAX_FRAME_BYTES (RFC 6455 "message too big"; sent by the ws library). */
  MESSAGE_TOO_BIG: 1009,
  /** No hello in time, no token, a wrong or revoked token, or a request before hello. */
  UNAUTHORIZED: 4401,
  /** The token was paired for another origin than the one this socket comes from. */
  FORBIDDEN: 4403,
  /** The hello asked for a protocol version this bridge does not speak. */
  UNSUPPORTED_VERSION: 4426,
  /** Too many messages too fast (flood). */
  TOO_MANY_REQUESTS: 4429,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
