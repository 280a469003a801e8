/**
 * A password is stored only for the server it was typed for. Every request that carries a
 * password for an existing job or account (account.credentials, account.reopen, job.update and
 * job.reopen with an admin login) names the server the form showed; when the job's or account's
 * server was changed meanwhile (another admin screen, another tab), the bridge refuses with
 * SERVER_CHANGED and a remedy in English and Chinese, and stores nothing. The same request with
 * the server of today is stored as before; one without the server is INVALID_PARAMS.
 * Nothing here needs a mail server: the accounts wait for their passwords, and the stored state
 * is read back from the bridge (hasSourcePassword, the job's login view, statuses).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import type { AccountView } from '../../shared/protocol/account';
import { BridgeClient, pair } from '../support/bridge-client';

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');
// Closed loopback ports: nothing is ever reached, and nothing here needs to be.
const serverA = { host: '127.0.0.1', port: 1, security: 'plain' as const, allowPlaintext: true, insecureTls: false };
const serverB = { ...serverA, host: 'localhost', port: 2 };
const targetA = { ...serverA, port: 3 };
const targetB = { ...serverA, port: 4 };
const typed = (s: typeof serverA) => ({ ...s, protocol: 'imap' as const });

describe('a password is stored only for the server it was typed for', () => {
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;

  const refusal = async (p: Promise<unknown>) => {
    const err = (await p.then(
      () => null,
      (e: unknown) => e,
    )) as { error?: { code: string; message: string; remedy?: { en: string; zh: string } } } | null;
    return err?.error ?? null;
  };
  const accountOf = async (jobId: string): Promise<AccountView> => (await c.request('account.list', { jobId })).accounts[0]!;

  /** A job whose one account waits for its passwords (admin-without-passwords: nothing starts). */
  async function waitingJob(name: string): Promise<{ jobId: string; accountId: string }> {
    const { job } = await c.request('job.create', { name, source: serverA, target: targetA, incremental: { intervalMinutes: 0, windowDays: 1 } });
    const imported = await c.request('accounts.import', { jobId: job.id, mode: 'admin-without-passwords', csvBase64: csv(['source,target', 'li@corp.example.com,li@corp.example.com']) });
    expect(imported.errors).toEqual([]);
    return { jobId: job.id, accountId: imported.accounts[0]!.id };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm-typed-for-'));
    bridge = await startBridge({ port: 0, stateDir: dir, stderr: null, retry: { baseMs: 100, maxMs: 400 }, engineRetryBaseMs: 20 });
    const { token } = await pair(bridge.port, bridge.auth.pairing.create().code);
    c = await BridgeClient.connect(bridge.port, token);
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('account.credentials: the source moved while the form was open; nothing is stored, then the password typed for the new server is', async () => {
    const { jobId, accountId } = await waitingJob('credentials');
    const before = await accountOf(jobId);
    // The form shows server A; another tab moves every account to server B.
    await c.request('server.change', { jobId, scope: 'all-accounts', host: serverB.host, port: serverB.port });
    const err = await refusal(c.request('account.credentials', { accountId, sourcePassword: 'Typed-For-A-1', targetPassword: 'Tgt-Pw-1', sourceServer: typed(serverA), targetServer: typed(targetA) }));
    expect(err).toMatchObject({ code: 'SERVER_CHANGED' });
    expect(err!.message).toMatch(/127\.0\.0\.1:1\b.*localhost:2\b/);
    expect(err!.remedy!.en).toMatch(/changed while you typed.*localhost:2/);
    expect(err!.remedy!.zh).toMatch(/服务器设置已被更改.*localhost:2/);
    expect(JSON.stringify(err)).not.toContain('Typed-For-A-1');
    const after = await accountOf(jobId);
    expect(after).toMatchObject({ status: before.status, hasSourcePassword: false, hasTargetPassword: false });

    // Without the server it was typed for, the request is malformed.
    expect(await refusal(c.request('account.credentials', { accountId, sourcePassword: 'Pw-no-server' }))).toMatchObject({ code: 'INVALID_PARAMS' });

    // Another setting of the binding (the certificate policy) counts as well.
    expect(await refusal(c.request('account.credentials', { accountId, sourcePassword: 'Pw-1', sourceServer: { ...typed(serverB), insecureTls: true } }))).toMatchObject({ code: 'SERVER_CHANGED' });
    expect(await refusal(c.request('account.credentials', { accountId, sourcePassword: 'Pw-1', sourceServer: { ...typed(serverB), protocol: 'pop3' } }))).toMatchObject({ code: 'SERVER_CHANGED' });

    const { account } = await c.request('account.credentials', { accountId, sourcePassword: 'Typed-For-B-2', sourceServer: { ...typed(serverB), host: 'LOCALHOST' } });
    expect(account).toMatchObject({ hasSourcePassword: true, hasTargetPassword: false });
  });

  it('account.credentials: an account that kept its server (new-accounts change) is compared with its own server', async () => {
    const { jobId, accountId } = await waitingJob('kept');
    await c.request('account.credentials', { accountId, sourcePassword: 'Src-1', targetPassword: 'Tgt-1', sourceServer: typed(serverA), targetServer: typed(targetA) });
    await c.request('server.change', { jobId, scope: 'new-accounts', host: serverB.host, port: serverB.port });
    const kept = await accountOf(jobId);
    expect(kept.sourceServer).toMatchObject({ host: serverA.host, port: serverA.port });
    expect(await refusal(c.request('account.credentials', { accountId, sourcePassword: 'Src-2', sourceServer: typed(serverB) }))).toMatchObject({ code: 'SERVER_CHANGED' });
    await expect(c.request('account.credentials', { accountId, sourcePassword: 'Src-2', sourceServer: typed(serverA) })).resolves.toMatchObject({ account: { hasSourcePassword: true } });
  });

  it("job.update: the target admin password typed for the old target is not stored for the new one", async () => {
    const { jobId } = await waitingJob('admin-target');
    await c.request('job.update', { jobId, patch: { target: targetB } });
    const admin = { kind: 'admin' as const, adminUser: 'postmaster', password: 'Admin-For-A-3' };
    const err = await refusal(c.request('job.update', { jobId, patch: { targetLogin: admin }, targetServer: typed(targetA) }));
    expect(err).toMatchObject({ code: 'SERVER_CHANGED', remedy: { zh: expect.stringMatching(/新邮箱服务器/) } });
    const { jobs } = await c.request('job.list', {});
    expect(jobs.find((j) => j.id === jobId)!.targetLogin).toEqual({ kind: 'per-account' });
    expect(await refusal(c.request('job.update', { jobId, patch: { targetLogin: admin } }))).toMatchObject({ code: 'INVALID_PARAMS' });

    // The server of today, or a target in the same patch, is stored as before.
    const { job } = await c.request('job.update', { jobId, patch: { targetLogin: admin }, targetServer: typed(targetB) });
    expect(job.targetLogin).toMatchObject({ kind: 'admin', hasPassword: true });
    const moved = await c.request('job.update', { jobId, patch: { target: targetA, targetLogin: admin } });
    expect(moved.job).toMatchObject({ target: { port: targetA.port }, targetLogin: { kind: 'admin', hasPassword: true } });
  });

  it('job.update: the source admin password is compared with the job’s source', async () => {
    const { jobId } = await waitingJob('admin-source');
    await c.request('server.change', { jobId, scope: 'all-accounts', host: serverB.host, port: serverB.port });
    const admin = { kind: 'admin' as const, adminUser: 'postmaster', password: 'Src-Admin-4' };
    expect(await refusal(c.request('job.update', { jobId, patch: { sourceLogin: admin }, sourceServer: typed(serverA) }))).toMatchObject({ code: 'SERVER_CHANGED' });
    expect((await c.request('job.list', {})).jobs.find((j) => j.id === jobId)!.sourceLogin).toEqual({ kind: 'per-account' });
    await expect(c.request('job.update', { jobId, patch: { sourceLogin: admin }, sourceServer: typed(serverB) })).resolves.toMatchObject({ job: { sourceLogin: { kind: 'admin', hasPassword: true } } });
  });

  it('account.reopen and job.reopen: passwords for another server reopen nothing and store nothing', async () => {
    const { jobId, accountId } = await waitingJob('reopen');
    await c.request('account.credentials', { accountId, sourcePassword: 'Src-5', targetPassword: 'Tgt-5', sourceServer: typed(serverA), targetServer: typed(targetA) });
    await c.request('account.stop', { accountIds: [accountId] });
    expect(await accountOf(jobId)).toMatchObject({ status: 'closed', hasSourcePassword: false });
    await c.request('server.change', { jobId, scope: 'all-accounts', host: serverB.host, port: serverB.port });

    const err = await refusal(c.request('account.reopen', { accountIds: [accountId], sourcePassword: 'Src-6', targetPassword: 'Tgt-6', sourceServer: typed(serverA), targetServer: typed(targetA) }));
    expect(err).toMatchObject({ code: 'SERVER_CHANGED' });
    expect(await accountOf(jobId)).toMatchObject({ status: 'closed', hasSourcePassword: false, hasTargetPassword: false });
    expect(await refusal(c.request('account.reopen', { accountIds: [accountId], sourcePassword: 'Src-6' }))).toMatchObject({ code: 'INVALID_PARAMS' });

    await c.request('job.close', { jobId });
    const admin = { kind: 'admin' as const, adminUser: 'postmaster', password: 'Src-Admin-7' };
    expect(await refusal(c.request('job.reopen', { jobId, sourceLogin: admin, sourceServer: typed(serverA) }))).toMatchObject({ code: 'SERVER_CHANGED' });
    const { jobs } = await c.request('job.list', {});
    expect(jobs.find((j) => j.id === jobId)).toMatchObject({ status: 'closed', sourceLogin: { kind: 'per-account' } });

    const reopened = await c.request('job.reopen', { jobId, sourceLogin: admin, sourceServer: typed(serverB) });
    expect(reopened.job).toMatchObject({ status: 'active', sourceLogin: { kind: 'admin', hasPassword: true } });
  });
});
