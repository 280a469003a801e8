import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError } from '../../bridge/engine/errors';
import { Pop3Client } from '../../bridge/engine/pop3/client';
import { Pop3ClosedError, Pop3TimeoutError, classifyPop3Error } from '../../bridge/engine/pop3/errors';
import { encodeMultiline } from '../../bridge/engine/pop3/multiline';
import { FORBIDDEN_POP3_COMMANDS } from '../../bridge/engine/pop3/read-only-guard';
import { cut, retrResponse, startFakePop3, type FakeServer, type Reply } from './pop3-fake-server';

/**
 * The POP3 client against a scripted server: bytes stay bytes, the terminator may arrive
 * in any split, every command has a timeout, nothing but the allowed commands reaches the
 * wire, and failures come out as coded errors naming the account.
 */
const GBK = Buffer.concat([
  Buffer.from('From: old@old.example.com\r\nSubject: gbk\r\nDate: Mon, 1 Feb 2016 10:00:00 +0800\r\n\r\n', 'latin1'),
  Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a]), // 你好 in GBK
  Buffer.from('.dot line\r\n..two\r\n.\r\nend\r\n', 'latin1'),
]);
const ALL_BYTES = Buffer.concat([Buffer.from('Subject: all bytes\r\n\r\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((x) => x !== 0x0a && x !== 0x0d)), Buffer.from('\r\n')]);

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function retrServer(content: Buffer, pieces: (wire: Buffer) => Reply = (w) => [w]) {
  return startFakePop3({
    handle: (line) => {
      if (line === 'CAPA') return ['+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n'];
      if (line === 'RETR 1') return pieces(retrResponse(content, encodeMultiline));
      return undefined;
    },
  });
}

describe('Pop3Client RETR', () => {
  it('returns the exact bytes: 8-bit GBK, stuffed dots undone, the final CRLF kept', async () => {
    server = await retrServer(GBK);
    const c = await Pop3Client.connect(server.endpoint());
    expect((await c.retr(1)).equals(GBK)).toBe(true);
    await c.quit();
  });

  it('keeps every byte value', async () => {
    server = await retrServer(ALL_BYTES);
    const c = await Pop3Client.connect(server.endpoint());
    expect((await c.retr(1)).equals(ALL_BYTES)).toBe(true);
    await c.quit();
  });

  // node-pop3 issue #36: the terminator "\r\n.\r\n" split across TCP chunks hangs its RETR.
  it.each([1, 2, 3, 4])('ends the response when the terminator is split %i byte(s) from the end', async (fromEnd) => {
    server = await retrServer(GBK, (w) => cut(w, w.length - fromEnd));
    const c = await Pop3Client.connect(server.endpoint(), { commandTimeoutMs: 2000 });
    expect((await c.retr(1)).equals(GBK)).toBe(true);
    await c.noop(); // the stream is still in step afterwards
    await c.quit();
  });

  it('reads a status line split across chunks and a body that arrives byte by byte', async () => {
    const body = Buffer.from('Subject: tiny\r\n\r\n.\r\n', 'latin1');
    server = await retrServer(body, (w) => cut(w, ...Array.from({ length: w.length - 1 }, (_, i) => i + 1)));
    const c = await Pop3Client.connect(server.endpoint());
    expect((await c.retr(1)).equals(body)).toBe(true);
    await c.quit();
  });
});

describe('Pop3Client timeouts (node-pop3 issue #32: a timeout during RETR never settles)', () => {
  it('fails RETR with a timeout when the server goes silent mid-body, and closes the session', async () => {
    server = await retrServer(GBK, () => 'hang');
    const c = await Pop3Client.connect(server.endpoint(), { commandTimeoutMs: 300 });
    const err = await c.retr(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pop3TimeoutError);
    // the command timeout given, not some longer default, is what ended the wait
    expect(err).toMatchObject({ command: 'RETR', ms: 300 });
    await expect(c.noop()).rejects.toBeInstanceOf(Pop3TimeoutError);
    expect(classifyPop3Error(err, { side: 'source', account: 'alice@old.example.com', host: '127.0.0.1', port: server.port }, 'session').code).toBe('TIMEOUT');
    c.close();
  });

  it('times out a silent greeting as TIMEOUT naming the account', async () => {
    server = await startFakePop3({ greeting: 'hang' });
    const err = await Pop3Client.connect(server.endpoint(), { connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('TIMEOUT');
    expect((err as MigrationError).message).toContain('alice@old.example.com');
  });

  it('reports a connection closed mid-body as a lost connection (retried), not a hang', async () => {
    // The server writes the first 40 bytes, then its socket is closed.
    server = await retrServer(GBK, (w) => [w.subarray(0, 40)]);
    const c = await Pop3Client.connect(server.endpoint(), { commandTimeoutMs: 3000 });
    const pending = c.retr(1).catch((e: unknown) => e);
    setTimeout(() => void server!.close(), 100);
    const err = await pending;
    expect(err).toBeInstanceOf(Pop3ClosedError);
    expect(classifyPop3Error(err, { side: 'source', account: 'a', host: 'h', port: 1 }, 'session').code).toBe('CONNECT_FAILED');
    server = undefined;
  });
});

describe('Pop3Client read-only guard', () => {
  it.each([...FORBIDDEN_POP3_COMMANDS, 'APOP', 'XTND'])('refuses %s before it reaches the wire', async (verb) => {
    server = await retrServer(GBK);
    const c = await Pop3Client.connect(server.endpoint());
    await expect(c.command(verb, ['1'])).rejects.toThrow(/Blocked .* the source is never modified/);
    await c.noop();
    await c.quit();
    expect(server.commands.some((l) => l.toUpperCase().startsWith(verb))).toBe(false);
    expect(server.commands).toEqual(['CAPA', 'USER alice@old.example.com', 'PASS ***', 'NOOP', 'QUIT']);
  });
});

describe('Pop3Client login and TLS', () => {
  it('a -ERR to PASS is AUTH_FAILED naming the account, with the server text and without the password', async () => {
    server = await startFakePop3({ handle: (line) => (line.startsWith('PASS') ? ['-ERR [AUTH] Authentication failed.\r\n'] : undefined) });
    const err = (await Pop3Client.connect(server.endpoint()).catch((e: unknown) => e)) as MigrationError;
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain('alice@old.example.com');
    expect(err.message).toContain('[AUTH] Authentication failed.');
    expect(err.message).not.toContain('Fake-pw-Q8x');
  });

  it('a maildrop locked by another session is THROTTLED (retried later)', async () => {
    server = await startFakePop3({ handle: (line) => (line.startsWith('PASS') ? ['-ERR [IN-USE] Mailbox is locked by another POP3 session\r\n'] : undefined) });
    const err = (await Pop3Client.connect(server.endpoint()).catch((e: unknown) => e)) as MigrationError;
    expect(err.code).toBe('THROTTLED');
  });

  it('a server without CAPA still gets USER/PASS', async () => {
    server = await startFakePop3({});
    const c = await Pop3Client.connect(server.endpoint());
    expect(c.capabilities).toBeNull();
    await c.quit();
    expect(server.commands).toEqual(['CAPA', 'USER alice@old.example.com', 'PASS ***', 'QUIT']);
  });

  it('pop3:// (STLS required) against a server without STLS fails as TLS_FAILED and never sends the password', async () => {
    server = await startFakePop3({});
    const err = (await Pop3Client.connect(server.endpoint({ security: 'starttls', allowPlaintext: false })).catch((e: unknown) => e)) as MigrationError;
    expect(err.code).toBe('TLS_FAILED');
    expect(err.message).toMatch(/does not offer STLS/);
    expect(server.commands.some((l) => l.startsWith('USER') || l.startsWith('PASS'))).toBe(false);
  });

  it('refuses bytes injected after the STLS answer (before the handshake)', async () => {
    server = await startFakePop3({ handle: (line) => (line === 'STLS' ? ['+OK Begin TLS\r\n-ERR injected\r\n'] : undefined) });
    const err = (await Pop3Client.connect(server.endpoint({ security: 'starttls', allowPlaintext: false })).catch((e: unknown) => e)) as MigrationError;
    expect(err.code).toBe('PROTOCOL_ERROR');
    expect(server.commands.some((l) => l.startsWith('PASS'))).toBe(false);
  });

  it('refuses a cleartext session unless plaintext is allowed', async () => {
    server = await startFakePop3({});
    const err = (await Pop3Client.connect(server.endpoint({ allowPlaintext: false })).catch((e: unknown) => e)) as MigrationError;
    expect(err.code).toBe('PLAINTEXT_REFUSED');
    expect(server.commands).toEqual([]);
  });
});

describe('Pop3Client listings', () => {
  it('reads UIDL and LIST', async () => {
    server = await startFakePop3({
      handle: (line) =>
        line === 'UIDL' ? ['+OK\r\n1 0000000158a9c0de\r\n', '2 0000000258a9c0de\r\n.', '\r\n'] : line === 'LIST' ? ['+OK 2 messages\r\n1 120\r\n2 20971520\r\n.\r\n'] : undefined,
    });
    const c = await Pop3Client.connect(server.endpoint());
    expect(await c.uidl()).toEqual([
      { msg: 1, uidl: '0000000158a9c0de' },
      { msg: 2, uidl: '0000000258a9c0de' },
    ]);
    expect([...(await c.list())]).toEqual([
      [1, 120],
      [2, 20971520],
    ]);
    await c.quit();
  });
});

describe('Pop3Client round trip from the login', () => {
  it('keeps the quickest answer to CAPA or NOOP as the connection round trip', async () => {
    // CAPA's answer comes in two pieces 40 ms apart: the login measures at least that.
    server = await startFakePop3({ gapMs: 40, handle: (line) => (line === 'CAPA' ? ['+OK\r\n', 'USER\r\nUIDL\r\n.\r\n'] : undefined) });
    const c = await Pop3Client.connect(server.endpoint());
    const fromLogin = c.fastestAnswerMs;
    expect(fromLogin).toBeGreaterThanOrEqual(35);
    await c.noop();
    expect(c.fastestAnswerMs).toBeLessThan(fromLogin!);
    await c.quit();
  });

  it('has no figure when the server answered no such command', async () => {
    // An RFC 1939-only server: CAPA fails, USER/PASS are work, not round trips.
    server = await startFakePop3({});
    const c = await Pop3Client.connect(server.endpoint());
    expect(c.fastestAnswerMs).toBeUndefined();
    await c.quit();
  });
});
