/**
 * Issue 12 #1: a paired client must not be able to make the bridge send stored passwords to a
 * server of its choosing. The attack: re-point a job's source (server.change) or target
 * (job.update) at a loopback "IMAP server" that only records what it receives, lower the
 * security to plaintext, then account.start / account.retry. A stored password is bound to the
 * server it was entered for, so the recorder must receive no secret in any form, and the
 * accounts must wait in password_needed until someone enters the password again, which then
 * works, as does a move that brings fresh credentials in the same request.
 * Real Dovecot servers are the legitimate source and target; the bridge runs in-process.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/server/bridge';
import type { AccountView } from '../../shared/protocol/account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { seedFolder } from '../harness/mailbox';
import type { BridgeClient } from '../support/bridge-client';
import { startPairedBridge } from '../support/paired-bridge';
import { bulkMessages } from '../support/corpus';

const alice = { user: 'alice@corp.example.com', password: 'Alice-Src-Pw-7q' };
const bob = { user: 'bob@corp.example.com', password: 'Bob-Src-Pw-3k' };
const admin = { user: 'admin', password: 'Tgt-Admin-Pw-9z' };
const SECRETS = [alice.password, bob.password, admin.password];

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');

/**
 * The attacker's IMAP server: greets, offers LOGIN and AUTH=PLAIN, answers every command,
 * refuses every login, and keeps every byte it is sent.
 */
async function startRecorder(): Promise<{ port: number; bytes: () => string; connections: () => number; close: () => Promise<void> }> {
  let received = '';
  let connections = 0;
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    connections++;
    sockets.push(s);
    s.on('error', () => undefined);
    let buf = '';
    let authTag: string | null = null;
    s.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] ready\r\n');
    s.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (authTag) {
          s.write(`${authTag} NO [AUTHENTICATIONFAILED] nope\r\n`);
          authTag = null;
          continue;
        }
        const [tag = '*', cmd = ''] = line.split(' ');
        const verb = cmd.toUpperCase();
        if (verb === 'AUTHENTICATE') {
          if (line.split(' ').length > 3) s.write(`${tag} NO [AUTHENTICATIONFAILED] nope\r\n`);
          else {
            authTag = tag;
            s.write('+ \r\n');
          }
        } else if (verb === 'LOGIN') s.write(`${tag} NO [AUTHENTICATIONFAILED] nope\r\n`);
        else if (verb === 'CAPABILITY') s.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\r\n${tag} OK done\r\n`);
        else if (verb === 'LOGOUT') s.end(`* BYE\r\n${tag} OK bye\r\n`);
        else s.write(`${tag} OK done\r\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    bytes: () => received,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Every secret the recorder could have learnt: as sent, or in any base64 token (AUTHENTICATE PLAIN, LOGIN literals). */
function leaked(recorded: string): string[] {
  const decoded = (recorded.match(/[A-Za-z0-9+/=]{8,}/g) ?? []).map((t) => Buffer.from(t, 'base64').toString('latin1'));
  const haystacks = [recorded, ...decoded];
  return SECRETS.filter((s) => haystacks.some((h) => h.includes(s)) || recorded.includes(Buffer.from(s).toString('base64')));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stored passwords are bound to the server they were entered for', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;

  const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
  const account = async (jobId: string): Promise<AccountView> => (await c.request('account.list', { jobId })).accounts[0]!;
  const waitStatus = (id: string, pred: (a: AccountView) => boolean) => c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), 60_000).then((d) => d.account);

  /** A job whose source logs in per account and whose target logs in as the admin; one account that has finished its first pass and syncs every second. */
  async function syncingJob(name: string, user: { user: string; password: string }): Promise<{ jobId: string; accountId: string }> {
    const { job } = await c.request('job.create', {
      name,
      source: plain(source.imapPort),
      target: plain(target.imapPort),
      targetLogin: { kind: 'admin', adminUser: admin.user, password: admin.password },
      incremental: { intervalMinutes: 1 / 60, windowDays: 1 },
    });
    const imported = await c.request('accounts.import', { jobId: job.id, mode: 'admin-with-passwords', csvBase64: csv(['source,target,source_password', `${user.user},${user.user},${user.password}`]) });
    const id = imported.accounts[0]!.id;
    await waitStatus(id, (a) => a.status === 'syncing');
    return { jobId: job.id, accountId: id };
  }

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'bind-src', users: [alice, bob] }),
      startDovecot({ name: 'bind-tgt', users: [{ user: alice.user, password: 'x-unused-1' }, { user: bob.user, password: 'x-unused-2' }], master: admin }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(3, 31));
    await seedFolder(source, bob, 'INBOX', bulkMessages(2, 32));
    recorder = await startRecorder();
    ({ dir, bridge, c } = await startPairedBridge('mm-bind-'));
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    await recorder?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('server.change to an attacker host in plaintext, then account.start / account.retry: no secret reaches it; the account waits for its password', async () => {
    const { jobId, accountId } = await syncingJob('source-attack', alice);
    await c.request('server.change', { jobId, scope: 'all-accounts', host: '127.0.0.1', port: recorder.port, security: 'plain', allowPlaintext: true });
    const start = await c.request('account.start', { accountIds: [accountId] });
    const retry = await c.request('account.retry', { accountIds: [accountId] });
    // Long enough for several sync intervals and retries of the code before the fix.
    await sleep(4000);
    expect(leaked(recorder.bytes()), `received: ${JSON.stringify(recorder.bytes().slice(0, 400))}`).toEqual([]);
    expect(start.results[0]).toMatchObject({ ok: false, status: 'password_needed' });
    expect(retry.results[0]).toMatchObject({ ok: false });
    const a = await account(jobId);
    expect(a).toMatchObject({ status: 'password_needed', hasSourcePassword: false, error: { code: 'CONFIG_INVALID' } });
    expect(a.error!.message).toMatch(/entered again/);
  });

  it('job.update pointing the target at the attacker: the admin password is not sent; the account waits for it', async () => {
    const { jobId, accountId } = await syncingJob('target-attack', bob);
    const { job } = await c.request('job.update', { jobId, patch: { target: { ...plain(recorder.port), insecureTls: true } } });
    await c.request('account.start', { accountIds: [accountId] });
    await c.request('account.retry', { accountIds: [accountId] });
    await sleep(4000);
    expect(leaked(recorder.bytes()), `received: ${JSON.stringify(recorder.bytes().slice(0, 400))}`).toEqual([]);
    expect(job.targetLogin).toMatchObject({ kind: 'admin', hasPassword: false });
    expect(await account(jobId)).toMatchObject({ status: 'password_needed' });

    // Moving to a host confirmed with fresh credentials in the same request works as before.
    await c.request('job.update', { jobId, patch: { target: plain(target.imapPort), targetLogin: { kind: 'admin', adminUser: admin.user, password: admin.password } } });
    const resumed = await waitStatus(accountId, (a) => a.status === 'syncing' && a.error === null);
    expect(resumed.status).toBe('syncing');
    expect(leaked(recorder.bytes())).toEqual([]);
  });

  it('the password entered again for the current server lets the account carry on', async () => {
    const jobs = (await c.request('job.list', {})).jobs;
    const jobId = jobs.find((j) => j.name === 'source-attack')!.id;
    // Back to the real server: the old password was deleted with the move, so it is still needed.
    await c.request('server.change', { jobId, scope: 'all-accounts', host: '127.0.0.1', port: source.imapPort, security: 'plain', allowPlaintext: true });
    const waiting = await account(jobId);
    expect(waiting).toMatchObject({ status: 'password_needed', hasSourcePassword: false });
    const { account: entered } = await c.request('account.credentials', { accountId: waiting.id, sourcePassword: alice.password, sourceServer: { protocol: 'imap', ...plain(source.imapPort) } });
    expect(entered).toMatchObject({ status: 'in_progress', hasSourcePassword: true });
    const after = await waitStatus(waiting.id, (a) => a.status === 'syncing' && a.error === null);
    expect(after.hasSourcePassword).toBe(true);
    expect(leaked(recorder.bytes())).toEqual([]);
  });
});
