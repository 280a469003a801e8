import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards the client's bytes to a real server at most
 * `bytesPerSecond` per connection (the server's answers go through at once): a slow uplink,
 * so that an APPEND of a chunk takes seconds and the tests can act while it is under way.
 */
export interface SlowProxy {
  port: number;
  /** From now on, open connections included: another rate, or none (Infinity) once a test no longer needs a slow link. */
  setRate(bytesPerSecond: number): void;
  /** Client bytes passed on to the server so far, all connections together. */
  forwarded(): number;
  close(): Promise<void>;
}

export async function startSlowProxy(targetPort: number, bytesPerSecond: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>();
  const TICK_MS = 50;
  let rate = bytesPerSecond;
  let forwarded = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const pending: Buffer[] = [];
    const timer = setInterval(() => {
      let room = rate === Infinity ? Infinity : Math.max(1, Math.floor((rate * TICK_MS) / 1000));
      while (room > 0 && pending.length) {
        const head = pending[0]!;
        if (head.length <= room) {
          upstream.write(head);
          forwarded += head.length;
          room -= head.length;
          pending.shift();
        } else {
          upstream.write(head.subarray(0, room));
          forwarded += room;
          pending[0] = head.subarray(room);
          room = 0;
        }
      }
    }, TICK_MS);
    client.on('data', (buf) => {
      // No limit (any more): on at once, not at the next tick (a tick per command is a slow link too).
      if (rate === Infinity && pending.length === 0) {
        upstream.write(buf);
        forwarded += buf.length;
      } else pending.push(buf);
    });
    upstream.on('data', (buf) => client.write(buf));
    const end = () => {
      clearInterval(timer);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    setRate: (bytesPerSecond) => {
      rate = bytesPerSecond;
    },
    forwarded: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
