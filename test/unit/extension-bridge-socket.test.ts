/**
 * The extension's bridge socket (extension/lib/bridge-socket.ts) against a program on the bridge
 * port that accepts the WebSocket but never proves the pairing key. The socket is open long
 * before the handshake is done, and the background worker forwards a page's request as soon as
 * its socket says it is open (the monitor's "type the password again" form is not disabled while
 * the worker reconnects): nothing of such a request may reach a listener that has not proved it
 * is the bridge.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket as WsWebSocket, WebSocketServer } from 'ws';
import { BridgeRequestError, BridgeSocket } from '../../extension/lib/bridge-socket';
import { getFreePort } from '../harness/free-port';

const PASSWORD = 'Must-not-reach-the-impostor-8Jq!';

/** Takes the WebSocket, records every frame, answers none (the handshake waits for its proof). */
async function silentListener(port: number): Promise<{ frames: string[]; close(): Promise<void> }> {
  const frames: string[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_req, res) => res.end('{}'));
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d) => frames.push(String(d)))));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    frames,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('bridge socket before the listener proved the pairing key', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('is not open, and refuses a request instead of sending its password', async () => {
    const port = await getFreePort();
    const listener = await silentListener(port);
    stop = listener.close;
    const socket = new BridgeSocket(port, { onEvent: () => undefined, onClose: () => undefined }, WsWebSocket as unknown as typeof WebSocket);
    const opening = socket.open({ tokenId: 'tok_test', key: 'k'.repeat(43), origin: 'chrome-extension://test' }, '0.1.0').catch((err: unknown) => err);
    // The challenge went out: the socket is connected and waits for the listener's proof.
    await vi.waitFor(() => expect(listener.frames.length).toBe(1), { timeout: 5000 });

    expect(socket.isOpen).toBe(false);
    const request = socket
      .request('endpoint.test', { side: 'source', server: { host: 'imap.example.com', port: 993, security: 'tls' }, user: 'a@example.com', password: PASSWORD })
      .then(
        () => 'answered',
        (err: unknown) => (err instanceof BridgeRequestError ? err.failure.code : String(err)),
      );
    // A request that went out waits for an answer that never comes: 'sent' after a while.
    const answer = await Promise.race([request, new Promise<string>((r) => setTimeout(() => r('sent'), 300))]);
    expect(listener.frames.join('\n')).not.toContain(PASSWORD);
    expect(listener.frames).toHaveLength(1);
    expect(answer).toBe('NOT_CONNECTED');

    await listener.close();
    stop = undefined;
    expect(await opening).toBeInstanceOf(BridgeRequestError);
  }, 30_000);
});
