import { ImapFlow } from 'imapflow';
import { serviceOfLine, type ServiceFound } from '../../shared/wrong-service';
import { markOrigin, type ErrorContext } from './error-origin';
import { paceTlsWrites } from './paced-tls-writes';
import { authenticatePlain, plainWithInitialResponse, type AuthenticateArgs } from './sasl-plain';

/** What imapflow resolves a command with (exec() is not in its public types). */
export interface ExecResponse {
  response: { attributes?: Array<{ section?: Array<{ value?: unknown }> }> };
  next: () => void;
}

/** The request trySend() hands to send(); the framed ones carry their bytes in the options. */
interface SendRequest {
  tag: string;
  command: string;
  options?: { mailmoverFrames?: Buffer[] };
}

/**
 * The imapflow internals this class touches. They are those send(), write() and exec()
 * maintain for every command; the integration tests exercise this path on real Dovecot,
 * so an imapflow upgrade that renames one fails there, not in a migration.
 */
interface FlowInternals {
  socket?: { destroyed: boolean };
  writeSocket: { destroyed?: boolean; write(data: Buffer): boolean; cork?: () => void; uncork?: () => void };
  currentRequest?: { tag: string; sent?: boolean } | null;
  commandParts: unknown[];
  rawSensitiveCommand: boolean;
  lastClientWrite: number | null;
  writeBytesCounter: number;
  /** Incremented for every command imapflow sends. */
  tagCounter: number;
  exec(command: string, attributes: unknown[], options?: object): Promise<ExecResponse>;
}

/** imapflow's per-connection cache of LIST entries, filled by list() and consulted by SELECT/EXAMINE. */
interface FolderCache {
  folders: Map<string, unknown>;
}

/** Commands whose answer takes the server no work: each one's duration is a round trip. */
const NO_WORK_COMMANDS = new Set(['CAPABILITY', 'ID', 'NAMESPACE', 'ENABLE', 'NOOP']);

const baseHandleResponse = (ImapFlow.prototype as unknown as { handleResponse: (this: ImapFlow, data: { payload: Buffer }) => Promise<boolean> }).handleResponse;

/** An IMAP server's first line (RFC 9051 7.1): OK, PREAUTH or BYE, untagged. */
const IMAP_GREETING = /^\* (OK|PREAUTH|BYE)\b/i;

/** The error a connection gives when the server's first line is not an IMAP greeting (errors.ts words it). */
export interface NotImapGreeting extends Error {
  code: 'NOT_IMAP_GREETING';
  /** What answered, never the line itself (wrong-service.ts). */
  serviceFound: ServiceFound;
}

const baseSend = (ImapFlow.prototype as unknown as { send: (this: ImapFlow, data: SendRequest) => Promise<void> }).send;
const baseWrite = (ImapFlow.prototype as unknown as { write: (this: ImapFlow, chunk: unknown) => unknown }).write;

/**
 * An ImapFlow that can also send a command whose bytes the caller has framed. imapflow
 * puts every literal over 4 KB on the wire as a synchronizing literal (one round trip
 * per message, even when the server offers LITERAL+) and copies each message into the
 * command buffer; a MULTIAPPEND of a whole chunk with non-synchronizing literals, written
 * buffer by buffer, needs neither. The command still goes through imapflow's queue, so
 * tags, ordering, untagged responses and the tagged result are imapflow's as usual.
 */
export class ImapClient extends ImapFlow {
  /** Whose connection this is; errors of its commands carry it (error-origin.ts). */
  origin: ErrorContext | undefined;
  /** The last 'error' event: a socket timeout shows here, the failed command only says "no connection". */
  lastError: unknown;

  /**
   * A command during which no byte moved either way for this long (checked at this
   * interval, so given up after one to two of them) closes the connection as a socket
   * timeout. Only while a command runs: a connection that merely waits for its next
   * command (the target while a big message downloads) is not dead, and imapflow's own
   * socketTimeout would close an idle one without a probe.
   */
  stallTimeoutMs: number | undefined;
  private running = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  /**
   * The quickest answer, in ms, to a command the server does no work for (CAPABILITY, ID,
   * NAMESPACE, ENABLE, NOOP): the connection's round trip, measured by its own login, so
   * that sizing the pass for the link (link-window.ts) costs no round trip of its own.
   */
  fastestAnswerMs: number | undefined;
  /**
   * Another connection's NAMESPACE answer for the same account, taken instead of asking
   * again: a round trip less at every worker's login. The namespaces belong to the account,
   * not to the connection, so a worker's would be the same.
   */
  siblingNamespaces: ImapFlow['namespaces'];
  /** Whether the server's first line has been looked at. */
  private greetingChecked = false;

  /**
   * @internal imapflow hands every response line through here. A first line that is not an
   * IMAP greeting (a POP3, SMTP or SSH port given by mistake) fails the connect at once:
   * imapflow would skip it and wait out its greeting timeout, and the account would retry.
   */
  handleResponse(data: { payload: Buffer }): Promise<boolean> {
    if (!this.greetingChecked) {
      this.greetingChecked = true;
      const line = data.payload.toString('latin1', 0, 200);
      if (!IMAP_GREETING.test(line)) {
        this.refuseConnect(Object.assign(new Error("The server's first line is not an IMAP greeting"), { code: 'NOT_IMAP_GREETING' as const, serviceFound: serviceOfLine(line) }));
        return Promise.resolve(false);
      }
    }
    return baseHandleResponse.call(this, data);
  }

  private refuseConnect(err: NotImapGreeting): void {
    const flow = this as unknown as { initialReject?: ((e: unknown) => void) | false; initialResolve?: unknown; greetingTimeout?: ReturnType<typeof setTimeout> };
    clearTimeout(flow.greetingTimeout);
    const reject = flow.initialReject;
    flow.initialReject = false;
    flow.initialResolve = false;
    if (typeof reject === 'function') reject(err);
    this.close();
  }

  /** @internal every command goes through here (imapflow's exec is not in its public types). */
  exec(command: string, attributes: unknown[], options?: object): Promise<ExecResponse> {
    const base = (ImapFlow.prototype as unknown as { exec: (this: ImapFlow, c: string, a: unknown[], o?: object) => Promise<ExecResponse> }).exec;
    this.commandStarted();
    return base
      .call(this, command, attributes, options)
      .catch((err: unknown) => Promise.reject(this.tag(err)))
      .finally(() => this.commandEnded());
  }

  private bytesMoved(): number {
    const s = (this as unknown as { socket?: { bytesRead?: number; bytesWritten?: number } | false }).socket;
    return s ? (s.bytesRead ?? 0) + (s.bytesWritten ?? 0) : 0;
  }

  private commandStarted(): void {
    this.running++;
    if (this.watchdog || !this.stallTimeoutMs) return;
    let seen = this.bytesMoved();
    this.watchdog = setInterval(() => {
      const now = this.bytesMoved();
      if (now !== seen) {
        seen = now;
        return;
      }
      this.stopWatchdog();
      this.lastError = Object.assign(new Error(`No data moved for ${this.stallTimeoutMs} ms while a command was running`), { code: 'ETIMEOUT' });
      // Rejects the running and queued commands; their errors name this timeout as the cause.
      this.close();
    }, this.stallTimeoutMs);
    this.watchdog.unref();
  }

  private commandEnded(): void {
    this.running = Math.max(0, this.running - 1);
    if (this.running === 0) this.stopWatchdog();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** @internal imapflow's public methods start here; it throws "no connection" before exec once the socket is gone. */
  async run(command: string, ...args: unknown[]): Promise<unknown> {
    // imapflow sends ID before the login and, when that answer names fewer than two fields
    // (Dovecot's names one), again after it: one round trip per connection for nothing. The
    // one after the login is kept; it is the one providers that require ID (NetEase) look for.
    if (command === 'ID' && !this.authenticated) return undefined;
    if (command === 'NAMESPACE' && this.authenticated && this.siblingNamespaces?.personal[0]) {
      this.namespaces = structuredClone(this.siblingNamespaces);
      this.namespace = this.namespaces.personal[0];
      return this.namespace;
    }
    if (command === 'AUTHENTICATE' && typeof args[0] === 'string' && args[1] && plainWithInitialResponse(this.sasl(), args[1] as AuthenticateArgs)) {
      try {
        return await authenticatePlain(this.sasl(), args[0], args[1] as AuthenticateArgs);
      } catch (err) {
        throw this.tag(err);
      }
    }
    const base = (ImapFlow.prototype as unknown as { run: (this: ImapFlow, c: string, ...a: unknown[]) => Promise<unknown> }).run;
    const started = performance.now();
    const tags = (this as unknown as FlowInternals).tagCounter;
    try {
      const result = await base.call(this, command, ...args);
      // Only when exactly one command went out: imapflow answers some from what it knows.
      if (NO_WORK_COMMANDS.has(command) && (this as unknown as FlowInternals).tagCounter === tags + 1) this.answeredIn(performance.now() - started);
      return result;
    } catch (err) {
      throw this.tag(err);
    }
  }

  private answeredIn(ms: number): void {
    if (this.fastestAnswerMs === undefined || ms < this.fastestAnswerMs) this.fastestAnswerMs = ms;
  }

  /**
   * Takes another connection's listing of the same mailbox into imapflow's folder cache.
   * imapflow's SELECT and EXAMINE first send `LIST "" <folder>` (and, the first time, an
   * LSUB) for a folder that connection has not listed: a round trip or two per folder per
   * connection, about 40 ms each over the internet, before every folder a worker opens.
   */
  adoptListing(from: ImapClient): void {
    const own = (this as unknown as FolderCache).folders;
    for (const [path, entry] of (from as unknown as FolderCache).folders) if (!own.has(path)) own.set(path, entry);
  }

  private sasl(): Parameters<typeof authenticatePlain>[0] {
    return this as unknown as Parameters<typeof authenticatePlain>[0];
  }

  private tag(err: unknown): unknown {
    return this.origin ? markOrigin(err, this.origin, this.lastError) : err;
  }

  /** True when the frames of `execFramed` may carry non-synchronizing literals of this size. */
  nonSyncLiteralsUpTo(size: number): boolean {
    return this.capabilities.has('LITERAL+') || (this.capabilities.has('LITERAL-') && size <= 4096);
  }

  /**
   * Sends `<tag> <frames...>`: the frames hold everything after the tag and its space,
   * the command's final CRLF included, and may only use non-synchronizing literals.
   */
  execFramed(command: string, frames: Buffer[]): Promise<ExecResponse> {
    return (this as unknown as FlowInternals).exec(command, [], { mailmoverFrames: frames });
  }

  /**
   * @internal every byte imapflow sends goes through here. Its socket (TLS, or the one a
   * STARTTLS put in its place) takes big writes in slices (paced-tls-writes.ts).
   */
  write(chunk: unknown): unknown {
    paceTlsWrites((this as unknown as FlowInternals).writeSocket);
    return baseWrite.call(this, chunk);
  }

  /** @internal imapflow calls this for every queued command. */
  async send(data: SendRequest): Promise<void> {
    const frames = data.options?.mailmoverFrames;
    if (!frames) return baseSend.call(this, data);
    const self = this as unknown as FlowInternals;
    if (!self.socket || self.socket.destroyed || self.writeSocket.destroyed) {
      // thrown here, trySend() rejects this command and goes on with the queue
      throw Object.assign(new Error('Socket is already closed'), { code: 'NoConnection' });
    }
    self.rawSensitiveCommand = false;
    self.commandParts = [];
    self.lastClientWrite = Date.now();
    const ws = self.writeSocket;
    // Over TLS the pacer joins the frames into slices (paced-tls-writes.ts); in the clear the
    // socket, corked, hands them to the kernel in one writev instead of one write each.
    const corked = !paceTlsWrites(ws) && !!ws.cork;
    if (corked) ws.cork!();
    ws.write(Buffer.from(`${data.tag} `));
    for (const frame of frames) {
      self.writeBytesCounter += frame.length;
      ws.write(frame);
    }
    if (corked) ws.uncork?.();
    if (self.currentRequest && self.currentRequest.tag === data.tag) self.currentRequest.sent = true;
  }
}
