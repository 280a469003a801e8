import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards to a real server and, for the first `cuts`
 * connections that carry more than `afterBytes` client->server bytes, breaks them:
 * - 'cut' (default): destroys both sides mid-stream, a network failure in the middle of
 *   an APPEND (the server sees a truncated literal);
 * - 'stall': stops forwarding in both directions and keeps both sockets open, a dead
 *   link that no FIN or RST announces (a NAT entry that expired, a cable pulled);
 * - 'drop-replies': forwards the client's bytes whole but not one more byte of the
 *   server's answer, then closes after `dropAfterMs`: the server stored the APPEND, the
 *   client never heard its OK.
 */
export interface CuttingProxy {
  port: number;
  /** How many connections were broken so far. */
  cutCount(): number;
  close(): Promise<void>;
}

export interface CutOptions {
  afterBytes: number;
  cuts: number;
  mode?: 'cut' | 'stall' | 'drop-replies';
  /** 'drop-replies': how long the server gets to finish before the connection closes. */
  dropAfterMs?: number;
  /**
   * 'cut' only: count the server's bytes instead of the client's, so that the cut falls in
   * the middle of an answer (a message body being fetched) and the client has part of it.
   */
  countServerBytes?: boolean;
}

export async function startCuttingProxy(targetPort: number, opts: CutOptions): Promise<CuttingProxy> {
  const mode = opts.mode ?? 'cut';
  let cut = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    let broken = false;
    const armed = cut < opts.cuts;
    let received = 0;
    client.on('data', (buf) => {
      if (broken && mode === 'stall') return;
      if (opts.countServerBytes) {
        if (!broken) upstream.write(buf);
        return;
      }
      sent += buf.length;
      if (!broken && armed && cut < opts.cuts && sent > opts.afterBytes) {
        cut++;
        broken = true;
        if (mode === 'cut') {
          // Forward part of this chunk so the server sees a truncated literal, then drop everything.
          upstream.write(buf.subarray(0, Math.floor(buf.length / 2)));
          client.destroy();
          upstream.destroy();
          return;
        }
        if (mode === 'stall') return;
        setTimeout(() => {
          client.destroy();
          upstream.destroy();
        }, opts.dropAfterMs ?? 500);
      }
      upstream.write(buf);
    });
    upstream.on('data', (buf) => {
      if (broken) return;
      received += buf.length;
      if (opts.countServerBytes && armed && cut < opts.cuts && received > opts.afterBytes) {
        cut++;
        broken = true;
        // The client gets the first part of this chunk, then the connection is gone.
        client.write(buf.subarray(0, Math.max(1, buf.length - (received - opts.afterBytes))), () => {
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      client.write(buf);
    });
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
