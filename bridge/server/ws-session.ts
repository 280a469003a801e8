import type { WebSocket } from 'ws';
import type { EventName } from '../../shared/protocol/events';
import {
  AuthChallengeSchema,
  AuthResponseSchema,
  HANDSHAKE_MAX_FRAME_BYTES,
  errorResponse,
  eventMessage,
  okResponse,
  type AuthChallenge,
  type AuthOk,
  type AuthProof,
  type ProtocolError,
} from '../../shared/protocol/messages';
import { handshakeProof, randomB64url, verifyHandshakeProof, type HandshakeContext } from '../../shared/protocol/handshake';
import { REQUESTS, RequestEnvelopeSchema, isRequestType, paramsSchema } from '../../shared/protocol/requests';
import { CLOSE_CODES, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../shared/protocol/version';
import type { AuthStores } from '../service/auth-stores';
import type { BridgeService, ServiceEvent } from '../service/bridge-service';
import type { LogLine, Logger } from '../service/logger';
import { ServiceError } from '../service/service-error';
import { FloodGuard } from './flood-guard';
import { frameBytes, setFrameLimit } from './frame-limit';
import type { PairingKeys } from './pairing-keys';
import { BRIDGE_VERSION } from './health';
import { dispatch, requestHandlers, type DispatchedType, type RequestHandlers } from './request-dispatch';
import { LOG_LEVELS, type Subscription } from './subscription';

/** Above this many queued bytes a slow client stops getting progress and log events (statuses still go). */
const DROP_LOSSY_ABOVE = 4 * 1024 * 1024;
const LOSSY: ReadonlySet<EventName> = new Set(['account.progress', 'log']);

/**
 * Before authentication a connection is read one frame at a time: `challenge` (an
 * auth.challenge, or a scripted client's plain `hello` with its token), then, after the
 * bridge's proof, `response`; `verifying` while the bridge works on the last one. A frame in
 * `verifying`, a second frame, a binary one or one over HANDSHAKE_MAX_FRAME_BYTES closes the
 * socket: a client without the key gets the bridge to read at most two small frames.
 */
type Phase = 'challenge' | 'verifying' | 'response' | 'open';

/**
 * One WebSocket connection: nothing but the handshake until it checks out, then
 * requests dispatched to the service and events pushed per subscription. Every
 * problem with a frame is answered with an error (or a close code for the ones
 * that end the connection); nothing a client sends can throw out of here.
 */
export class WsSession {
  tokenId: string | undefined;
  private readonly pairingKeys: PairingKeys;
  private readonly auth: AuthStores;
  private readonly handlers: RequestHandlers;
  private subscription: Subscription | undefined;
  private readonly flood: FloodGuard;
  private readonly helloTimer: NodeJS.Timeout;
  private closed = false;
  private phase: Phase = 'challenge';
  private pendingHandshake: { ctx: HandshakeContext; key: string; clientVersion: string } | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly origin: string,
    service: BridgeService,
    private readonly log: Logger,
    opts: { helloTimeoutMs: number; flood?: { burst: number; perSecond: number }; pairingKeys: PairingKeys; auth: AuthStores },
  ) {
    this.pairingKeys = opts.pairingKeys;
    this.auth = opts.auth;
    this.handlers = requestHandlers(service, {
      subscribe: (s) => (this.subscription = s),
      unsubscribe: () => (this.subscription = undefined),
    });
    setFrameLimit(ws, HANDSHAKE_MAX_FRAME_BYTES);
    this.flood = new FloodGuard(opts.flood?.burst, opts.flood?.perSecond);
    this.helloTimer = setTimeout(() => this.close(CLOSE_CODES.UNAUTHORIZED, 'hello with a token expected'), opts.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      void this.onFrame(data, isBinary).catch((err: unknown) => this.log.error({ err }, 'WebSocket frame handling failed'));
    });
    ws.on('close', () => {
      this.closed = true;
      clearTimeout(this.helloTimer);
    });
    // Oversized frames (ws closes with 1009 itself), bad UTF-8, protocol errors: logged, never thrown.
    ws.on('error', (err) => this.log.warn({ origin }, `WebSocket error: ${err.message}`));
  }

  get authenticated(): boolean {
    return this.tokenId !== undefined;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    this.ws.close(code, reason);
  }

  private send(message: object): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(message));
  }

  private sendError(id: string | null, error: ProtocolError): void {
    this.send(errorResponse(id, error));
  }

  /** Pushes a service event if this connection subscribed to it. */
  deliver(e: ServiceEvent): void {
    const sub = this.subscription;
    if (!sub || !this.authenticated || e.event === 'log') return;
    if (sub.jobId) {
      const jobId = 'account' in e.data ? e.data.account.jobId : 'job' in e.data ? e.data.job.id : 'jobId' in e.data ? e.data.jobId : undefined;
      if (jobId !== sub.jobId) return;
    }
    if (LOSSY.has(e.event) && this.ws.bufferedAmount > DROP_LOSSY_ABOVE) return;
    this.send({ v: PROTOCOL_VERSION, kind: 'event', event: e.event, data: e.data });
  }

  deliverLog(line: LogLine): void {
    const sub = this.subscription;
    if (!sub?.logs || !this.authenticated) return;
    if (LOG_LEVELS[line.level] < LOG_LEVELS[sub.logLevel]) return;
    if (sub.jobId && line.jobId !== sub.jobId) return;
    if (this.ws.bufferedAmount > DROP_LOSSY_ABOVE) return;
    this.send(eventMessage('log', line));
  }

  private async onFrame(data: unknown, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    if (this.phase !== 'open') return this.handshakeFrame(data, isBinary);
    if (!this.flood.take()) {
      this.log.warn({ origin: this.origin }, 'closing a WebSocket that sends too many messages');
      this.close(CLOSE_CODES.TOO_MANY_REQUESTS, 'too many messages');
      return;
    }
    if (isBinary) {
      this.close(CLOSE_CODES.UNSUPPORTED_DATA, 'binary frames are not supported; send JSON text');
      return;
    }
    // A revoked token ends its connections at their next message (and by the gateway's sweep).
    if (this.tokenId && !this.auth.tokens.isActive(this.tokenId)) {
      this.close(CLOSE_CODES.UNAUTHORIZED, 'token revoked');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      this.sendError(null, { code: 'BAD_JSON', message: 'The message is not valid JSON.' });
      return;
    }
    const env = RequestEnvelopeSchema.safeParse(json);
    if (!env.success) {
      const id = typeof (json as { id?: unknown })?.id === 'string' ? ((json as { id: string }).id.slice(0, 64)) : null;
      this.sendError(id, { code: 'BAD_MESSAGE', message: 'Expected {"v": 1, "id": "...", "type": "...", "params": {...}}.' });
      return;
    }
    const { id, type, v } = env.data;
    if (v !== PROTOCOL_VERSION) {
      this.sendError(id, { code: 'UNSUPPORTED_VERSION', message: `This bridge speaks protocol version ${PROTOCOL_VERSION}, not ${v}.` });
      return;
    }
    if (!isRequestType(type)) {
      this.sendError(id, { code: 'UNKNOWN_TYPE', message: `Unknown request type "${type.slice(0, 64)}".` });
      return;
    }
    if (type === 'hello') {
      const parsed = REQUESTS.hello.params.safeParse(env.data.params ?? {});
      if (parsed.success) this.hello(id, parsed.data);
      else this.invalidParams(id, type, parsed.error.issues);
      return;
    }
    await this.run(id, type, env.data.params ?? {});
  }

  private invalidParams(id: string, type: string, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): void {
    this.sendError(id, {
      code: 'INVALID_PARAMS',
      message: `Invalid params for ${type}.`,
      details: issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }

  private async handshakeFrame(data: unknown, isBinary: boolean): Promise<void> {
    const expected = this.phase;
    if (expected === 'verifying' || isBinary || frameBytes(data) > HANDSHAKE_MAX_FRAME_BYTES) {
      this.log.warn({ origin: this.origin }, 'closing a WebSocket that sent more than its handshake before authenticating');
      this.close(CLOSE_CODES.UNAUTHORIZED, 'one small handshake frame expected');
      return;
    }
    this.phase = 'verifying';
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      json = undefined;
    }
    if (expected === 'challenge') {
      const challenge = AuthChallengeSchema.safeParse(json);
      if (challenge.success) return this.challenge(challenge.data);
      const env = RequestEnvelopeSchema.safeParse(json);
      if (env.success && env.data.type === 'hello' && env.data.v === PROTOCOL_VERSION) {
        const p = REQUESTS.hello.params.safeParse(env.data.params ?? {});
        if (p.success) return this.hello(env.data.id, p.data);
      }
      const id = env.success ? env.data.id : null;
      this.sendError(id, { code: 'UNAUTHORIZED', message: 'Start with the handshake (auth.challenge) or a hello with a token.' });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'handshake expected');
      return;
    }
    const response = AuthResponseSchema.safeParse(json);
    const pending = this.pendingHandshake;
    this.pendingHandshake = undefined;
    if (!response.success || !pending || !(await verifyHandshakeProof(pending.key, 'extension', pending.ctx, response.data.proof))) {
      this.log.warn({ origin: this.origin }, 'WebSocket handshake: the client did not prove it holds the pairing key');
      this.sendError(null, { code: 'UNAUTHORIZED', message: 'Handshake failed; pair the extension again.' });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'handshake failed');
      return;
    }
    this.authenticate(pending.ctx.tokenId, pending.clientVersion);
    const ok: AuthOk = { v: PROTOCOL_VERSION, kind: 'auth.ok', tokenId: pending.ctx.tokenId, bridgeVersion: BRIDGE_VERSION, protocol: PROTOCOL_VERSION };
    this.send(ok);
  }

  /** Step 1: the bridge proves it holds the key paired with tokenId, over the client's fresh nonce. */
  private async challenge(c: AuthChallenge): Promise<void> {
    if (c.protocol !== PROTOCOL_VERSION) {
      this.sendError(null, { code: 'UNSUPPORTED_VERSION', message: `This bridge speaks protocol version ${PROTOCOL_VERSION}.` });
      this.close(CLOSE_CODES.UNSUPPORTED_VERSION, 'unsupported protocol version');
      return;
    }
    const info = this.auth.tokens.get(c.tokenId);
    const key = info && info.revokedAt === null ? this.pairingKeys.get(info.id) : undefined;
    if (!info || !key) {
      this.log.warn({ origin: this.origin }, 'WebSocket handshake for an unknown or revoked pairing');
      this.sendError(null, { code: 'UNAUTHORIZED', message: 'Unknown or revoked pairing; pair the extension again.' });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'invalid token');
      return;
    }
    if (info.origin !== this.origin) {
      this.log.warn({ origin: this.origin, tokenOrigin: info.origin }, 'handshake from another origin than the pairing was made for');
      this.sendError(null, { code: 'UNAUTHORIZED', message: 'This pairing belongs to another extension.' });
      this.close(CLOSE_CODES.FORBIDDEN, 'token belongs to another origin');
      return;
    }
    const ctx: HandshakeContext = { origin: this.origin, tokenId: info.id, clientNonce: c.nonce, bridgeNonce: randomB64url() };
    const proof: AuthProof = { v: PROTOCOL_VERSION, kind: 'auth.proof', nonce: ctx.bridgeNonce, proof: await handshakeProof(key, 'bridge', ctx) };
    if (this.closed) return;
    this.pendingHandshake = { ctx, key, clientVersion: c.clientVersion };
    this.phase = 'response';
    this.send(proof);
  }

  private authenticate(tokenId: string, clientVersion: string): void {
    clearTimeout(this.helloTimer);
    this.tokenId = tokenId;
    this.auth.tokens.markUsed(tokenId);
    this.phase = 'open';
    setFrameLimit(this.ws, MAX_FRAME_BYTES);
    this.log.info({ tokenId, clientVersion }, `extension connected (${this.origin})`);
  }

  /** A scripted client's hello with its raw token (tests, tools); the extension uses the handshake. */
  private hello(id: string, p: { token: string; clientVersion: string; protocol: number }): void {
    if (this.authenticated) {
      this.sendError(id, { code: 'CONFLICT', message: 'Already authenticated.' });
      return;
    }
    const info = this.auth.tokens.verify(p.token);
    if (!info) {
      this.log.warn({ origin: this.origin }, 'WebSocket hello with an unknown or revoked token');
      this.sendError(id, { code: 'UNAUTHORIZED', message: 'Unknown or revoked token; pair the extension again.' });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'invalid token');
      return;
    }
    if (info.origin !== this.origin) {
      this.log.warn({ origin: this.origin, tokenOrigin: info.origin }, 'token presented from another origin than it was paired for');
      this.sendError(id, { code: 'UNAUTHORIZED', message: 'This token was paired for another extension.' });
      this.close(CLOSE_CODES.FORBIDDEN, 'token belongs to another origin');
      return;
    }
    if (p.protocol !== PROTOCOL_VERSION) {
      this.sendError(id, { code: 'UNSUPPORTED_VERSION', message: `This bridge speaks protocol version ${PROTOCOL_VERSION}.` });
      this.close(CLOSE_CODES.UNSUPPORTED_VERSION, 'unsupported protocol version');
      return;
    }
    this.authenticate(info.id, p.clientVersion);
    this.send(okResponse(id, 'hello', { bridgeVersion: BRIDGE_VERSION, protocol: PROTOCOL_VERSION, tokenId: info.id }));
  }

  private async run<T extends DispatchedType>(id: string, type: T, raw: unknown): Promise<void> {
    const parsed = paramsSchema(type).safeParse(raw);
    if (!parsed.success) {
      this.invalidParams(id, type, parsed.error.issues);
      return;
    }
    try {
      const result = await dispatch(this.handlers, type, parsed.data);
      this.send(okResponse(id, type, result));
    } catch (err) {
      if (err instanceof ServiceError) {
        this.sendError(id, { code: err.code, message: err.message, ...(err.remedy ? { remedy: err.remedy } : {}) });
        return;
      }
      this.log.error({ err, type }, `request ${type} failed`);
      this.sendError(id, { code: 'INTERNAL', message: 'Internal error; see the bridge log.' });
    }
  }
}
