import type { TLSSocket } from 'node:tls';

/**
 * From now on, the size of every write `socket` hands to its TLS layer: Node's stream calls
 * its handle's writeBuffer, writev or write*String with what TLS is to encrypt at once.
 */
export function recordTlsHandOffs(socket: TLSSocket): number[] {
  const handle = (socket as unknown as { _handle: Record<string, (...a: unknown[]) => unknown> })._handle;
  const sizes: number[] = [];
  const writeBuffer = handle.writeBuffer!.bind(handle);
  handle.writeBuffer = (req, data) => {
    sizes.push((data as Buffer).length);
    return writeBuffer(req, data);
  };
  const writev = handle.writev!.bind(handle);
  handle.writev = (req, chunks, allBuffers) => {
    // [chunk, encoding, chunk, encoding, ...] unless every chunk is a Buffer
    const list = chunks as Array<Buffer | string>;
    const data = allBuffers ? list : list.filter((_, i) => i % 2 === 0);
    sizes.push(data.reduce((n, c) => n + Buffer.byteLength(c), 0));
    return writev(req, chunks, allBuffers);
  };
  for (const name of ['writeLatin1String', 'writeUtf8String', 'writeAsciiString', 'writeUcs2String']) {
    const original = handle[name]!.bind(handle);
    handle[name] = (req, text) => {
      sizes.push(Buffer.byteLength(text as string));
      return original(req, text);
    };
  }
  return sizes;
}
