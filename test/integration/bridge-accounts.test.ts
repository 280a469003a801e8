/**
 * The account model over the WebSocket, bridge in-process: the modes
 * without passwords (未开启搬家 until the employee gives the old password) and
 * self-service (未开始 until the employee starts it, possibly from another old
 * address), a source server that is wrong at first and changed for new accounts
 * or for all (修改服务器地址和端口), pause and start, and retry after a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import type { AccountView } from '../../shared/protocol/account';
import { getFreePort } from '../harness/free-port';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { BridgeClient, pair } from '../support/bridge-client';
import { bulkMessages } from '../support/corpus';

const users = {
  dave: { user: 'dave@corp.example.com', password: 'Dave-Old-Pw-1' },
  erin: { user: 'erin@corp.example.com', password: 'Erin-Old-Pw-2' },
  erinOld: { user: 'erin.old@corp.example.com', password: 'Erin-Old-Pw-3' },
};
const admin = { user: 'admin', password: 'Target-Admin-Pw-4' };

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');
/** The job's source as the forms show it: what a password is typed for. */
const sourceAt = (port: number) => ({ protocol: 'imap' as const, host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });

describe('bridge accounts: modes, employee credentials, server change', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;
  let jobId: string;
  let deadPort: number;

  const status = (id: string, pred: (a: AccountView) => boolean) => c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), 60_000).then((d) => d.account);

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'acc-src', users: [users.dave, users.erinOld] }),
      startDovecot({ name: 'acc-tgt', users: [{ user: users.dave.user, password: 'x-unused-1' }, { user: users.erin.user, password: 'x-unused-2' }], master: admin }),
    ]);
    await seedFolder(source, users.dave, 'INBOX', bulkMessages(12, 21));
    await seedFolder(source, users.erinOld, 'INBOX', bulkMessages(7, 22));
    dir = mkdtempSync(join(tmpdir(), 'mailmover-bridge-acc-'));
    bridge = await startBridge({ port: 0, stateDir: dir, stderr: null, retry: { baseMs: 100, maxMs: 400 }, engineRetryBaseMs: 20 });
    const { token } = await pair(bridge.port, bridge.auth.pairing.create().code);
    c = await BridgeClient.connect(bridge.port, token);
    await c.request('subscribe', {});
    deadPort = await getFreePort();
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a job whose target logs in as an admin, with a source address that is wrong', async () => {
    const { job } = await c.request('job.create', {
      name: 'modes',
      source: { host: '127.0.0.1', port: deadPort, security: 'plain', allowPlaintext: true },
      target: { host: '127.0.0.1', port: target.imapPort, security: 'plain', allowPlaintext: true },
      targetLogin: { kind: 'admin', adminUser: admin.user, password: admin.password },
      incremental: { intervalMinutes: 0, windowDays: 30 },
    });
    jobId = job.id;
    expect(job.targetLogin).toEqual({ kind: 'admin', adminUser: 'admin', form: 'authzid', hasPassword: true });
    expect(JSON.stringify(job)).not.toContain(admin.password);
  });

  it('imports accounts without passwords (未开启搬家) and for self-service (未开始); bad rows import nothing', async () => {
    const bad = await c.request('accounts.import', { jobId, mode: 'admin-without-passwords', csvBase64: csv(['source,target', `${users.dave.user},someone.else@corp.example.com`]) });
    expect(bad.imported).toBe(0);
    expect(bad.errors[0]!.line).toBe(2);
    const a = await c.request('accounts.import', { jobId, mode: 'admin-without-passwords', csvBase64: csv(['source,target', `${users.dave.user},${users.dave.user}`]) });
    expect(a.accounts[0]).toMatchObject({ status: 'not_enabled', hasSourcePassword: false });
    const b = await c.request('accounts.import', { jobId, mode: 'self-service', csvBase64: csv(['source,target', `${users.erin.user},${users.erin.user}`]) });
    expect(b.accounts[0]).toMatchObject({ status: 'not_started' });
    const start = await c.request('account.start', { accountIds: [a.accounts[0]!.id] });
    expect(start.results[0]).toMatchObject({ ok: false, reason: expect.stringContaining('source password') });
  });

  it('an employee gives the old password; a dead server is retried with back-off, then fixed for all accounts', async () => {
    const dave = (await c.request('account.list', { jobId, search: 'dave' })).accounts[0]!;
    const { account } = await c.request('account.credentials', { jobId, target: users.dave.user, sourcePassword: users.dave.password, sourceServer: sourceAt(deadPort) });
    expect(account).toMatchObject({ id: dave.id, status: 'in_progress', hasSourcePassword: true });
    const waiting = await status(dave.id, (x) => x.phase === 'waiting-retry');
    expect(waiting.error).toMatchObject({ code: 'CONNECT_FAILED', transient: true });
    expect(waiting.nextRunAt).not.toBeNull();

    const changed = await c.request('server.change', { jobId, scope: 'all-accounts', port: source.imapPort });
    expect(changed.job.source.port).toBe(source.imapPort);
    // The password was given for the old port: it is not used with the new one, and is asked again.
    expect((await c.request('account.list', { jobId, search: 'dave' })).accounts[0]).toMatchObject({ status: 'password_needed', hasSourcePassword: false });
    await c.request('account.credentials', { accountId: dave.id, sourcePassword: users.dave.password, sourceServer: sourceAt(source.imapPort) });
    const done = await status(dave.id, (x) => x.status === 'first_pass_done');
    expect(done).toMatchObject({ error: null, counters: { messagesCopied: 12 } });
    expect(await readFolder(target, { user: users.dave.user, password: 'x-unused-1' }, 'INBOX')).toHaveLength(12);
  });

  it('a "new accounts" change pins accounts already started to the old server', async () => {
    const r = await c.request('server.change', { jobId, scope: 'new-accounts', port: deadPort });
    expect(r.accountsChanged).toBe(1); // erin has not started
    const list = (await c.request('account.list', { jobId })).accounts;
    const dave = list.find((a) => a.source === users.dave.user)!;
    expect(dave.sourceServer?.port).toBe(source.imapPort);
    expect(list.find((a) => a.target === users.erin.user)!.sourceServer).toBeNull();
    await c.request('server.change', { jobId, scope: 'new-accounts', port: source.imapPort });
  });

  it('self-service from another old address; pause and start again; retry after a wrong password', async () => {
    const erin = (await c.request('account.list', { jobId, search: 'erin' })).accounts[0]!;
    await c.request('account.credentials', { accountId: erin.id, sourceUser: users.erinOld.user, sourcePassword: 'wrong-password', sourceServer: sourceAt(source.imapPort) });
    const failed = await status(erin.id, (x) => x.status === 'failed');
    expect(failed).toMatchObject({ source: users.erinOld.user, error: { code: 'AUTH_FAILED' } });

    expect((await c.request('account.pause', { accountIds: [erin.id] })).results[0]).toMatchObject({ ok: true, status: 'paused' });
    // The right password: a paused account stays paused until started.
    const { account } = await c.request('account.credentials', { accountId: erin.id, sourcePassword: users.erinOld.password, sourceServer: sourceAt(source.imapPort) });
    expect(account.status).toBe('paused');
    expect((await c.request('account.start', { jobId, statuses: ['paused'] })).results[0]).toMatchObject({ ok: true, status: 'in_progress' });
    const done = await status(erin.id, (x) => x.status === 'first_pass_done');
    expect(done.counters.messagesCopied).toBe(7);
    expect((await c.request('account.retry', { accountIds: [erin.id] })).results[0]).toMatchObject({ ok: false });
  });

  it('job.createWithAccounts: a bad row in any file creates no job at all; good files create the job with its accounts', async () => {
    const spec = {
      name: 'atomic',
      source: { host: '127.0.0.1', port: deadPort, security: 'plain' as const, allowPlaintext: true },
      target: { host: '127.0.0.1', port: target.imapPort, security: 'plain' as const, allowPlaintext: true },
      targetLogin: { kind: 'admin' as const, adminUser: admin.user, password: admin.password },
    };
    const good = { mode: 'admin-without-passwords' as const, csvBase64: csv(['source,target', 'frank@corp.example.com,frank@corp.example.com']) };
    const bad = { mode: 'admin-without-passwords' as const, csvBase64: csv(['source,target', 'gina@corp.example.com,someone.else@corp.example.com']) };
    const before = (await c.request('job.list', {})).jobs.map((j) => j.id);

    const refused = await c.request('job.createWithAccounts', { ...spec, accounts: [good, bad] });
    expect(refused.job).toBeNull();
    expect(refused.imports[1]!.errors[0]!.line).toBe(2);
    expect(refused.imports[0]).toMatchObject({ imported: 0, errors: [] });
    expect((await c.request('job.list', {})).jobs.map((j) => j.id)).toEqual(before);

    const created = await c.request('job.createWithAccounts', { ...spec, accounts: [good] });
    expect(created.job).toMatchObject({ name: 'atomic', targetLogin: { kind: 'admin', hasPassword: true } });
    expect(created.imports[0]).toMatchObject({ imported: 1, errors: [] });
    expect(created.imports[0]!.accounts[0]).toMatchObject({ source: 'frank@corp.example.com', status: 'not_enabled' });
    expect((await c.request('job.list', {})).jobs.map((j) => j.id).sort()).toEqual([...before, created.job!.id].sort());
  });

  it('job pause keeps accounts queued, job close closes them all', async () => {
    const { job } = await c.request('job.pause', { jobId });
    expect(job.status).toBe('paused');
    await expect(c.request('job.update', { jobId, patch: { name: 'renamed' } })).resolves.toMatchObject({ job: { name: 'renamed' } });
    expect((await c.request('job.resume', { jobId })).job.status).toBe('active');
    const closed = await c.request('job.close', { jobId });
    expect(closed.job.counts.closed).toBe(2);
    expect(closed.job.targetLogin).toMatchObject({ hasPassword: false });
    await expect(c.request('accounts.import', { jobId, mode: 'self-service', csvBase64: csv(['source,target', 'x@y.cn,x@y.cn']) })).rejects.toMatchObject({ error: { code: 'CONFLICT' } });
  });
});
