/**
 * Copying the messages a verify found missing APPENDs like a migration pass: while another run
 * holds the mailbox pair (a cron job's migrate, the bridge's sync), it is refused as
 * ALREADY_RUNNING before any connection, and the pair is free again after a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyAccount } from '../../shared/verify';
import { acquirePairLock } from '../../bridge/engine/pair-lock';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { startCountingServer, type CountingServer } from '../support/counting-server';
import { job } from '../support/engine-fixtures';

let server: CountingServer;
beforeAll(async () => {
  server = await startCountingServer();
});
afterAll(() => server.close());

const endpoint = (user: string): Endpoint => ({ host: '127.0.0.1', port: server.port, security: 'plain', user, auth: { kind: 'password', password: 'Pw-never-print-2024' }, allowPlaintext: true, insecureTls: false });

/** A verify report with one missing message in INBOX (only what copyMissing reads of it). */
const report = { folders: [{ source: 'INBOX', target: 'INBOX', missing: [{ uid: 7, size: 100 }], error: null }] } as unknown as VerifyAccount;

describe('verify --fix and the pair lock', () => {
  it('is refused as ALREADY_RUNNING while another run holds the pair, without a connection; runs once it is free', async () => {
    const n = Date.now();
    const theJob = job(endpoint(`fix${n}@old.example`), endpoint(`fix${n}@new.example`), { maxAttempts: 1 });
    const held = await acquirePairLock(theJob.source, theJob.target);
    expect(held.ok).toBe(true);
    server.reset();
    await expect(copyMissing(theJob, report, undefined)).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    expect(server.connections).toBe(0);
    if (held.ok) held.lock.release();
    // Free: it gets as far as connecting (this server lets no login through), and leaves the pair free.
    await expect(copyMissing(theJob, report, undefined)).rejects.toBeDefined();
    expect(server.connections).toBeGreaterThan(0);
    const again = await acquirePairLock(theJob.source, theJob.target);
    expect(again.ok).toBe(true);
    if (again.ok) again.lock.release();
  });
});
