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

/**
 * Slices handed on and not yet in the kernel, at most: the next one waits in Node's queue
 * while the last is written, so the kernel gets it without waiting for JavaScript.
 */
const SLICES_IN_FLIGHT = 2;

type WriteCallback = (err?: Error | null) => void;
type SocketWrite = (chunk: Buffer, cb?: WriteCallback) => boolean;

const PACED = Symbol('mailmover.pacedTlsWrites');

/**
 * Makes `socket` take its writes in order and hand them to TLS at most TLS_WRITE_SLICE
 * bytes at a time, at most SLICES_IN_FLIGHT slices before the kernel took the first.
 * Writes made in the same turn of the event loop are joined (a command and its frames: one
 * TLS record, not one per frame); a big buffer goes in slices of itself, and a slice made
 * of several writes goes as one corked write, which Node joins in memory it frees right
 * after encrypting. Returns whether the socket is paced: only TLS sockets are, and calling
 * it again changes nothing.
 *
 * Like Node's own queue: a write's callback is called once its last byte is handed on, a
 * write that returned false is followed by a 'drain' (stream.pipe waits for one), and when
 * a write fails or the socket is destroyed, what has not been handed on is dropped and
 * its callbacks get the error. A paced socket must not be end()ed with writes queued (Node's
 * end() does not go through write(); mailmover only ever destroys its IMAP sockets).
 */
export function paceTlsWrites(socket: unknown): boolean {
  if (!(socket instanceof TLSSocket)) return false;
  const marked = socket as TLSSocket & { [PACED]?: true };
  if (marked[PACED]) return true;
  marked[PACED] = true;

  const nodeWrite = TLSSocket.prototype.write;
  const handOn = nodeWrite.bind(socket) as unknown as SocketWrite;
  const queue: Array<{ data: Buffer; cb?: WriteCallback }> = [];
  let queuedBytes = 0;
  let inFlight = 0;
  // A write that returned false owes a 'drain' (stream.pipe waits for one before it writes again).
  let owesDrain = false;
  let pumpQueued = false;

  const drop = (err: Error): void => {
    const dropped = queue.splice(0);
    queuedBytes = 0;
    for (const item of dropped) item.cb?.(err);
  };

  /** One slice from the head of the queue to Node. */
  const handOnSlice = (): void => {
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
    inFlight++;
    const handedOn = (err?: Error | null): void => {
      inFlight--;
      for (const cb of done) cb(err);
      // Node fails a write's callback before it fails the stream: the rest must not follow it.
      if (err) drop(err);
      else pump();
    };
    if (parts.length === 1) {
      handOn(parts[0]!, handedOn);
      return;
    }
    socket.cork();
    parts.forEach((part, i) => handOn(part, i === parts.length - 1 ? handedOn : undefined));
    socket.uncork();
  };

  const pump = (): void => {
    if (socket.destroyed || socket.writableEnded) {
      drop(Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' }));
      return;
    }
    while (queue.length && inFlight < SLICES_IN_FLIGHT) handOnSlice();
    if (queue.length === 0 && inFlight === 0 && owesDrain) {
      owesDrain = false;
      socket.emit('drain');
    }
  };

  socket.write = function pacedWrite(this: TLSSocket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    // What Node would refuse or fail (a wrong type, a destroyed socket), it refuses or fails itself.
    if ((typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) || socket.destroyed) {
      return (nodeWrite as (...args: unknown[]) => boolean).call(socket, chunk, encoding, cb);
    }
    const callback = (typeof encoding === 'function' ? encoding : cb) as WriteCallback | undefined;
    const data =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    queue.push({ data, cb: callback });
    queuedBytes += data.length;
    if (!pumpQueued) {
      // after the caller's other writes of this turn (a command's tag and frames), joined
      pumpQueued = true;
      queueMicrotask(() => {
        pumpQueued = false;
        pump();
      });
    }
    const room = queuedBytes < TLS_WRITE_SLICE;
    if (!room) owesDrain = true;
    return room;
  } as TLSSocket['write'];
  return true;
}
