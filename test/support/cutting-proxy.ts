import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards to a real server and, for the first
 * `cuts` connections that carry more than `afterBytes` client->server bytes,
 * destroys both sides mid-stream: a network failure in the middle of an APPEND.
 */
export interface CuttingProxy {
  port: number;
  /** How many connections were cut so far. */
  cutCount(): number;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number, opts: { afterBytes: number; cuts: number }): Promise<CuttingProxy> {
  let cut = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    const armed = cut < opts.cuts;
    client.on('data', (buf) => {
      sent += buf.length;
      if (armed && cut < opts.cuts && sent > opts.afterBytes) {
        cut++;
        // Forward part of this chunk so the server sees a truncated literal, then drop everything.
        upstream.write(buf.subarray(0, Math.floor(buf.length / 2)));
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(buf);
    });
    upstream.on('data', (buf) => client.write(buf));
    const end = () => {
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
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not bind');
  return {
    port: address.port,
    cutCount: () => cut,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
