import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES, WS_PATH, CLOSE_CODES } from '../../shared/protocol/version';
import type { AuthStores } from '../service/auth-stores';
import type { BridgeService } from '../service/bridge-service';
import type { BridgeLogger } from '../service/logger';
import { checkRequest } from './guards';
import type { PairingKeys } from './pairing-keys';
import { WsSession } from './ws-session';

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = status === 421 ? 'Misdirected Request' : status === 404 ? 'Not Found' : 'Forbidden';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`,
  );
  socket.destroy();
}

export interface WsGatewayOptions {
  service: BridgeService;
  auth: AuthStores;
  pairingKeys: PairingKeys;
  logger: BridgeLogger;
  port: () => number;
  helloTimeoutMs: number;
  flood?: { burst: number; perSecond: number };
}

/**
 * The WebSocket endpoint (/ws, ws package). The Host and Origin guards run on the
 * HTTP upgrade request, before any WebSocket exists: a refused page gets a plain
 * 403/421 and never an open socket. Frames are JSON text of at most
 * MAX_FRAME_BYTES once authenticated, HANDSHAKE_MAX_FRAME_BYTES before (ws closes
 * bigger ones with 1009 before buffering them; see frame-limit.ts).
 */
export class WsGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly sessions = new Set<WsSession>();
  private readonly sweep: NodeJS.Timeout;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly opts: WsGatewayOptions) {
    const log = opts.logger.logger;
    this.unsubscribe.push(opts.service.on((e) => this.sessions.forEach((s) => s.deliver(e))));
    this.unsubscribe.push(opts.logger.onLine((line) => this.sessions.forEach((s) => s.deliverLog(line))));
    // `tokens revoke` may run in another process: check every open session's token now and then.
    this.sweep = setInterval(() => {
      for (const s of this.sessions) if (s.tokenId && !opts.auth.tokens.isActive(s.tokenId)) s.close(CLOSE_CODES.UNAUTHORIZED, 'token revoked');
    }, 2000);
    this.sweep.unref();
    this.wss.on('error', (err) => log.warn(`WebSocket server error: ${err.message}`));
  }

  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const log = this.opts.logger.logger;
    socket.on('error', () => undefined);
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return refuse(socket, 404, 'NOT_FOUND', `The WebSocket is at ${WS_PATH}.`);
    const origin = req.headers.origin;
    const denied = checkRequest({ host: req.headers.host, origin }, this.opts.port(), this.opts.auth.origins);
    if (denied) {
      log.warn({ origin: origin ?? null, host: req.headers.host ?? null }, `refused WebSocket upgrade: ${denied.code}`);
      return refuse(socket, denied.status, denied.code, denied.message);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new WsSession(ws, origin!, this.opts.service, log, { helloTimeoutMs: this.opts.helloTimeoutMs, flood: this.opts.flood, pairingKeys: this.opts.pairingKeys, auth: this.opts.auth });
      this.sessions.add(session);
      ws.on('close', () => this.sessions.delete(session));
    });
  };

  get connections(): number {
    return this.sessions.size;
  }

  /** Tells every client the bridge is going away (1001) and stops. */
  close(): void {
    clearInterval(this.sweep);
    this.unsubscribe.forEach((u) => u());
    for (const s of this.sessions) s.close(CLOSE_CODES.GOING_AWAY, 'bridge shutting down');
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
