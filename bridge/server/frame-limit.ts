import type { WebSocket } from 'ws';

/**
 * ws has one maxPayload per server, but the bridge wants two: 4 KiB until the handshake is
 * done (a stranger must not make it buffer and parse megabytes), 2 MiB afterwards (a CSV
 * import). The receiver reads `_maxPayload` for every frame header, so changing it on the
 * connection's receiver takes effect at the next frame and ws itself closes an oversized one
 * with 1009 before buffering it. If a ws release renames the field, the session's own size
 * check still closes the connection (after ws buffered the frame), so this is an optimisation
 * with a safe fallback, and the flood test would show the regression.
 */
interface ReceiverLike {
  _maxPayload?: number;
}

export function setFrameLimit(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: ReceiverLike })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}

/** Size of a received frame as ws hands it over (Buffer, ArrayBuffer or fragments). */
export function frameBytes(data: unknown): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, b: unknown) => n + (Buffer.isBuffer(b) ? b.length : 0), 0);
  return typeof data === 'string' ? Buffer.byteLength(data) : 0;
}
