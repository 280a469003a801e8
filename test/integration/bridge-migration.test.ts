/**
 * The bridge end to end, driven like the extension drives it: a real WebSocket
 * client pairs, tests the old server with one verification account, creates a job
 * between two Dovecots, imports three accounts (one with a wrong password), watches
 * statuses and progress arrive, stops the bridge (SIGTERM) in the middle of a
 * mailbox, starts it again and sees it finish by itself with every message copied
 * exactly once, exports the report (CSV-injection safe), closes accounts and the
 * job (passwords deleted), and finds no password in the logs or the state files.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/protocol/account';
import type { EventData } from '../../shared/protocol/events';
import { getFreePort } from '../harness/free-port';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { BridgeClient, EXT_ORIGIN, httpRequest, pair, spawnBridge, type BridgeProcess } from '../support/bridge-client';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

const PW = {
  aliceSrc: 'Src-Alice-Pw-7731',
  bobSrc: 'Src-Bob-Pw-8842',
  carolSrc: 'Src-Carol-Pw-9953',
  carolWrong: 'Wrong-Carol-Pw-1064',
  aliceTgt: 'Tgt-Alice-Pw-2175',
  bobTgt: 'Tgt-Bob-Pw-3286',
  carolTgt: 'Tgt-Carol-Pw-4397',
};
const ALL_SECRETS = Object.values(PW);

const src = {
  alice: { user: 'alice@old.example.com', password: PW.aliceSrc },
  bob: { user: 'bob@old.example.com', password: PW.bobSrc },
  carol: { user: 'carol@old.example.com', password: PW.carolSrc },
};
const tgt = {
  alice: { user: 'alice@new.example.com', password: PW.aliceTgt },
  bob: { user: 'bob@new.example.com', password: PW.bobTgt },
  carol: { user: 'carol@new.example.com', password: PW.carolTgt },
};

/** Adds latency to every read on the way to the source, so a mailbox takes seconds, not milliseconds. */
async function latencyProxy(targetPort: number, delayMs: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const pipe = (from: Socket, to: Socket) => from.on('data', (d) => setTimeout(() => to.writable && to.write(d), delayMs));
    pipe(client, upstream);
    pipe(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise((r) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => r());
    }),
  };
}

const csv = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8').toString('base64');

describe('bridge: a migration driven over the WebSocket', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let proxy: Awaited<ReturnType<typeof latencyProxy>>;
  let stateDir: string;
  let port: number;
  let bridge: BridgeProcess;
  let token: string;
  let client: BridgeClient;
  let jobId: string;
  const ids: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
  const outputs: string[] = [];

  const statusOf = (c: BridgeClient, accountId: string, pred: (a: AccountView) => boolean, timeoutMs = 120_000) =>
    c.waitForEvent('account.status', (d) => d.account.id === accountId && pred(d.account), timeoutMs).then((d) => d.account);

  const stopBridge = async (b: BridgeProcess) => {
    b.child.kill('SIGTERM');
    const exit = await b.exited;
    outputs.push(b.stdout(), b.stderr());
    return exit;
  };

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'bridge-src', users: Object.values(src), specialUse: false }),
      startDovecot({ name: 'bridge-tgt', users: Object.values(tgt) }),
    ]);
    await Promise.all([
      seedFolder(source, src.alice, 'INBOX', bulkMessages(500, 11, { prefix: 'a' })),
      seedFolder(source, src.alice, 'Projects/2024', bulkMessages(40, 12, { prefix: 'ap' })),
      seedFolder(source, src.bob, 'INBOX', bulkMessages(25, 13, { prefix: 'b' })),
      seedFolder(source, src.carol, 'INBOX', bulkMessages(5, 14, { prefix: 'c' })),
    ]);
    proxy = await latencyProxy(source.imapPort, 8);
    stateDir = mkdtempSync(join(tmpdir(), 'mailmover-bridge-mig-'));
    port = await getFreePort();
    bridge = await spawnBridge({
      port,
      stateDir,
      args: ['--max-accounts', '3', '--host-connections', '4'],
      env: { MAILMOVER_RETRY_BASE_MS: '200', MAILMOVER_ENGINE_RETRY_BASE_MS: '50' },
    });
    port = bridge.port;
  });

  afterAll(async () => {
    client?.close();
    if (bridge && bridge.child.exitCode === null && bridge.child.signalCode === null) await stopBridge(bridge);
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('prints its address, a pairing code and the state dir, and pairs with the code', async () => {
    expect(bridge.stdout()).toContain(`http://127.0.0.1:${port}`);
    expect(bridge.stdout()).toContain(`State dir: ${stateDir}`);
    ({ token } = await pair(port, bridge.pairingCode));
    client = await BridgeClient.connect(port, token);
    const snap = await client.request('subscribe', { logs: true });
    expect(snap).toEqual({ jobs: [], accounts: [] });
  });

  it('verifies the old server with one account (原邮箱系统验证), with the remedy on failure', async () => {
    const server = { host: '127.0.0.1', port: proxy.port, security: 'plain' as const, allowPlaintext: true };
    const ok = await client.request('endpoint.test', { server, user: src.alice.user, password: PW.aliceSrc });
    expect(ok).toMatchObject({ ok: true, error: null });
    expect(ok.folders).toBeGreaterThanOrEqual(2);
    const bad = await client.request('endpoint.test', { server, user: src.alice.user, password: 'not-it' });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatchObject({ code: 'AUTH_FAILED', transient: false, remedy: { zh: expect.stringContaining('授权码') } });
    const closed = await client.request('endpoint.test', { server: { ...server, port: 1 }, user: src.alice.user, password: 'x' });
    expect(closed.error?.code).toBe('CONNECT_FAILED');
  });

  it('a test of the new server (side target) that fails is about the new mailbox, in its message and remedy', async () => {
    const server = { host: '127.0.0.1', port: target.imapPort, security: 'plain' as const, allowPlaintext: true };
    const bad = await client.request('endpoint.test', { server, user: tgt.alice.user, password: 'not-it', side: 'target' });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatchObject({ code: 'AUTH_FAILED', side: 'target' });
    expect(bad.error?.message).toMatch(/target/);
    expect(bad.error?.message).not.toMatch(/source/);
    // What to do before leaving the old provider is not a checklist for the new mailbox.
    expect(bad.report?.checklist).toEqual([]);
    expect(JSON.stringify(bad.report?.error?.hints ?? [])).not.toMatch(/old mailbox|原邮箱/);
  });

  it('creates a job and imports three accounts; the wrong password fails without retries', async () => {
    const { job } = await client.request('job.create', {
      name: '搬家 test',
      source: { protocol: 'imap', host: '127.0.0.1', port: proxy.port, security: 'plain', allowPlaintext: true },
      target: { host: '127.0.0.1', port: target.imapPort, security: 'plain', allowPlaintext: true },
      storage: 'mapped',
      concurrency: 2,
      batchMessages: 10,
      incremental: { intervalMinutes: 60, windowDays: 30 },
    });
    jobId = job.id;
    expect(job).toMatchObject({ status: 'active', sourceLogin: { kind: 'per-account' } });
    await client.waitForEvent('job.status', (d) => d.job.id === jobId);

    const res = await client.request('accounts.import', {
      jobId,
      mode: 'admin-with-passwords',
      csvBase64: csv([
        '待搬家账号,搬家账号,待搬家账号密码,搬家账号密码',
        `${src.alice.user},${tgt.alice.user},${PW.aliceSrc},${PW.aliceTgt}`,
        `${src.bob.user},${tgt.bob.user},${PW.bobSrc},${PW.bobTgt}`,
        `${src.carol.user},${tgt.carol.user},${PW.carolWrong},${PW.carolTgt}`,
      ]),
    });
    expect(res).toMatchObject({ imported: 3, updated: 0, errors: [] });
    for (const a of res.accounts) {
      ids[a.source.split('@')[0] as keyof typeof ids] = a.id;
      expect(a).toMatchObject({ status: 'in_progress', phase: 'queued', hasSourcePassword: true, hasTargetPassword: true });
      expect(JSON.stringify(a)).not.toMatch(/Pw-\d{4}/);
    }

    const carol = await statusOf(client, ids.carol, (a) => a.status === 'failed');
    expect(carol.error).toMatchObject({ code: 'AUTH_FAILED', transient: false, remedy: { en: expect.stringContaining('password') } });
    expect(carol.nextRunAt).toBeNull();

    const bob = await statusOf(client, ids.bob, (a) => a.status === 'syncing');
    expect(bob).toMatchObject({ error: null, counters: { messagesTotal: 25, messagesCopied: 25 } });
    expect(bob.firstPassDoneAt).not.toBeNull();
    expect(bob.nextRunAt).not.toBeNull();
  });

  it('streams progress at a bounded rate, and a SIGTERM mid-mailbox stops cleanly', async () => {
    await client.waitForEvent('account.progress', (d) => d.accountId === ids.alice && d.phase === 'copying' && d.messagesCopied >= 20);
    const exit = await stopBridge(bridge);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(bridge.stdout()).toContain('Bridge stopped.');
    expect((await client.closed).code).toBe(1001);

    const progress = client.events.filter((e) => e.event === 'account.progress').map((e) => ({ ...(e.data as EventData<'account.progress'>), at: e.at }));
    const alice = progress.filter((p) => p.accountId === ids.alice);
    expect(alice.length).toBeGreaterThan(1);
    for (let i = 1; i < alice.length; i++) {
      // Same phase: at most one event every 500 ms (a little slack for the client's own clock).
      if (alice[i]!.phase === alice[i - 1]!.phase) expect(alice[i]!.at - alice[i - 1]!.at).toBeGreaterThanOrEqual(400);
    }
    expect(alice.at(-1)!.folders.length).toBeGreaterThanOrEqual(1);
    expect(client.events.some((e) => e.event === 'log')).toBe(true);

    // Stopped in the middle: some of alice's mail is there, not all of it.
    const copied = (await readFolder(target, tgt.alice, 'INBOX')).length;
    expect(copied).toBeGreaterThan(0);
    expect(copied).toBeLessThan(500);
  });

  it('carries on by itself after a restart and copies every message exactly once', async () => {
    bridge = await spawnBridge({ port, stateDir, env: { MAILMOVER_RETRY_BASE_MS: '200', MAILMOVER_ENGINE_RETRY_BASE_MS: '50' } });
    port = bridge.port;
    client = await BridgeClient.connect(port, token); // the token survived the restart
    const snap = await client.request('subscribe', { jobId });
    const byId = new Map(snap.accounts.map((a) => [a.id, a]));
    expect(byId.get(ids.alice)?.status).toBe('in_progress');
    expect(byId.get(ids.carol)?.status).toBe('failed');

    const alice = byId.get(ids.alice)!.status === 'syncing' ? byId.get(ids.alice)! : await statusOf(client, ids.alice, (a) => a.status === 'syncing');
    expect(alice.error).toBeNull();
    for (const [s, t] of [
      ['INBOX', 'INBOX'],
      ['Projects/2024', 'Projects/2024'],
    ]) {
      const expected = identities(await readFolder(source, src.alice, s!));
      expect(identities(await readFolder(target, tgt.alice, t!)), s).toEqual(expected);
    }
    expect(identities(await readFolder(target, tgt.bob, 'INBOX'))).toEqual(identities(await readFolder(source, src.bob, 'INBOX')));
    // The wrong password was not retried on its own (a person has to change it).
    const carol = (await client.request('account.list', { jobId, statuses: ['failed'] })).accounts;
    expect(carol.map((a) => a.id)).toEqual([ids.carol]);
    expect(carol[0]!.attempts).toBe(1);
  });

  it('exports the report as CSV, with formula-like cells escaped, over the socket and over HTTP', async () => {
    // A second import appends (self-service invitations), one with an address a spreadsheet would run.
    const more = await client.request('accounts.import', {
      jobId,
      mode: 'self-service',
      csvBase64: csv(['source,target', '=1+2@evil.example,=1+2@new.example.com', '-3+4@old.example.com,+5@new.example.com']),
    });
    expect(more).toMatchObject({ imported: 2, errors: [] });
    expect(more.accounts.every((a) => a.status === 'not_started')).toBe(true);

    const report = await client.request('report.export', { jobId });
    expect(report.filename).toMatch(/\.csv$/);
    const rows = report.csv.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(rows[0]).toMatch(/^source,target,mode,status,status_zh,/);
    expect(rows).toHaveLength(6);
    const row = (addr: string) => rows.find((r) => r.startsWith(addr))!;
    expect(row(src.alice.user)).toContain(',syncing,同步新邮件中,');
    expect(row(src.carol.user)).toContain('AUTH_FAILED');
    expect(report.csv).toContain(`'=1+2@evil.example,'=1+2@new.example.com,self-service,not_started,未开始`);
    expect(report.csv).toContain(`'-3+4@old.example.com,'+5@new.example.com`);
    expect(report.csv).not.toMatch(/(^|,)[=+\-@]/m);

    const http = await httpRequest(port, 'GET', report.path, { Origin: EXT_ORIGIN, Authorization: `Bearer ${token}` });
    expect(http.status).toBe(200);
    expect(http.headers['content-type']).toMatch(/text\/csv/);
    expect(http.headers['content-disposition']).toMatch(/attachment/);
    expect(http.body.split('\r\n').length).toBe(report.csv.split('\r\n').length);
  });

  it('deletes stored passwords when an account, then the job, is closed', async () => {
    const stop = await client.request('account.stop', { accountIds: [ids.bob] });
    expect(stop.results).toEqual([{ accountId: ids.bob, ok: true, status: 'closed' }]);
    const bob = (await client.request('account.list', { jobId, search: 'bob@' })).accounts[0]!;
    expect(bob).toMatchObject({ status: 'closed', hasSourcePassword: false, hasTargetPassword: false });

    const { job } = await client.request('job.close', { jobId });
    expect(job.status).toBe('closed');
    expect(Object.entries(job.counts).filter(([s, n]) => s !== 'closed' && n > 0)).toEqual([]);
    const db = new Database(join(stateDir, 'mailmover.sqlite'), { readonly: true });
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM svc_credentials').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });

  it('never writes a password in clear: not in the logs, the output, or the state files', async () => {
    client.close();
    const exit = await stopBridge(bridge);
    expect(exit.code).toBe(0);
    const logDir = join(stateDir, 'logs');
    const files = [...readdirSync(stateDir).filter((f) => f.startsWith('mailmover.sqlite')).map((f) => join(stateDir, f)), ...readdirSync(logDir).map((f) => join(logDir, f))];
    expect(files.some((f) => f.endsWith('bridge.log'))).toBe(true);
    const haystacks = [...files.map((f) => readFileSync(f)), ...outputs.map((o) => Buffer.from(o))];
    for (const secret of ALL_SECRETS) {
      for (const h of haystacks) expect(h.includes(Buffer.from(secret)), secret).toBe(false);
    }
    const log = readFileSync(join(logDir, 'bridge.log'), 'utf8');
    expect(log).toContain('"accountId"');
    expect(log).toMatch(/first pass of alice@old\.example\.com/);
    expect(statSync(join(stateDir, 'credentials.key')).mode & 0o777).toBe(0o600);
  });
});
