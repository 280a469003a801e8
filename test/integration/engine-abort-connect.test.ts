/**
 * Stop while a connection is still being made: a server that accepted the TCP connection and
 * never greets (overloaded, or a middlebox holding the connection) would otherwise hold the
 * stop until the greeting timeout (30 s), and the run would end as a timeout, not as stopped.
 * The connection attempt is closed at once and the run ends CANCELLED, on either side and for
 * an IMAP or a POP3 source.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { pop3Endpoint } from './pop3-support';

const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Abort-connect-src-pw-1' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Abort-connect-tgt-pw-2' };

/** Accepts connections and never says a word; records when each one is closed by the client. */
interface SilentServer {
  port: number;
  accepted: number;
  open: Set<Socket>;
  close: () => Promise<void>;
}

async function startSilentServer(): Promise<SilentServer> {
  const open = new Set<Socket>();
  const state = { accepted: 0 };
  const server: Server = createServer((socket) => {
    state.accepted++;
    open.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    get accepted() {
      return state.accepted;
    },
    open,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once `done()` holds, or after `limitMs` (the assertion after it then says what did not happen). */
async function until(done: () => boolean, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('stop while connecting to a server that never greets', () => {
  let dovecot: DovecotServer;
  let silent: SilentServer;
  beforeAll(async () => {
    [dovecot, silent] = await Promise.all([startDovecot({ name: 'abort-connect', users: [alice, bob] }), startSilentServer()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), silent?.close()]);
  });

  const silentAs = (ep: Endpoint): Endpoint => ({ ...ep, host: '127.0.0.1', port: silent.port });

  const cases: Array<[string, () => [Endpoint, Endpoint]]> = [
    ['IMAP source', () => [silentAs(plainEndpoint(dovecot, alice)), plainEndpoint(dovecot, bob)]],
    ['IMAP target', () => [plainEndpoint(dovecot, alice), silentAs(plainEndpoint(dovecot, bob))]],
    ['POP3 source', () => [silentAs(pop3Endpoint(dovecot, alice)), plainEndpoint(dovecot, bob)]],
  ];

  it.each(cases)('%s: the run ends as stopped, and the waiting connection is closed when it returns', async (_name, endpoints) => {
    const [source, target] = endpoints();
    const acceptedBefore = silent.accepted;
    const state = tempStore();
    try {
      const stop = new AbortController();
      const running = migrate(job(source, target, { maxAttempts: 1 }), state.store, { signal: stop.signal });
      await until(() => silent.accepted > acceptedBefore);
      stop.abort();
      const result = await running;
      expect(result.error?.code).toBe('CANCELLED');
      // Closed by the client (the close reaches the server a moment later), not left to the greeting timeout.
      await until(() => silent.open.size === 0, 5_000);
      expect(silent.open.size).toBe(0);
    } finally {
      state.cleanup();
    }
  }, 45_000);
});
