import { createServer, type Server } from 'node:net';

/**
 * Returns `count` distinct TCP ports that were free on `host` a moment ago (found by binding port 0).
 * All probe sockets are held open until every port is known, so the ports are distinct.
 * Another process may still grab one before the caller binds it: callers retry on EADDRINUSE.
 */
export async function getFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      const port = await new Promise<number>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ host, port: 0, exclusive: true }, () => {
          const addr = srv.address();
          if (addr && typeof addr === 'object') resolve(addr.port);
          else reject(new Error('could not determine a free port'));
        });
      });
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await getFreePorts(1, host);
  return port!;
}
