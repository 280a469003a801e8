/**
 * Test clients for the bridge: a WebSocket client (ws package) that sets Origin and
 * Host explicitly, so tests can play the extension or an attacker; plain HTTP
 * requests with chosen headers (fetch cannot set Host); and the bridge as a child
 * process (`node bridge/cli/bin.mjs start`, the launcher `npm run bridge` runs, so its pid is the bridge).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import type { EventData, EventName } from '../../shared/protocol/events';
import { ServerMessageSchema, type ProtocolError } from '../../shared/protocol/messages';
import type { RequestParamsInput, RequestResult, RequestType } from '../../shared/protocol/requests';
import { REPO_ROOT } from './cli-runner';
import { NODE_FLAGS } from '../../bridge/cli/node-flags';
import { DEFAULT_BRIDGE_PORT } from '../../shared/bridge-defaults';
import { getFreePort } from '../harness/free-port';

export const EXT_ORIGIN = EXTENSION_ORIGIN;

export class RequestFailed extends Error {
  constructor(readonly error: ProtocolError) {
    super(`${error.code}: ${error.message}`);
  }
}

export interface ReceivedEvent {
  event: EventName;
  data: unknown;
  at: number;
}

export class BridgeClient {
  readonly events: ReceivedEvent[] = [];
  readonly raw: unknown[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private seq = 0;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const msg: unknown = JSON.parse(String(data));
      this.raw.push(msg);
      const m = ServerMessageSchema.parse(msg);
      if (m.kind === 'event') this.events.push({ event: m.event, data: m.data, at: Date.now() });
      else if (m.id !== null && this.pending.has(m.id)) {
        const p = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new RequestFailed(m.error));
      }
      const w = this.waiters;
      this.waiters = [];
      w.forEach((f) => f());
    });
    ws.on('error', () => undefined);
  }

  /** Opens a socket; resolves when open, rejects with the HTTP status when the upgrade is refused. */
  static open(port: number, opts: { origin?: string | null; host?: string; path?: string } = {}): Promise<BridgeClient> {
    const headers: Record<string, string> = {};
    if (opts.host) headers.Host = opts.host;
    const origin = opts.origin === undefined ? EXT_ORIGIN : opts.origin;
    const ws = new WebSocket(`ws://127.0.0.1:${port}${opts.path ?? '/ws'}`, { headers, ...(origin ? { origin } : {}) });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new BridgeClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
    });
  }

  /** open + hello. */
  static async connect(port: number, token: string, opts: { origin?: string } = {}): Promise<BridgeClient> {
    const c = await BridgeClient.open(port, opts);
    await c.request('hello', { token, clientVersion: 'test', protocol: 1 });
    return c;
  }

  request<T extends RequestType>(type: T, params: RequestParamsInput<T>, timeoutMs = 60_000): Promise<RequestResult<T>> {
    const id = `r${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${type}: no response in ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as RequestResult<T>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ v: 1, id, type, params }));
    });
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** The next message received after now that matches. */
  async nextRaw(pred: (m: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const start = this.raw.length;
    return this.until(() => this.raw.slice(start).find((m) => pred(m as Record<string, unknown>)) as Record<string, unknown> | undefined, timeoutMs);
  }

  /** Waits until an event matching `pred` has arrived (also one that arrived before). */
  waitForEvent<E extends EventName>(event: E, pred: (d: EventData<E>) => boolean = () => true, timeoutMs = 120_000): Promise<EventData<E>> {
    return this.until(() => this.events.find((e) => e.event === event && pred(e.data as EventData<E>))?.data as EventData<E> | undefined, timeoutMs, `event ${event}`);
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what = 'message'): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        const v = probe();
        if (v !== undefined) {
          clearTimeout(deadline);
          resolve(v);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP request to the bridge with exactly the given headers (Host included). */
export function httpRequest(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function pair(port: number, code: string, origin = EXT_ORIGIN): Promise<{ token: string; tokenId: string }> {
  const r = await httpRequest(port, 'POST', '/pair', { Origin: origin, 'Content-Type': 'application/json' }, JSON.stringify({ code }));
  if (r.status !== 200) throw new Error(`pairing failed: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as { token: string; tokenId: string };
}

export interface BridgeProcess {
  child: ChildProcess;
  port: number;
  pairingCode: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `bridge/cli/bin.mjs start` as a child and waits for its address and pairing code.
 * A port found free a moment ago can be taken by another test's server before the bridge binds
 * it; the bridge then exits saying so and is started again on another free port (never 7878):
 * callers read the port from the result.
 */
export async function spawnBridge(opts: { port: number; stateDir: string; env?: Record<string, string>; args?: string[] }): Promise<BridgeProcess> {
  for (let attempt = 1, port = opts.port; ; attempt++) {
    try {
      return await spawnBridgeOnce({ ...opts, port });
    } catch (err) {
      if (attempt >= 5 || !/is already in use/.test(String(err))) throw err;
      do port = await getFreePort();
      while (port === DEFAULT_BRIDGE_PORT);
    }
  }
}

async function spawnBridgeOnce(opts: { port: number; stateDir: string; env?: Record<string, string>; args?: string[] }): Promise<BridgeProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO_ROOT, 'bridge', 'cli', 'bin.mjs'), 'start', '--port', String(opts.port), '--state-dir', opts.stateDir, ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const code = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start:\n${stdout}\n${stderr}`)), 30_000);
    const check = () => {
      const m = /Pairing code: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(stdout);
      if (m && /listening on http:\/\/127\.0\.0\.1:\d+/.test(stdout) && stdout.includes("Press Ctrl+C")) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`bridge exited early:\n${stdout}\n${stderr}`)));
  });
  return { child, port: opts.port, pairingCode: code, stdout: () => stdout, stderr: () => stderr, exited };
}
