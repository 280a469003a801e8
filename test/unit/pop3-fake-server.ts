/**
 * A scriptable POP3 server on 127.0.0.1 for the unit tests of the POP3 client (and of
 * node-pop3, to show why it is not used). Every answer is a list of pieces written as
 * separate TCP segments (Nagle off, a short pause in between), so a test decides where
 * the client sees a chunk boundary. Not a test file itself (no .test.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Endpoint } from '../../bridge/engine/endpoint';

export type Piece = string | Buffer;
/** Pieces to write; 'hang' = answer nothing; 'close' = drop the connection; or pieces, then drop it. */
export type Reply = Piece[] | 'hang' | 'close' | { pieces: Piece[]; then: 'close' };

export interface FakeSession {
  socket: Socket;
  /** Commands received so far, PASS with its argument masked. */
  commands: string[];
}

export interface FakeServer {
  port: number;
  /** Commands of every session, in order. */
  commands: string[];
  endpoint(overrides?: Partial<Endpoint>): Endpoint;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `handle` answers one command line (without CRLF); undefined means the default answer:
 * +OK for USER/PASS/NOOP/QUIT (QUIT then closes), -ERR for everything else.
 */
export async function startFakePop3(opts: {
  greeting?: Reply;
  handle?: (line: string, session: FakeSession) => Reply | undefined;
  gapMs?: number;
}): Promise<FakeServer> {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const gap = opts.gapMs ?? 3;
  const send = async (socket: Socket, reply: Reply): Promise<boolean> => {
    if (reply === 'hang') return true;
    if (reply === 'close') {
      socket.destroy();
      return false;
    }
    const pieces = Array.isArray(reply) ? reply : reply.pieces;
    for (const [i, p] of pieces.entries()) {
      if (socket.destroyed) return false;
      if (i > 0) await sleep(gap);
      socket.write(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
    }
    if (!Array.isArray(reply)) {
      await sleep(gap);
      socket.destroy();
      return false;
    }
    return true;
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    const session: FakeSession = { socket, commands: [] };
    let buf = '';
    let chain = send(socket, opts.greeting ?? ['+OK fake ready\r\n']);
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\r\n'); nl >= 0; nl = buf.indexOf('\r\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const shown = /^PASS /i.test(line) ? 'PASS ***' : line;
        commands.push(shown);
        session.commands.push(shown);
        chain = chain.then(async (open) => {
          if (!open) return false;
          const verb = line.split(' ')[0]!.toUpperCase();
          const reply = opts.handle?.(line, session) ?? (['USER', 'PASS', 'NOOP', 'QUIT'].includes(verb) ? ['+OK\r\n'] : ['-ERR unknown command\r\n']);
          const stillOpen = await send(socket, reply);
          if (verb === 'QUIT' && stillOpen) {
            socket.end();
            return false;
          }
          return stillOpen;
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    commands,
    endpoint: (overrides = {}) => ({
      protocol: 'pop3',
      host: '127.0.0.1',
      port,
      security: 'plain',
      user: 'alice@old.example.com',
      auth: { kind: 'password', password: 'Fake-pw-Q8x' },
      allowPlaintext: true,
      insecureTls: false,
      ...overrides,
    }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** "+OK" line and the stuffed body with its terminator, as one Buffer. */
export function retrResponse(content: Buffer, encode: (b: Buffer) => Buffer): Buffer {
  return Buffer.concat([Buffer.from(`+OK ${content.length} octets\r\n`), encode(content)]);
}

/** Cuts `b` at the given offsets. */
export function cut(b: Buffer, ...at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const a of [...at, b.length]) {
    out.push(b.subarray(prev, a));
    prev = a;
  }
  return out.filter((p) => p.length > 0);
}
