import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of an IMAP server that, once on each of the first `cuts`
 * connections more than `afterBytes` client->server bytes went through, holds back the end of
 * the next command the client sends whole (its last bytes), closes the client's connection
 * and hands the held bytes to the server `lateMs` later: the server then runs the command
 * (an APPEND: stores the messages) seconds after the client lost the connection, as a server
 * does with a command still in the network, or one that waits for its folder's lock, when the
 * client dies. STARTTLS is hidden from the client, so that the commands can be read. The server's answer to the late command is kept (`lateAnswers`), to assert
 * that it did store them.
 */
export interface LateDeliveryProxy {
  port: number;
  /** The server's tagged answers to the commands handed over late, in order. */
  lateAnswers(): string[];
  /** Resolves when the `n`th held command has been handed to the server and answered. */
  answered(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface LateDeliveryOptions {
  afterBytes: number;
  cuts: number;
  lateMs: number;
  /** Called when a command is held and the client's connection closed (a test may kill the client then). */
  onHold?: () => void;
}

/**
 * Client bytes held back while a command may be ending: more than its final CRLF, so that the
 * server has not read its last literal whole either (Courier-IMAP stores an APPEND's message
 * once the literal is read, before the CRLF). Less than the shortest message a test sends.
 */
const HOLD_BYTES = 64;
/** No client byte for this long after a held CRLF: the client waits for the answer, the command is whole. */
const QUIET_MS = 150;
/** Client bytes before which the server's words may still name STARTTLS (greeting, CAPABILITY, LOGIN's answer). */
const LOGIN_BYTES = 512;
/** A line that ends in a literal's length: the client may wait for "+" (synchronizing) before the literal. */
const LITERAL_MARKER = /\{\d+\+?\}\r\n$/;

export async function startLateDeliveryProxy(targetPort: number, opts: LateDeliveryOptions): Promise<LateDeliveryProxy> {
  let held = 0;
  const answers: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const settleWaiters = (): void => {
    for (const w of [...waiters]) {
      if (answers.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const armed = held < opts.cuts;
    let sent = 0;
    let tail = Buffer.alloc(0);
    let quiet: NodeJS.Timeout | undefined;
    let handedOver = false;
    let fromServer = '';
    const holding = (): boolean => armed && sent > opts.afterBytes && !handedOver;
    client.on('data', (buf) => {
      if (handedOver) return;
      sent += buf.length;
      if (!holding()) {
        upstream.write(buf);
        return;
      }
      clearTimeout(quiet);
      const all = Buffer.concat([tail, buf]);
      upstream.write(all.subarray(0, Math.max(0, all.length - HOLD_BYTES)));
      tail = all.subarray(Math.max(0, all.length - HOLD_BYTES));
      quiet = setTimeout(() => {
        // A literal's length line: the client may be waiting for the server's "+".
        if (LITERAL_MARKER.test(tail.toString('latin1')) || !tail.toString('latin1').endsWith('\r\n') || held >= opts.cuts) {
          upstream.write(tail);
          tail = Buffer.alloc(0);
          return;
        }
        held++;
        handedOver = true;
        const late = tail;
        client.destroy();
        opts.onHold?.();
        setTimeout(() => {
          fromServer = '';
          upstream.write(late);
        }, opts.lateMs);
      }, QUIET_MS);
    });
    upstream.on('data', (buf) => {
      if (!handedOver) {
        // STARTTLS hidden until the login is through: the commands stay readable.
        client.write(sent < LOGIN_BYTES ? Buffer.from(buf.toString('latin1').replace(/(?<=[ [])STARTTLS(?=[ \]\r])/g, 'X-NO-STARTTLS'), 'latin1') : buf);
        return;
      }
      fromServer += buf.toString('latin1');
      // The first tagged line after the hand-over answers the held command.
      const line = fromServer.split('\r\n').find((l) => /^[A-Za-z0-9.]+ (OK|NO|BAD)\b/.test(l));
      if (line !== undefined && !upstream.destroyed) {
        answers.push(line);
        settleWaiters();
        upstream.destroy();
      }
    });
    const end = (): void => {
      clearTimeout(quiet);
      if (!handedOver) upstream.destroy();
      client.destroy();
      sockets.delete(client);
    };
    client.on('close', end);
    client.on('error', end);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not bind');
  return {
    port: address.port,
    lateAnswers: () => [...answers],
    answered: (n) =>
      new Promise<void>((resolve) => {
        waiters.push({ n, resolve });
        settleWaiters();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
