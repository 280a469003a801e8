/**
 * One authenticated WebSocket to the bridge: the handshake (the bridge proves it holds the
 * pairing key before this side sends anything but a nonce and the token id), then requests
 * matched to their responses by id, and events handed to a callback. No reconnection here (see
 * background/bridge-connection.ts); a closed socket rejects every pending request.
 */
import {
  ServerMessageSchema,
  encodeRequest,
  parseEvent,
  parseResult,
  type EventData,
  type EventName,
  type RequestParamsInput,
  type RequestResult,
  type RequestType,
} from '../../shared/protocol';
import { AuthOkSchema, AuthProofSchema, ErrorResponseSchema, type AuthChallenge, type AuthResponse } from '../../shared/protocol/messages';
import { handshakeProof, randomB64url, verifyHandshakeProof, type HandshakeContext } from '../../shared/protocol/handshake';
import { CLOSE_CODES, HELLO_TIMEOUT_MS, PROTOCOL_VERSION, WS_PATH } from '../../shared/protocol/version';
import { BRIDGE_HOST } from './bridge';
import type { RequestFailure } from './runtime-messages';

export class BridgeRequestError extends Error {
  constructor(readonly failure: RequestFailure) {
    super(failure.message);
    this.name = 'BridgeRequestError';
  }
}

/** The failure code of a listener that could not prove it is the paired bridge. */
export const NOT_YOUR_BRIDGE = 'NOT_YOUR_BRIDGE';

/** What the handshake needs from the stored pairing. */
export interface HandshakeSecret {
  tokenId: string;
  key: string;
  origin: string;
}

export interface HelloResult {
  bridgeVersion: string;
  protocol: number;
  tokenId: string;
}

export type AnyEvent = { [E in EventName]: { event: E; data: EventData<E> } }[EventName];

export interface SocketHandlers {
  onEvent(e: AnyEvent): void;
  onClose(code: number, reason: string): void;
}

/** Requests that may take long on the bridge (a connection test, a 1000-row import). */
const SLOW: ReadonlySet<string> = new Set(['endpoint.test', 'folders.preview', 'provider.detect', 'accounts.import', 'job.createWithAccounts', 'report.export', 'job.close', 'job.reopen']);
const TIMEOUT_MS = 30_000;
const SLOW_TIMEOUT_MS = 120_000;

interface Pending {
  type: RequestType;
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** The raw result, unparsed, for fields newer than this extension's schema. */
  raw?: boolean;
}

export class BridgeSocket {
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private closed = false;
  /**
   * Set once auth.ok arrived after the listener's proof verified. The socket is open at the TCP
   * level long before that, and a page's request (with a password) must not go to a listener
   * that may still turn out not to be the bridge.
   */
  private authenticated = false;

  constructor(
    private readonly port: number,
    private readonly handlers: SocketHandlers,
    private readonly WebSocketImpl: typeof WebSocket = WebSocket,
  ) {}

  /**
   * Opens the socket and runs the handshake; resolves with the bridge's version. Rejects with
   * NOT_YOUR_BRIDGE, having sent nothing else, when the listener's first answer is not a valid
   * proof of the pairing key: whatever answers /health on this port is then someone else.
   */
  async open(secret: HandshakeSecret, clientVersion: string): Promise<HelloResult> {
    const ws = new this.WebSocketImpl(`ws://${BRIDGE_HOST}:${this.port}${WS_PATH}`);
    this.ws = ws;
    const frames: unknown[] = [];
    let wake: (() => void) | undefined;
    let closedWith: { code: number; reason: string } | undefined;
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new BridgeRequestError({ code: 'SOCKET_ERROR', message: 'The WebSocket could not be opened.' }));
      ws.onclose = (ev) => reject(new BridgeRequestError({ code: `CLOSED_${ev.code}`, message: ev.reason || 'closed' }));
    });
    ws.onmessage = (ev) => {
      frames.push(ev.data);
      wake?.();
    };
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      closedWith = { code: ev.code, reason: ev.reason };
      wake?.();
    };
    const next = async (): Promise<unknown> => {
      const deadline = Date.now() + HELLO_TIMEOUT_MS;
      while (frames.length === 0) {
        if (closedWith) throw new BridgeRequestError({ code: `CLOSED_${closedWith.code}`, message: closedWith.reason || 'closed' });
        const left = deadline - Date.now();
        if (left <= 0) throw new BridgeRequestError({ code: NOT_YOUR_BRIDGE, message: 'The listener did not answer the handshake.' });
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = undefined;
      }
      try {
        return JSON.parse(String(frames.shift()));
      } catch {
        return undefined;
      }
    };
    const refused = (json: unknown): BridgeRequestError | undefined => {
      const e = ErrorResponseSchema.safeParse(json);
      return e.success ? new BridgeRequestError(e.data.error) : undefined;
    };
    try {
      const clientNonce = randomB64url();
      const challenge: AuthChallenge = { v: PROTOCOL_VERSION, kind: 'auth.challenge', tokenId: secret.tokenId, nonce: clientNonce, clientVersion, protocol: PROTOCOL_VERSION };
      ws.send(JSON.stringify(challenge));
      const first = await next();
      const proof = AuthProofSchema.safeParse(first);
      if (!proof.success) throw refused(first) ?? this.impostor();
      const ctx: HandshakeContext = { origin: secret.origin, tokenId: secret.tokenId, clientNonce, bridgeNonce: proof.data.nonce };
      if (!(await verifyHandshakeProof(secret.key, 'bridge', ctx, proof.data.proof))) throw this.impostor();
      const response: AuthResponse = { v: PROTOCOL_VERSION, kind: 'auth.response', proof: await handshakeProof(secret.key, 'extension', ctx) };
      ws.send(JSON.stringify(response));
      const second = await next();
      const ok = AuthOkSchema.safeParse(second);
      if (!ok.success) throw refused(second) ?? new BridgeRequestError({ code: 'BAD_RESULT', message: 'Unexpected answer to the handshake.' });
      this.authenticated = true;
      // Anything that came after auth.ok in the same burst is ordinary traffic.
      ws.onmessage = (ev) => this.onMessage(ev.data);
      ws.onclose = (ev) => this.onClosed(ev.code, ev.reason);
      for (const f of frames.splice(0)) this.onMessage(f);
      if (closedWith) this.onClosed(closedWith.code, closedWith.reason);
      return { bridgeVersion: ok.data.bridgeVersion, protocol: ok.data.protocol, tokenId: ok.data.tokenId };
    } catch (err) {
      ws.onmessage = null;
      this.closed = true;
      try {
        ws.close(1000, 'handshake failed');
      } catch {
        // already closing
      }
      throw err;
    }
  }

  private impostor(): BridgeRequestError {
    return new BridgeRequestError({ code: NOT_YOUR_BRIDGE, message: 'The program on this port could not prove it is the bridge this browser paired with.' });
  }

  get isOpen(): boolean {
    return this.authenticated && !this.closed && this.ws?.readyState === this.WebSocketImpl.OPEN;
  }

  request<T extends RequestType>(type: T, params: RequestParamsInput<T>): Promise<RequestResult<T>> {
    return this.send(type, params, false) as Promise<RequestResult<T>>;
  }

  /** Like request, but the result is returned as the bridge sent it (not stripped by our schema). */
  requestRaw<T extends RequestType>(type: T, params: RequestParamsInput<T>): Promise<unknown> {
    return this.send(type, params, true);
  }

  private send(type: RequestType, params: unknown, raw: boolean): Promise<unknown> {
    const ws = this.ws;
    if (!ws || !this.isOpen) {
      return Promise.reject(new BridgeRequestError({ code: 'NOT_CONNECTED', message: 'Not connected to the bridge.' }));
    }
    const id = `r${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(id);
          reject(new BridgeRequestError({ code: 'TIMEOUT', message: `The bridge did not answer ${type} in time.` }));
        },
        SLOW.has(type) ? SLOW_TIMEOUT_MS : TIMEOUT_MS,
      );
      this.pending.set(id, { type, resolve, reject, timer, raw });
      ws.send(encodeRequest(id, type, params as never));
    });
  }

  close(code = 1000, reason = 'client closing'): void {
    if (this.closed) return;
    try {
      this.ws?.close(code, reason);
    } catch {
      // already closing
    }
    this.onClosed(code, reason);
  }

  private onClosed(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new BridgeRequestError({ code: 'NOT_CONNECTED', message: 'The connection to the bridge closed.' }));
      this.pending.delete(id);
    }
    this.handlers.onClose(code, reason);
  }

  private onMessage(data: unknown): void {
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return;
    }
    const msg = ServerMessageSchema.safeParse(json);
    if (!msg.success) return;
    const m = msg.data;
    if (m.kind === 'event') {
      try {
        this.handlers.onEvent({ event: m.event, data: parseEvent(m.event, m.data) } as AnyEvent);
      } catch {
        // An event this version cannot read is dropped; the next snapshot repairs the mirror.
      }
      return;
    }
    if (m.id === null) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (!m.ok) {
      p.reject(new BridgeRequestError(m.error));
      return;
    }
    try {
      p.resolve(p.raw ? m.result : parseResult(p.type, m.result));
    } catch (err) {
      p.reject(new BridgeRequestError({ code: 'BAD_RESULT', message: `Unexpected ${p.type} result: ${String(err)}` }));
    }
  }
}

/** Close codes after which the stored token must not be tried again. */
export function closeMeansUnpaired(code: number): boolean {
  return code === CLOSE_CODES.UNAUTHORIZED || code === CLOSE_CODES.FORBIDDEN;
}
