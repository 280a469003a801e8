/**
 * A TCP proxy that stands for a wide-area link in front of one server: every byte is
 * delivered a fixed one-way delay after it was sent, in each direction, and optionally no
 * faster than a bandwidth cap. The cap is the link's, so all connections through one proxy
 * share it (per direction), as they would share a provider's uplink.
 *
 * The delay is applied per chunk as read from the socket, order is kept, and a direction
 * stops reading from its sender while more than `maxQueuedBytes` wait in the link (what a
 * TCP window would do), so a fast sender cannot buffer a whole mailbox in the proxy.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface LinkSpec {
  /** round-trip time the link adds, ms (half of it each way) */
  rttMs: number;
  /** bandwidth cap per direction, Mbit/s; 0 or undefined = unlimited */
  mbit?: number;
}

export interface LatencyProxy {
  host: string;
  port: number;
  /** bytes carried so far, client -> server and server -> client */
  bytes: { up: number; down: number };
  close(): Promise<void>;
}

/** One direction of the link: its bandwidth is shared by every connection through the proxy. */
class LinkDirection {
  /** when the link is free to send the next byte (performance.now() ms) */
  freeAt = 0;
  bytes = 0;
  constructor(
    readonly delayMs: number,
    /** bytes per ms, 0 = unlimited */
    readonly bytesPerMs: number,
  ) {}

  /** When a chunk of `n` bytes handed over now arrives at the other end. */
  arrival(n: number, now: number): number {
    this.bytes += n;
    if (this.bytesPerMs <= 0) return now + this.delayMs;
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + n / this.bytesPerMs;
    return this.freeAt + this.delayMs;
  }
}

/** Carries one socket's data to another through a LinkDirection. */
function delayedPipe(from: Socket, to: Socket, link: LinkDirection, maxQueuedBytes: number): void {
  const queue: Array<{ at: number; buf: Buffer | null }> = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const now = performance.now();
    // Timers fire up to ~1 ms early or late: deliver what is due within half a millisecond.
    while (queue.length && queue[0]!.at <= now + 0.5) {
      const { buf } = queue.shift()!;
      if (buf === null) {
        to.end();
        continue;
      }
      queued -= buf.length;
      if (!to.destroyed) to.write(buf);
    }
    if (from.isPaused() && queued < maxQueuedBytes / 2) from.resume();
    schedule();
  };
  const schedule = () => {
    if (timer || !queue.length) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.at - performance.now()));
  };

  from.on('data', (buf: Buffer) => {
    queue.push({ at: link.arrival(buf.length, performance.now()), buf });
    queued += buf.length;
    if (queued > maxQueuedBytes) from.pause();
    schedule();
  });
  let closing = false;
  const finish = () => {
    if (closing) return;
    closing = true;
    // What is in flight still arrives, then the other side is closed too (a half-close stays one).
    queue.push({ at: queue.at(-1)?.at ?? performance.now(), buf: null });
    schedule();
  };
  from.on('end', finish);
  from.on('close', finish);
}

/** Starts a proxy on 127.0.0.1 (a free port) in front of `upstream`. */
export async function startLatencyProxy(upstream: { host: string; port: number }, spec: LinkSpec, opts: { maxQueuedBytes?: number } = {}): Promise<LatencyProxy> {
  const oneWay = spec.rttMs / 2;
  const bytesPerMs = spec.mbit ? (spec.mbit * 1_000_000) / 8 / 1000 : 0;
  const up = new LinkDirection(oneWay, bytesPerMs);
  const down = new LinkDirection(oneWay, bytesPerMs);
  // About a bandwidth-delay product on a fast link, at least 1 MiB.
  const maxQueuedBytes = opts.maxQueuedBytes ?? 4 * 1024 * 1024;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const server = connect({ host: upstream.host, port: upstream.port });
    server.setNoDelay(true);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // Either side failing ends the connection on both, as a broken link would.
      s.on('error', () => {
        client.destroy();
        server.destroy();
      });
    }
    // The TCP handshake crosses the link too: one round trip before the server's greeting starts.
    server.pause();
    client.pause();
    setTimeout(() => {
      delayedPipe(client, server, up, maxQueuedBytes);
      delayedPipe(server, client, down, maxQueuedBytes);
      client.resume();
      server.resume();
    }, spec.rttMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('latency proxy: no TCP address');
  return {
    host: '127.0.0.1',
    port: address.port,
    bytes: {
      get up() {
        return up.bytes;
      },
      get down() {
        return down.bytes;
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
