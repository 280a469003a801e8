import { TLSSocket } from 'node:tls';

/**
 * The most a TLS connection is handed at once. Node encrypts the whole of every write it
 * is given in one go, into a buffer that lives until the kernel took all of it, and a
 * write of several buffers is first copied into one. A chunk's MULTIAPPEND (2 MB) or a
 * big message (tens of MB) written whole therefore sat in memory twice more, once copied
 * and once encrypted: measured with heaptrack, 29 MB of encrypted output at the peak of a
 * full migration of 5,000 messages.
 */
export const TLS_WRITE_SLICE = 256 * 1024;

type WriteCallback = (err?: Error | null) => void;
type SocketWrite = (chunk: Buffer, cb: WriteCallback) => boolean;

const PACED = Symbol('mailmover.pacedTlsWrites');

/**
 * Makes `socket` take its writes in order and hand them to TLS at most TLS_WRITE_SLICE
 * bytes at a time, the next when the last is in the kernel: a big buffer goes in slices
 * of itself (not copied), small ones are joined into one slice. Only TLS sockets change;
 * calling it again does nothing. A write's own callback is called, like Node's, once its
 * last byte is handed on; a write that returned false is followed by a 'drain' (what
 * stream.pipe waits for). When the socket is destroyed, what has not been handed on is
 * dropped and its callbacks get ERR_STREAM_DESTROYED, as Node does with its own queue.
 */
export function paceTlsWrites(socket: unknown): void {
  if (!(socket instanceof TLSSocket)) return;
  const marked = socket as TLSSocket & { [PACED]?: true };
  if (marked[PACED]) return;
  marked[PACED] = true;

  const handOn = TLSSocket.prototype.write.bind(socket) as unknown as SocketWrite;
  const queue: Array<{ data: Buffer; cb?: WriteCallback }> = [];
  let queuedBytes = 0;
  let inFlight = false;
  // A write that returned false owes a 'drain' (stream.pipe waits for one before it writes again).
  let owesDrain = false;

  const pump = (): void => {
    if (inFlight) return;
    if (socket.destroyed) {
      const dropped = queue.splice(0);
      queuedBytes = 0;
      const err = Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' });
      for (const item of dropped) item.cb?.(err);
      return;
    }
    if (queue.length === 0) {
      if (owesDrain) {
        owesDrain = false;
        socket.emit('drain');
      }
      return;
    }
    const parts: Buffer[] = [];
    const done: WriteCallback[] = [];
    let size = 0;
    for (let head = queue[0]; head && size < TLS_WRITE_SLICE; head = queue[0]) {
      const room = TLS_WRITE_SLICE - size;
      if (head.data.length <= room) {
        parts.push(head.data);
        size += head.data.length;
        if (head.cb) done.push(head.cb);
        queue.shift();
      } else {
        parts.push(head.data.subarray(0, room));
        head.data = head.data.subarray(room);
        size += room;
      }
    }
    queuedBytes -= size;
    inFlight = true;
    handOn(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), (err) => {
      inFlight = false;
      for (const cb of done) cb(err);
      pump();
    });
  };

  socket.write = function pacedWrite(this: TLSSocket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const callback = (typeof encoding === 'function' ? encoding : cb) as WriteCallback | undefined;
    const data =
      chunk instanceof Uint8Array
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    queue.push({ data, cb: callback });
    queuedBytes += data.length;
    pump();
    const room = !inFlight || queuedBytes === 0;
    if (!room) owesDrain = true;
    return room;
  } as TLSSocket['write'];
}
