/**
 * paced-tls-writes.ts on real TLS connections over loopback (node:tls servers: one keeps
 * what it receives, one resets the connection at the first bytes): order, callbacks,
 * 'drain' for stream.pipe, failures, and what is handed to the TLS layer at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLS_WRITE_SLICE, paceTlsWrites } from '../../bridge/engine/paced-tls-writes';
import { makeCert } from '../harness/server-common';
import { recordTlsHandOffs } from '../support/tls-hand-offs';

let server: Server;
let dir: string;
let ca: string;
let certKey: string;
/** What each accepted connection received, in order. */
const received: Buffer[][] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailmover-paced-'));
  const { cert, key } = await makeCert(join(dir, 'cert.pem'), join(dir, 'key.pem'));
  ca = cert;
  certKey = key;
  server = createServer({ cert, key }, (socket) => {
    const chunks: Buffer[] = [];
    received.push(chunks);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterAll(async () => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function paced(): Promise<{ socket: TLSSocket; handedOn: number[]; got: () => Buffer }> {
  const port = (server.address() as { port: number }).port;
  const index = received.length;
  const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await once(socket, 'secureConnect');
  await until(() => received.length > index);
  const handedOn = recordTlsHandOffs(socket);
  paceTlsWrites(socket);
  paceTlsWrites(socket); // a second call changes nothing
  return { socket, handedOn, got: () => Buffer.concat(received[index]!) };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

const pattern = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe('paceTlsWrites', () => {
  it('keeps the order of small and big writes, calls each callback after its bytes, and hands on at most a slice at a time', async () => {
    const { socket, handedOn, got } = await paced();
    const parts = [Buffer.from('A1 APPEND x {5+}\r\n'), pattern(3 * TLS_WRITE_SLICE + 123, 1), Buffer.from(' (\\Seen) {7+}\r\n'), pattern(40_000, 2), Buffer.from('\r\n')];
    const order: number[] = [];
    // bytes handed on by the time each callback ran, against the bytes up to the end of its write
    const handedAt: number[] = [];
    const total = () => handedOn.reduce((a, b) => a + b, 0);
    const done = (i: number) => () => {
      order.push(i);
      handedAt[i] = total();
    };
    const results = parts.map((p, i) => socket.write(p, done(i)));
    socket.write('text written as a string', 'latin1', done(parts.length));
    const want = Buffer.concat([...parts, Buffer.from('text written as a string', 'latin1')]);
    await until(() => order.length === parts.length + 1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    let through = 0;
    [...parts, Buffer.from('text written as a string')].forEach((p, i) => {
      through += p.length;
      expect(handedAt[i], `callback ${i}`).toBeGreaterThanOrEqual(through);
    });
    // the first goes straight on; the big one waits behind it, and says so
    expect(results[0]).toBe(true);
    expect(results[1]).toBe(false);
    expect(Math.max(...handedOn)).toBeLessThanOrEqual(TLS_WRITE_SLICE);
    expect(handedOn.reduce((a, b) => a + b, 0)).toBe(want.length);
    await until(() => got().length === want.length);
    expect(got().equals(want)).toBe(true);
    socket.destroy();
  });

  it("owes stream.pipe a 'drain': a piped stream of many small chunks goes through whole", async () => {
    const { socket, handedOn, got } = await paced();
    // Chunks below the socket's high-water mark: Node itself would owe no 'drain' for them.
    const chunks = Array.from({ length: 1000 }, (_, i) => pattern(2_000, i));
    await pipeline(Readable.from(chunks), socket, { end: false });
    const want = Buffer.concat(chunks);
    await until(() => got().length === want.length);
    expect(got().equals(want)).toBe(true);
    expect(Math.max(...handedOn)).toBeLessThanOrEqual(TLS_WRITE_SLICE);
    socket.destroy();
  });

  it('a socket destroyed with writes still queued calls each callback once, the queued ones with an error', async () => {
    const { socket } = await paced();
    const calls = [0, 0];
    const errors: Array<Error | null | undefined> = [];
    socket.write(pattern(TLS_WRITE_SLICE, 3), (err) => {
      calls[0]!++;
      errors[0] = err;
    });
    socket.write(pattern(TLS_WRITE_SLICE, 4), (err) => {
      calls[1]!++;
      errors[1] = err;
    });
    socket.destroy();
    await until(() => calls[0] === 1 && calls[1] === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([1, 1]);
    expect(errors[1]).toBeInstanceOf(Error);
  });

  it('a write that fails drops what is queued behind it, each callback once with the error', async () => {
    // a server that resets the connection at the first bytes it gets
    const resetting = createServer({ cert: ca, key: certKey }, (s) => {
      s.once('data', () => s.destroy());
      s.on('error', () => undefined);
    });
    resetting.listen(0, '127.0.0.1');
    await once(resetting, 'listening');
    try {
      const socket = connect({ host: '127.0.0.1', port: (resetting.address() as { port: number }).port, ca, servername: 'localhost' });
      socket.on('error', () => undefined);
      await once(socket, 'secureConnect');
      const handedOn = recordTlsHandOffs(socket);
      paceTlsWrites(socket);
      // far more than the kernel's socket buffers on loopback hold
      const writes = 64;
      const calls = new Array<number>(writes).fill(0);
      const errors: Array<Error | null | undefined> = [];
      for (let i = 0; i < writes; i++) {
        socket.write(Buffer.alloc(1024 * 1024, i), (err) => {
          calls[i]!++;
          errors[i] = err;
        });
      }
      await until(() => calls.every((n) => n >= 1));
      await new Promise((r) => setTimeout(r, 50));
      expect(calls.every((n) => n === 1)).toBe(true);
      expect(errors[writes - 1]).toBeInstanceOf(Error);
      expect(handedOn.reduce((a, b) => a + b, 0)).toBeLessThan(writes * 1024 * 1024);
    } finally {
      resetting.close();
    }
  });
});
