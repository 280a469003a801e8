/**
 * The background worker's one connection to the bridge, as a small state machine:
 *
 *   checking → not-found    (GET /health fails: look again with back-off)
 *            → unpaired     (the bridge runs, no pairing yet: wait for a pairing code)
 *            → connecting → connected   (WebSocket, handshake with the pairing key, subscribe)
 *                         → impostor    (the listener could not prove the key: "not your
 *                                        bridge"; nothing is sent to it, looked at again later)
 *
 * A lost connection goes back to checking after a back-off delay; a refused pairing (4401/4403)
 * is forgotten and the state becomes unpaired. Everything the pages need (the state, jobs,
 * accounts) is written to Dexie; the pairing key stays in chrome.storage.local. When Chrome
 * stops the worker the socket goes with it; the next start (an alarm, a page's message) reads
 * the pairing again and reconnects, and the subscribe snapshot brings the mirror up to date.
 */
import { browser } from 'wxt/browser';
import type { RequestType } from '../../shared/protocol/requests';
import { notifyJobFirstPassDone } from './notifications';
import { checkPageRequest } from './page-request';
import { backoffDelay } from '../lib/backoff';
import { normalizePort, probeBridge } from '../lib/bridge';
import { BridgeRequestError, BridgeSocket, NOT_YOUR_BRIDGE, closeMeansUnpaired, type AnyEvent } from '../lib/bridge-socket';
import { pairWithBridge, type PairOutcome } from '../lib/pair';
import type { BridgePhase, BridgeProblem, BridgeState, RequestFailure } from '../lib/runtime-messages';
import { bridgePortItem, pairingItem, readBridgePort, readPairing, type StoredPairing } from '../lib/storage-items';
import { CLOSE_CODES } from '../../shared/protocol/version';
import { Mirror } from '../db/mirror';
import { db, type MailmoverDb } from '../db/schema';

/** While connected, a cheap request this often keeps the MV3 worker alive and proves the socket. */
const KEEPALIVE_MS = 20_000;
/** While unpaired, look whether the bridge is still there this often. */
const UNPAIRED_RECHECK_MS = 5000;

export class BridgeConnection {
  private state: BridgeState;
  private socket: BridgeSocket | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly mirror: Mirror;

  constructor(
    private readonly d: MailmoverDb = db(),
    private readonly onEvent: (e: AnyEvent) => void = () => undefined,
    mirror?: Mirror,
  ) {
    this.mirror = mirror ?? new Mirror(d);
    this.state = {
      phase: 'checking',
      port: normalizePort(undefined),
      version: null,
      paired: false,
      tokenId: null,
      origin: null,
      problem: null,
      lastConnectedAt: null,
      nextAttemptAt: null,
      updatedAt: new Date().toISOString(),
    };
  }

  get current(): BridgeState {
    return this.state;
  }

  /** Starts (or restarts now) the look for the bridge, unless a look is already running. */
  async ensure(now = false): Promise<BridgeState> {
    if (this.state.phase === 'connected' && this.socket?.isOpen) return this.state;
    if (now) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.attempt = 0;
    }
    if (this.running) {
      // A look is under way with what was stored before: look again once it ends.
      if (now) this.again = true;
      await this.running;
      return this.state;
    }
    if (!this.timer || now) {
      this.running = (async () => {
        do {
          this.again = false;
          await this.run();
        } while (this.again);
      })().finally(() => (this.running = undefined));
      await this.running;
    }
    return this.state;
  }

  private async run(): Promise<void> {
    const previous = (await this.d.settings.get('bridge'))?.value as BridgeState | undefined;
    const port = await this.port();
    const token = await this.token();
    // Looking again on the same port stays "not found" until something answers: the popup's card
    // (and the port an admin is typing into it) must not blink away at every retry.
    const stillNotFound = this.state.phase === 'not-found' && this.state.port === port;
    const looking = this.state.phase === 'checking' || this.state.phase === 'not-found';
    await this.update({
      phase: stillNotFound ? 'not-found' : looking ? 'checking' : this.state.phase,
      port,
      paired: !!token,
      tokenId: token?.tokenId ?? null,
      origin: token?.origin ?? null,
      lastConnectedAt: this.state.lastConnectedAt ?? previous?.lastConnectedAt ?? null,
    });
    const health = await probeBridge(port);
    if (health.state === 'not-found') {
      this.retryLater('not-found', null);
      return;
    }
    if (!token || token.port !== port) {
      await this.update({ phase: 'unpaired', version: health.version, nextAttemptAt: null });
      this.attempt = 0;
      this.schedule(UNPAIRED_RECHECK_MS);
      return;
    }
    // Still "not your bridge" while looking again: the listener has to prove itself first.
    await this.update({ phase: this.state.phase === 'impostor' ? 'impostor' : 'connecting', version: health.version });
    const socket = new BridgeSocket(port, {
      onEvent: (e) => this.handleEvent(e),
      onClose: (code) => void this.socketClosed(socket, code),
    });
    this.socket = socket;
    try {
      const hello = await socket.open(token, browser.runtime.getManifest().version);
      const snap = await socket.request('subscribe', {});
      // Taken before the snapshot is written, whose time is then never earlier: a page that sees
      // "connected" before its mirror query saw the snapshot can tell (the webmail panel says
      // "no migration was opened for you" only from a mirror at least this new).
      const connectedAt = new Date().toISOString();
      await this.mirror.snapshot(snap.jobs, snap.accounts);
      this.attempt = 0;
      await this.update({
        phase: 'connected',
        version: hello.bridgeVersion,
        problem: null,
        lastConnectedAt: connectedAt,
        nextAttemptAt: null,
      });
      this.startKeepalive(socket);
    } catch (err) {
      const code = err instanceof BridgeRequestError ? err.failure.code : '';
      socket.close();
      if (code === 'UNAUTHORIZED' || code === `CLOSED_${CLOSE_CODES.UNAUTHORIZED}` || code === `CLOSED_${CLOSE_CODES.FORBIDDEN}`) {
        await this.forgetToken(code.endsWith(String(CLOSE_CODES.FORBIDDEN)) ? 'origin-rejected' : 'token-rejected');
        return;
      }
      if (code === NOT_YOUR_BRIDGE) {
        this.retryLater('impostor', null);
        return;
      }
      if (code === 'UNSUPPORTED_VERSION') {
        this.retryLater('connecting', 'version-mismatch');
        return;
      }
      this.retryLater('connecting', 'socket-error');
    }
  }

  private startKeepalive(socket: BridgeSocket): void {
    clearInterval(this.keepalive);
    this.keepalive = setInterval(() => {
      if (this.socket !== socket || !socket.isOpen) return;
      // A cheap request keeps the service worker and the socket alive; events keep the mirror current.
      socket.request('ping', {}).then(
        () => undefined,
        () => undefined,
      );
    }, KEEPALIVE_MS);
  }

  private async socketClosed(socket: BridgeSocket, code: number): Promise<void> {
    if (this.socket !== socket) return;
    this.socket = undefined;
    clearInterval(this.keepalive);
    await this.mirror.flush().catch(() => undefined);
    if (this.state.phase !== 'connected') return; // run() handles failures while opening
    if (closeMeansUnpaired(code)) {
      await this.forgetToken(code === CLOSE_CODES.FORBIDDEN ? 'origin-rejected' : 'token-rejected');
      return;
    }
    this.attempt = 0;
    this.retryLater('connecting', 'connection-lost');
  }

  private retryLater(phase: BridgePhase, problem: BridgeProblem | null): void {
    const delay = backoffDelay(this.attempt++);
    void this.update({ phase, problem, nextAttemptAt: new Date(Date.now() + delay).toISOString() });
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.ensure();
    }, ms);
  }

  private handleEvent(e: AnyEvent): void {
    if (e.event === 'account.status') this.mirror.status(e.data.account);
    else if (e.event === 'account.progress') this.mirror.progressEvent(e.data);
    else if (e.event === 'job.status') this.mirror.job(e.data.job);
    else if (e.event === 'job.firstPassDone') {
      this.mirror.job(e.data.job);
      void notifyJobFirstPassDone(e.data).catch(() => undefined);
    }
    this.onEvent(e);
  }

  /** Forwards one protocol request; params are checked here first so errors name the field. */
  async request(requested: string, params: unknown): Promise<unknown> {
    const { type, params: checked } = checkPageRequest(requested, params);
    if (!this.socket?.isOpen) {
      void this.ensure(true);
      throw new BridgeRequestError({ code: 'NOT_CONNECTED', message: 'The bridge is not connected.' });
    }
    // endpoint.test: keep fields newer than this extension's schema (the diagnosis report).
    if (type === 'endpoint.test') return this.socket.requestRaw(type, checked as never);
    const result = await this.socket.request(type, checked as never);
    this.mirrorResult(type, result);
    return result;
  }

  /** Results that carry views update the mirror at once (the events follow, but the page should not wait). */
  private mirrorResult(type: RequestType, result: unknown): void {
    const r = result as { job?: Parameters<Mirror['job']>[0]; accounts?: Parameters<Mirror['status']>[0][]; account?: Parameters<Mirror['status']>[0] };
    if (r.job) this.mirror.job(r.job);
    if (r.account) this.mirror.status(r.account);
    if (type === 'accounts.import' && r.accounts) r.accounts.forEach((a) => this.mirror.status(a));
  }

  async pair(code: string): Promise<PairOutcome> {
    const port = await this.port();
    const origin = new URL(browser.runtime.getURL('/')).origin;
    const outcome = await pairWithBridge(port, code, { origin, label: `mailmover ${navigator.userAgent.includes('Firefox') ? 'Firefox' : 'Chromium'}` });
    if (outcome.ok) {
      // The raw token is dropped here: the handshake needs only the key and the token's id.
      const stored: StoredPairing = {
        tokenId: outcome.pair.tokenId,
        key: outcome.pair.key,
        origin: outcome.pair.origin,
        port,
        pairedAt: new Date().toISOString(),
      };
      await pairingItem().setValue(stored);
      await this.update({ paired: true, tokenId: stored.tokenId, origin: stored.origin, problem: null });
      await this.ensure(true);
    }
    return outcome;
  }

  async unpair(): Promise<void> {
    await pairingItem().removeValue();
    this.socket?.close();
    this.socket = undefined;
    await this.update({ phase: 'checking', paired: false, tokenId: null, origin: null, problem: null });
    await this.ensure(true);
  }

  async setPort(port: number): Promise<void> {
    await bridgePortItem().setValue(port);
    this.socket?.close();
    this.socket = undefined;
    await this.ensure(true);
  }

  /** The port changed in storage (tests, settings): look there now. */
  portChanged(): void {
    this.socket?.close();
    this.socket = undefined;
    void this.ensure(true);
  }

  private async forgetToken(problem: BridgeProblem): Promise<void> {
    await pairingItem().removeValue();
    await this.update({ phase: 'unpaired', paired: false, tokenId: null, origin: null, problem, nextAttemptAt: null });
    this.schedule(UNPAIRED_RECHECK_MS);
  }

  private async port(): Promise<number> {
    try {
      return await readBridgePort();
    } catch {
      return normalizePort(undefined);
    }
  }

  private async token(): Promise<StoredPairing | undefined> {
    return readPairing();
  }

  private async update(patch: Partial<BridgeState>): Promise<void> {
    this.state = { ...this.state, ...patch, updatedAt: new Date().toISOString() };
    try {
      await this.d.settings.put({ key: 'bridge', value: this.state });
    } catch {
      // IndexedDB unavailable (private mode quirks): the runtime message still answers.
    }
  }

  failureOf(err: unknown): RequestFailure {
    if (err instanceof BridgeRequestError) return err.failure;
    return { code: 'INTERNAL', message: String(err) };
  }
}
