/**
 * A small POP3 client (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH RFC 5034) for reading
 * a source maildrop byte-exactly.
 *
 * Why not node-pop3 (the library the product card names, installed as node-pop3 0.11)?
 * Its socket handling is the part that is not sound, so nothing of it is used on this path:
 * - it treats every TCP 'data' event as the start of a response ("+"/"-" at byte 0, the
 *   status line's end in the same chunk), so a status line split across chunks or two
 *   responses in one chunk go wrong, and a "-ERR" greeting is emitted as an 'error' event
 *   while nothing listens for one (EventEmitter throws);
 * - it recognises the end of a multi-line response only when CRLF "." CRLF ends a chunk
 *   (or a chunk is exactly ".", ".\r\n" or "\r\n.\r\n"): a terminator split across chunks
 *   never ends the response (its issue #36, open), and a chunk that happens to be "." ends
 *   it too early;
 * - it strips those five bytes, so every message loses its own final CRLF, and it never
 *   undoes the dot-stuffing (a line ".x" arrives as "..x");
 * - RETR/TOP hand back `buffer.toString()` (UTF-8), which replaces every byte of a GBK or
 *   Latin-1 body that is not valid UTF-8 by U+FFFD: the original bytes are gone;
 * - its socket timeout rejects only the connect promise; during RETR/TOP it destroys the
 *   body stream without an error, so the command never settles (its issue #32, open);
 * - no STLS.
 * test/unit/pop3-client.test.ts shows each of these against a fake server. Wrapping it
 * would mean replacing its data handler, which is all of its protocol code, so the client
 * below owns the socket: one reader that consumes bytes in order (status lines up to LF,
 * multi-line bodies through MultilineDecoder), every command under a timeout, every
 * command checked against the read-only guard.
 */
import { legacyTlsAllowed, verifiesCertificate } from '../endpoint';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { Endpoint } from '../endpoint';
import { MigrationError, stoppedError, type ErrorContext } from '../errors';
import { Pop3ClosedError, Pop3ProtocolError, Pop3ServerError, Pop3TimeoutError, classifyPop3Error } from './errors';
import { MultilineDecoder, MultilineTooLargeError } from './multiline';
import { assertPop3CommandAllowed } from './read-only-guard';

export interface Pop3ClientOptions {
  /** TCP connect + TLS handshake + greeting. Default 30 s. */
  connectTimeoutMs?: number;
  /**
   * Longest silence while a command waits for (the rest of) its response; pushed back by
   * every piece that arrives, so a 20 MB RETR on a slow link is fine while a server that
   * stops sending fails the command. Default 120 s.
   */
  commandTimeoutMs?: number;
  /** Largest multi-line response accepted (a runaway server must not exhaust memory). Default 1 GiB. */
  maxResponseBytes?: number;
}

export interface UidlEntry {
  /** Message number in this session (1-based). */
  msg: number;
  uidl: string;
}

const LF = 0x0a;
const MAX_LINE = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const DEFAULTS = { connectTimeoutMs: 30_000, commandTimeoutMs: 120_000, maxResponseBytes: 1024 ** 3 };

type AnySocket = Socket | TLSSocket;

function servernameFor(host: string): string | undefined {
  // SNI takes names only; an IP address is still checked against the certificate via `host`.
  return /^[\d.]+$|:/.test(host) ? undefined : host;
}

function tlsOptions(ep: Endpoint): ConnectionOptions {
  return {
    host: ep.host,
    servername: servernameFor(ep.host),
    rejectUnauthorized: verifiesCertificate(ep),
    ...legacyTlsAllowed(ep),
    ...(ep.ca ? { ca: ep.ca } : {}),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error, cleanup: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(onTimeout());
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function openSocket(ep: Endpoint, timeoutMs: number, opened: (socket: AnySocket) => void): Promise<AnySocket> {
  const socket: AnySocket =
    ep.security === 'tls' ? tlsConnect({ port: ep.port, ...tlsOptions(ep) }) : netConnect({ host: ep.host, port: ep.port });
  opened(socket);
  const ready = new Promise<AnySocket>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    socket.once('error', onError);
    socket.once(ep.security === 'tls' ? 'secureConnect' : 'connect', () => {
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
  return withTimeout(
    ready,
    timeoutMs,
    () => Object.assign(new Error(`connect to ${ep.host}:${ep.port} timed out`), { code: 'CONNECT_TIMEOUT' }),
    () => socket.destroy(),
  ).catch((err) => {
    socket.destroy();
    throw err;
  });
}

export class Pop3Client {
  /** CAPA as the server last answered it (after STLS, asked again); null when it has no CAPA. */
  capabilities: Map<string, string[]> | null = null;
  /**
   * The quickest answer, in ms, to a command the server does no work for (CAPA, NOOP): the
   * connection's round trip, measured by its own login (link-window.ts uses it).
   */
  fastestAnswerMs: number | undefined;
  private socket: AnySocket;
  private readonly queue: Buffer[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private busy = false;
  private readonly opts: Required<Pop3ClientOptions>;
  private readonly onData = (d: Buffer) => {
    this.queue.push(d);
    this.wake?.();
  };
  private readonly onError = (err: Error) => {
    this.failure ??= err;
    this.wake?.();
  };
  private readonly onClose = () => {
    this.failure ??= new Pop3ClosedError();
    this.wake?.();
  };

  private constructor(socket: AnySocket, opts: Pop3ClientOptions) {
    this.opts = { ...DEFAULTS, ...opts };
    this.socket = socket;
    this.attach(socket);
  }

  /** Whether the session is encrypted (implicit TLS or after STLS). */
  get secure(): boolean {
    return 'encrypted' in this.socket && this.socket.encrypted === true;
  }

  /**
   * Connects, upgrades with STLS when the endpoint says starttls, and logs in. Every
   * failure is a classified MigrationError naming the account (AUTH_FAILED, TLS_FAILED,
   * CONNECT_FAILED, TIMEOUT, THROTTLED, ...), with no secret in its message.
   */
  static async connect(ep: Endpoint, opts: Pop3ClientOptions = {}, signal?: AbortSignal): Promise<Pop3Client> {
    const ctx: ErrorContext = { side: 'source', account: ep.user, host: ep.host, port: ep.port };
    if (ep.security === 'plain' && !ep.allowPlaintext) {
      throw new MigrationError(
        'PLAINTEXT_REFUSED',
        `Refusing to send the source password for ${ep.user} unencrypted to ${ep.host}:${ep.port}. Use pop3s:// or STLS (pop3://), or pass --allow-plaintext for a trusted network.`,
        { side: 'source' },
      );
    }
    const timeouts = { ...DEFAULTS, ...opts };
    let client: Pop3Client | undefined;
    let phase: 'login' | 'session' = 'session';
    if (signal?.aborted) throw stoppedError();
    // The run's stop closes a connection still being made instead of waiting out its timeouts.
    let socket: AnySocket | undefined;
    const onStop = (): void => (client ? client.close() : void socket?.destroy());
    signal?.addEventListener('abort', onStop, { once: true });
    try {
      client = new Pop3Client(await openSocket(ep, timeouts.connectTimeoutMs, (s) => (socket = s)), opts);
      const greeting = await client.readStatus('greeting', timeouts.connectTimeoutMs);
      if (!greeting.ok) throw new Pop3ServerError('greeting', greeting.text);
      client.capabilities = await client.capa();
      // With --allow-plaintext, plaintext is only the fallback: STLS is used whenever offered.
      if (ep.security === 'starttls' || (ep.security === 'plain' && client.capabilities?.has('STLS'))) {
        await client.startTls(ep, timeouts.connectTimeoutMs);
      }
      await client.enableUtf8();
      phase = 'login';
      await client.login(ep);
      return client;
    } catch (err) {
      client?.close();
      if (signal?.aborted) throw stoppedError();
      throw classifyPop3Error(err, ctx, phase);
    } finally {
      signal?.removeEventListener('abort', onStop);
    }
  }

  /** UIDL of every message, in message-number order. */
  async uidl(): Promise<UidlEntry[]> {
    const { body } = await this.command('UIDL', [], { multiline: true });
    const out: UidlEntry[] = [];
    for (const line of body!.toString('latin1').split('\r\n')) {
      if (!line) continue;
      const m = /^(\d+)\s+(\S+)/.exec(line);
      if (!m) throw new Pop3ProtocolError(`unexpected UIDL line "${line.slice(0, 80)}"`);
      out.push({ msg: Number(m[1]), uidl: m[2]! });
    }
    return out;
  }

  /** Size in octets (as the server counts them) of every message. */
  async list(): Promise<Map<number, number>> {
    const { body } = await this.command('LIST', [], { multiline: true });
    const out = new Map<number, number>();
    for (const line of body!.toString('latin1').split('\r\n')) {
      if (!line) continue;
      const m = /^(\d+)\s+(\d+)/.exec(line);
      if (!m) throw new Pop3ProtocolError(`unexpected LIST line "${line.slice(0, 80)}"`);
      out.set(Number(m[1]), Number(m[2]));
    }
    return out;
  }

  /** The message's bytes exactly as the server holds them (dot-stuffing undone, final CRLF kept). */
  async retr(msg: number): Promise<Buffer> {
    return (await this.command('RETR', [String(msg)], { multiline: true })).body!;
  }

  /** The header and the first `lines` body lines. TOP n 0 is the header plus the empty line. */
  async top(msg: number, lines: number): Promise<Buffer> {
    return (await this.command('TOP', [String(msg), String(lines)], { multiline: true })).body!;
  }

  async noop(): Promise<void> {
    await this.timed(() => this.command('NOOP'));
  }

  /** Runs a command the server does no work for, keeping its duration if it is the quickest yet. */
  private async timed<T>(command: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await command();
    const ms = performance.now() - started;
    if (this.fastestAnswerMs === undefined || ms < this.fastestAnswerMs) this.fastestAnswerMs = ms;
    return result;
  }

  /**
   * Ends the session with QUIT and closes the socket. QUIT enters the UPDATE state, which
   * removes only messages marked with DELE; this client never sends DELE (see
   * read-only-guard.ts), so nothing is removed. (Dovecot sets \Seen on the messages
   * RETRieved in the session when it ends, QUIT or not, unless pop3_no_flag_updates=yes.)
   */
  async quit(): Promise<void> {
    try {
      if (!this.failure && !this.busy) await this.command('QUIT', [], { timeoutMs: 10_000 });
    } catch {
      // The session is over either way.
    } finally {
      this.close();
    }
  }

  close(): void {
    this.failure ??= new Pop3ClosedError('closed by the client');
    this.socket.destroy();
    this.wake?.();
  }

  /**
   * Sends one command and reads its answer: the status line, and for a multi-line command
   * the body. A -ERR answer throws Pop3ServerError; after a timeout or a protocol error the
   * position in the byte stream is unknown, so the connection is closed.
   */
  async command(
    verb: string,
    args: string[] = [],
    o: { multiline?: boolean; timeoutMs?: number } = {},
  ): Promise<{ text: string; body?: Buffer }> {
    assertPop3CommandAllowed(verb);
    for (const a of args) {
      if (/[\r\n\0]/.test(a)) throw new MigrationError('CONFIG_INVALID', `A ${verb} argument contains a line break or NUL, which POP3 cannot carry.`, { side: 'source' });
    }
    if (this.busy) throw new Error(`Pop3Client: ${verb} sent while another command is running`);
    this.busy = true;
    const timeoutMs = o.timeoutMs ?? this.opts.commandTimeoutMs;
    try {
      this.write(args.length ? `${verb} ${args.join(' ')}` : verb);
      const status = await this.readStatus(verb, timeoutMs);
      if (!status.ok) throw new Pop3ServerError(verb, status.text);
      if (!o.multiline) return { text: status.text };
      return { text: status.text, body: await this.readMultiline(verb, timeoutMs) };
    } catch (err) {
      if (err instanceof Pop3TimeoutError || err instanceof Pop3ProtocolError || err instanceof MultilineTooLargeError) this.fail(err);
      throw err instanceof MultilineTooLargeError ? new Pop3ProtocolError(`${verb} response larger than ${err.limit} bytes`) : err;
    } finally {
      this.busy = false;
    }
  }

  // ---- session setup ------------------------------------------------------------------

  private async capa(): Promise<Map<string, string[]> | null> {
    try {
      const { body } = await this.timed(() => this.command('CAPA', [], { multiline: true }));
      const caps = new Map<string, string[]>();
      for (const line of body!.toString('utf8').split('\r\n')) {
        const [name, ...params] = line.trim().split(/\s+/);
        if (name) caps.set(name.toUpperCase(), params);
      }
      return caps;
    } catch (err) {
      if (err instanceof Pop3ServerError) return null; // an RFC 1939-only server
      throw err;
    }
  }

  private async startTls(ep: Endpoint, timeoutMs: number): Promise<void> {
    try {
      await this.command('STLS');
    } catch (err) {
      if (!(err instanceof Pop3ServerError)) throw err;
      throw new MigrationError(
        'TLS_FAILED',
        `The source ${ep.user} at ${ep.host}:${ep.port} does not offer STLS (the server said "-ERR ${err.responseText}"), so the password would travel unencrypted. Use pop3s:// (port 995), or --allow-plaintext on a trusted network.`,
        { side: 'source', cause: err },
      );
    }
    // Bytes that arrived after "+OK" and before the handshake were not protected by TLS
    // and would be read as if they were (RFC 2595 section 3.1; the STARTTLS command
    // injection attacks): refuse instead.
    if (this.queue.length) throw new Pop3ProtocolError('the server sent data after accepting STLS, before TLS started');
    const plain = this.socket;
    this.detach(plain);
    plain.on('error', () => undefined); // the TLS socket reports failures from here on
    const secure = tlsConnect({ socket: plain, ...tlsOptions(ep) });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', () => resolve());
        secure.once('error', reject);
      }),
      timeoutMs,
      () => new Pop3TimeoutError('STLS handshake', timeoutMs),
      () => secure.destroy(),
    ).catch((err) => {
      secure.destroy();
      throw err;
    });
    this.socket = secure;
    this.attach(secure);
    // RFC 2595: capabilities learned before TLS must be forgotten and asked again.
    this.capabilities = await this.capa();
  }

  /**
   * Sends UTF8 (RFC 6856) when the server offers it, in the AUTHORIZATION state where the
   * RFC allows it. Without it Courier's pop3d does not hand out a message with raw UTF-8
   * header bytes as it is, but a generated "Cannot display Unicode content" message in
   * its place. A server that refuses it is used as before.
   */
  private async enableUtf8(): Promise<void> {
    if (!this.capabilities?.has('UTF8')) return;
    try {
      await this.command('UTF8');
      this.utf8 = true;
    } catch (err) {
      if (!(err instanceof Pop3ServerError)) throw err;
    }
  }

  /** Whether the server accepted UTF8 (RFC 6856) for this session. */
  utf8 = false;

  private async login(ep: Endpoint): Promise<void> {
    const caps = this.capabilities;
    const sasl = (caps?.get('SASL') ?? []).map((m) => m.toUpperCase());
    const userPass = async (user: string, pass: string) => {
      await this.command('USER', [user]);
      await this.command('PASS', [pass]);
    };
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    switch (ep.auth.kind) {
      case 'password':
        // USER/PASS unless the server says it has no USER but does take SASL PLAIN.
        if (caps && !caps.has('USER') && sasl.includes('PLAIN')) await this.authenticate('PLAIN', b64(`\0${ep.user}\0${ep.auth.password}`));
        else await userPass(ep.user, ep.auth.password);
        return;
      case 'master':
        if (ep.auth.form === 'separator') await userPass(`${ep.user}${ep.auth.separator}${ep.auth.adminUser}`, ep.auth.password);
        else await this.authenticate('PLAIN', b64(`${ep.user}\0${ep.auth.adminUser}\0${ep.auth.password}`));
        return;
      case 'oauth2':
        await this.authenticate('XOAUTH2', b64(`user=${ep.user}\x01auth=Bearer ${ep.auth.accessToken}\x01\x01`));
        return;
    }
  }

  /** AUTH with an initial response (RFC 5034). A challenge means failure details: answer empty, read the -ERR. */
  private async authenticate(mechanism: string, initial: string): Promise<void> {
    assertPop3CommandAllowed('AUTH');
    this.busy = true;
    try {
      this.write(`AUTH ${mechanism} ${initial}`);
      let status = await this.readStatus('AUTH', this.opts.commandTimeoutMs, true);
      if (status.continuation) {
        // XOAUTH2 sends its error as a challenge and expects an empty line; for other
        // mechanisms "*" cancels the exchange (RFC 5034 section 4).
        this.write(mechanism === 'XOAUTH2' ? '' : '*');
        status = await this.readStatus('AUTH', this.opts.commandTimeoutMs);
      }
      if (!status.ok) throw new Pop3ServerError('AUTH', status.text);
    } finally {
      this.busy = false;
    }
  }

  // ---- bytes ------------------------------------------------------------------------

  private write(line: string): void {
    if (this.failure) throw this.failure;
    this.socket.write(Buffer.from(`${line}\r\n`, 'utf8'));
  }

  private attach(s: AnySocket): void {
    s.setNoDelay(true);
    s.setKeepAlive(true, 30_000);
    s.on('data', this.onData);
    s.on('error', this.onError);
    s.on('close', this.onClose);
  }

  private detach(s: AnySocket): void {
    s.removeListener('data', this.onData);
    s.removeListener('error', this.onError);
    s.removeListener('close', this.onClose);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.socket.destroy();
  }

  /** The next piece the socket delivered, waiting at most `timeoutMs` for it. */
  private async nextPiece(what: string, timeoutMs: number): Promise<Buffer> {
    for (;;) {
      const piece = this.queue.shift();
      if (piece) return piece;
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.wake = undefined;
          reject(new Pop3TimeoutError(what, timeoutMs));
        }, timeoutMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  private unshift(rest: Buffer): void {
    if (rest.length) this.queue.unshift(rest);
  }

  /** One response line without its line break (CRLF, or a lone LF from a sloppy server). */
  private async readLine(what: string, timeoutMs: number): Promise<Buffer> {
    let acc: Buffer = EMPTY;
    for (;;) {
      const piece = await this.nextPiece(what, timeoutMs);
      const data = acc.length ? Buffer.concat([acc, piece]) : piece;
      const nl = data.indexOf(LF, acc.length);
      if (nl >= 0) {
        this.unshift(data.subarray(nl + 1));
        return data.subarray(0, nl > 0 && data[nl - 1] === 0x0d ? nl - 1 : nl);
      }
      if (data.length > MAX_LINE) throw new Pop3ProtocolError(`a response line to ${what} longer than ${MAX_LINE} bytes`);
      acc = data;
    }
  }

  private async readStatus(what: string, timeoutMs: number, allowContinuation = false): Promise<{ ok: boolean; text: string; continuation?: boolean }> {
    const line = await this.readLine(what, timeoutMs);
    const text = line.toString('utf8');
    if (/^\+OK\b/i.test(text)) return { ok: true, text: text.slice(3).trim() };
    if (/^-ERR\b/i.test(text)) return { ok: false, text: text.slice(4).trim() };
    if (allowContinuation && /^\+( |$)/.test(text)) return { ok: false, text: text.slice(1).trim(), continuation: true };
    // A POP3 address given the IMAP port (or scheme) meets an IMAP greeting: say so, not only "invalid".
    if (what === 'greeting' && /^\* (OK|PREAUTH|BYE)\b/i.test(text)) {
      throw new Pop3ProtocolError(`the server greeted as an IMAP server ("${text.slice(0, 60)}"), not a POP3 one: check the port (POP3 110, or 995 with TLS; IMAP is 143 and 993) or use an imap:// address`);
    }
    throw new Pop3ProtocolError(`expected +OK or -ERR in answer to ${what}, got "${text.slice(0, 60)}"`);
  }

  private async readMultiline(what: string, timeoutMs: number): Promise<Buffer> {
    const decoder = new MultilineDecoder(this.opts.maxResponseBytes);
    for (;;) {
      const rest = decoder.push(await this.nextPiece(what, timeoutMs));
      if (rest !== undefined) {
        this.unshift(rest);
        return decoder.result();
      }
    }
  }
}
