/**
 * A job pointed at another target server after its accounts' first pass (the new mailboxes are
 * on another server): the bridge, started as a process, copies the whole mailbox to the new
 * server once the target password is entered again, instead of resuming what it copied to
 * the old one (and finding nothing new).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/protocol/account';
import { getFreePort } from '../harness/free-port';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { BridgeClient, pair, spawnBridge, type BridgeProcess } from '../support/bridge-client';
import { bulkMessages } from '../support/corpus';

const srcU = { user: 'kim@old.example.com', password: 'Kim-Src-Pw-1' };
const tgtU = { user: 'kim@new.example.com', password: 'Kim-Tgt-Pw-2' };
const otherU = { user: 'kim.lee@new.example.com', password: 'Kim-Lee-Tgt-Pw-3' };
const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');
const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });

describe('the target server of a job changed after a first pass', () => {
  let source: DovecotServer;
  let targetA: DovecotServer;
  let targetB: DovecotServer;
  let dir: string;
  let bridge: BridgeProcess;
  let c: BridgeClient;
  const status = (id: string, pred: (a: AccountView) => boolean, timeoutMs = 60_000) =>
    c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), timeoutMs).then((d) => d.account);

  const start = async () => {
    bridge = await spawnBridge({ port: await getFreePort(), stateDir: dir, env: { MAILMOVER_RETRY_BASE_MS: '200', MAILMOVER_ENGINE_RETRY_BASE_MS: '50' } });
    const { port } = bridge;
    const { token } = await pair(port, bridge.pairingCode);
    c = await BridgeClient.connect(port, token);
    await c.request('subscribe', {});
  };

  beforeAll(async () => {
    [source, targetA, targetB] = await Promise.all([
      startDovecot({ name: 'tgt-change-src', users: [srcU] }),
      startDovecot({ name: 'tgt-change-a', users: [tgtU, otherU] }),
      startDovecot({ name: 'tgt-change-b', users: [tgtU] }),
    ]);
    await seedFolder(source, srcU, 'INBOX', bulkMessages(5, 51, { prefix: 'k' }));
    dir = mkdtempSync(join(tmpdir(), 'mailmover-tgt-change-'));
    await start();
  });

  afterAll(async () => {
    c?.close();
    if (bridge && bridge.child.exitCode === null && bridge.child.signalCode === null) {
      bridge.child.kill('SIGTERM');
      await bridge.exited;
    }
    await Promise.all([source?.stop(), targetA?.stop(), targetB?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('job.update to a new target: the new target gets the whole mailbox', async () => {
    const { job } = await c.request('job.create', { name: 'move target', source: { protocol: 'imap', ...plain(source.imapPort) }, target: plain(targetA.imapPort), incremental: { intervalMinutes: 60, windowDays: 30 } });
    const res = await c.request('accounts.import', { jobId: job.id, mode: 'admin-with-passwords', csvBase64: csv(['source,target,source_password,target_password', `${srcU.user},${tgtU.user},${srcU.password},${tgtU.password}`]) });
    const id = res.accounts[0]!.id;
    await status(id, (a) => a.status === 'syncing' && a.phase === null);
    expect(await readFolder(targetA, tgtU, 'INBOX')).toHaveLength(5);
    // The new mailbox is on another server: the job is pointed at it, the target password entered again.
    await c.request('job.update', { jobId: job.id, patch: { target: plain(targetB.imapPort) } });
    await status(id, (a) => a.status === 'password_needed');
    const since = Date.now();
    await c.request('account.credentials', { accountId: id, targetPassword: tgtU.password, targetServer: { protocol: 'imap', ...plain(targetB.imapPort) } });
    const after = await status(id, (a) => a.status === 'syncing' && a.phase === null && a.lastSyncAt !== null && Date.parse(a.lastSyncAt) >= since);
    const onB = await readFolder(targetB, tgtU, 'INBOX');
    expect({ status: after.status, onB: onB.length }).toEqual({ status: 'syncing', onB: 5 });
  });

  it('a closed account imported again towards another target mailbox: that mailbox gets the whole mailbox', async () => {
    const { job } = await c.request('job.create', { name: 'other mailbox', source: { protocol: 'imap', ...plain(source.imapPort) }, target: plain(targetA.imapPort), incremental: { intervalMinutes: 60, windowDays: 30 } });
    const header = 'source,target,source_password,target_password';
    const first = await c.request('accounts.import', { jobId: job.id, mode: 'admin-with-passwords', csvBase64: csv([header, `${srcU.user},${tgtU.user},${srcU.password},${tgtU.password}`]) });
    const id = first.accounts[0]!.id;
    await status(id, (a) => a.status === 'syncing' && a.phase === null);
    await c.request('account.stop', { accountIds: [id] });
    await status(id, (a) => a.status === 'closed');
    // The person's new mailbox is another one: the row is imported again with it.
    await c.request('accounts.import', { jobId: job.id, mode: 'admin-with-passwords', csvBase64: csv([header, `${srcU.user},${otherU.user},${srcU.password},${otherU.password}`]) });
    const after = await status(id, (a) => a.status === 'syncing' && a.phase === null && a.target === otherU.user);
    const onOther = await readFolder(targetA, otherU, 'INBOX');
    expect({ status: after.status, copied: onOther.length }).toEqual({ status: 'syncing', copied: 5 });
  });
});
