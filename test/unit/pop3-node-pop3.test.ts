import { afterEach, describe, expect, it } from 'vitest';
import Pop3Command from 'node-pop3';
import { encodeMultiline } from '../../bridge/engine/pop3/multiline';
import { cut, retrResponse, startFakePop3, type FakeServer, type Reply } from './pop3-fake-server';

/**
 * Why the POP3 byte path is ours (bridge/engine/pop3/client.ts) and not node-pop3's: its
 * behaviour on the same scripted server the client tests use. These are characterisation
 * tests of node-pop3 0.11.0: if one fails after an upgrade, node-pop3 changed and the
 * choice can be looked at again.
 */
// The part of its API used here, plus its socket (to clean up the sessions it leaves hanging).
interface NodePop3 {
  RETR(n: number): Promise<string>;
  QUIT(): Promise<string>;
  _socket?: { destroy(): void } | null;
}
const Ctor = Pop3Command as unknown as new (o: { host: string; port: number; user: string; password: string; timeout?: number }) => NodePop3;

const GBK = Buffer.concat([
  Buffer.from('Subject: gbk\r\n\r\n', 'latin1'),
  Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a]),
  Buffer.from('..\r\n.x\r\n', 'latin1'),
]);

let server: FakeServer | undefined;
const clients: NodePop3[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c._socket?.destroy();
  await server?.close();
  server = undefined;
});

// 100 ms between pieces, not the default 3: on a loaded machine node-pop3 may read two pieces 3 ms
// apart in one chunk, and then a terminator split between them is not split for it.
function serve(pieces: (wire: Buffer) => Reply) {
  return startFakePop3({ handle: (line) => (line === 'RETR 1' ? pieces(retrResponse(GBK, encodeMultiline)) : undefined), gapMs: 100 });
}

function client(timeout?: number): NodePop3 {
  const c = new Ctor({ host: '127.0.0.1', port: server!.port, user: 'alice', password: 'pw', ...(timeout ? { timeout } : {}) });
  clients.push(c);
  return c;
}

/** 'pending' when the promise has not settled after `ms`. */
async function settleWithin<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

describe('node-pop3 0.11 RETR (why it is not used for message bytes)', () => {
  it('decodes the message as UTF-8 (GBK bytes become U+FFFD), keeps the stuffed dots and drops the final CRLF', async () => {
    server = await serve((w) => [w]);
    const text = await client().RETR(1);
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.equals(GBK)).toBe(false);
    expect(text).toContain('\ufffd');
    expect(text).toContain('\r\n...\r\n..x'); // ".." and ".x" were sent stuffed as "..." and "..x"
    expect(text.endsWith('\r\n')).toBe(false);
  });

  it('never ends a response whose terminator is split across TCP chunks (its issue #36)', async () => {
    server = await serve((w) => cut(w, w.length - 2));
    expect(await settleWithin(client().RETR(1), 1500)).toBe('pending');
  });

  it('never settles a RETR whose server goes silent, even with a timeout set (its issue #32)', async () => {
    server = await serve((w) => [w.subarray(0, 30)]);
    const c = client(300);
    expect(await settleWithin(c.RETR(1).catch((e: unknown) => `rejected: ${String(e)}`), 1500)).toBe('pending');
  });
});
