/**
 * One login on one server on both sides (the admin typed two names of the server, or its IMAP
 * and POP3 ports) would copy a mailbox onto itself: every message once more per run. The engine
 * refuses it before any connection, for every surface (the CLI checks its rows too, the service
 * and the queue workers only have this).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { startCountingServer, type CountingServer } from '../support/counting-server';
import { job, tempStore } from '../support/engine-fixtures';

let server: CountingServer;
beforeAll(async () => {
  server = await startCountingServer();
});
afterAll(() => server.close());

const endpoint = (host: string, user: string): Endpoint => ({ host, port: server.port, security: 'plain', user, auth: { kind: 'password', password: 'Pw-never-print-0815' }, allowPlaintext: true, insecureTls: false });

describe('a mailbox copied onto itself', () => {
  it('is refused before any connection when both sides name one server differently (localhost, 127.0.0.1) with one login in any case', async () => {
    const { store, cleanup } = tempStore();
    try {
      server.reset();
      const phases: string[] = [];
      const result = await migrate(job(endpoint('localhost', 'alice@corp.example'), endpoint('127.0.0.1', 'Alice@Corp.example'), { maxAttempts: 1 }), store, { onProgress: (p) => phases.push(p.phase) });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('CONFIG_INVALID');
      expect(result.error?.message).toContain(`alice@corp.example on localhost:${server.port} and Alice@Corp.example on 127.0.0.1:${server.port} are one mailbox on one server`);
      expect(result.error?.message).not.toContain('Pw-never-print-0815');
      expect(phases).toEqual(['failed']);
      expect(server.connections).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('another login on the same server is a domain change, and runs', async () => {
    const { store, cleanup } = tempStore();
    try {
      server.reset();
      const result = await migrate(job(endpoint('localhost', 'alice@old.example'), endpoint('127.0.0.1', 'alice@new.example'), { maxAttempts: 1 }), store);
      expect(result.error?.code).not.toBe('CONFIG_INVALID');
      expect(server.connections).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });
});
