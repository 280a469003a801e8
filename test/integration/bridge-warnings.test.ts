/**
 * The warnings of an account's passes reach the admin through the bridge: the account view
 * (WebSocket events and a fresh snapshot), kept in the state store across a restart, and the
 * report CSV. Real servers: a Cyrus target replaces 8-bit header bytes (MESSAGE_CHANGED); a
 * Dovecot target on Maildir++ refuses the folder name "v1.2" (FOLDER_RENAMED). An account
 * imported again towards another mailbox no longer shows the warnings of the old one. A deep
 * verify of the Cyrus copy lists it as rewritten by the target, with what was rewritten.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/protocol/account';
import { getFreePort } from '../harness/free-port';
import { seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer } from '../harness/servers';
import { BridgeClient, pair, spawnBridge, type BridgeProcess } from '../support/bridge-client';
import { bulkMessages, trickyMessages } from '../support/corpus';

const alice = { user: 'alice-bw@old.example.com', password: 'Bw-Src-Alice-4417' };
const carol = { user: 'carol-bw@old.example.com', password: 'Bw-Src-Carol-5528' };
const bob = { user: 'bob-bw@new.example.com', password: 'Bw-Tgt-Bob-6639' };
const dave = { user: 'dave-bw@new.example.com', password: 'Bw-Tgt-Dave-7740' };
const erin = { user: 'erin-bw@new.example.com', password: 'Bw-Tgt-Erin-8851' };
const csv = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8').toString('base64');

describe('bridge: the warnings of the passes reach the account view and the report', () => {
  let source: AnyMailServer;
  let cyrus: AnyMailServer;
  let maildir: AnyMailServer;
  let stateDir: string;
  let port: number;
  let bridge: BridgeProcess;
  let client: BridgeClient;

  const connect = async (paired?: string): Promise<string> => {
    bridge = await spawnBridge({ port, stateDir, env: { MAILMOVER_RETRY_BASE_MS: '200', MAILMOVER_ENGINE_RETRY_BASE_MS: '50' } });
    port = bridge.port;
    const token = paired ?? (await pair(port, bridge.pairingCode)).token;
    client = await BridgeClient.connect(port, token);
    await client.request('subscribe', {});
    return token;
  };
  const stopBridge = async () => {
    client?.close();
    if (bridge && bridge.child.exitCode === null) {
      bridge.child.kill('SIGTERM');
      await bridge.exited;
    }
  };

  beforeAll(async () => {
    [source, cyrus, maildir] = await Promise.all([
      startMailServer('dovecot', { name: 'bw-src', users: [alice, carol] }),
      startMailServer('cyrus', { name: 'bw-cyrus', users: [bob] }),
      // '/' as separator on Maildir++ storage: '.' is Maildir++'s own separator on disk, so CREATE "v1.2" is refused.
      startMailServer('dovecot', { name: 'bw-maildir', users: [dave, erin], dovecot: { extraConfig: 'mail_location = maildir:~/Maildir\n' } }),
    ]);
    const eightBit = trickyMessages().find((m) => m.label === 'raw 8-bit header')!;
    await Promise.all([
      seedFolder(source, alice, 'INBOX', [eightBit, ...bulkMessages(4, 211, { prefix: 'bwa' })]),
      seedFolder(source, carol, 'INBOX', bulkMessages(3, 212, { prefix: 'bwc' })),
    ]);
    await seedFolder(source, carol, 'v1.2', bulkMessages(2, 213, { prefix: 'bwd' }));
    stateDir = mkdtempSync(join(tmpdir(), 'mailmover-bridge-warnings-'));
    port = await getFreePort();
  });

  afterAll(async () => {
    await stopBridge();
    await Promise.allSettled([source?.stop(), cyrus?.stop(), maildir?.stop()]);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('MESSAGE_CHANGED and FOLDER_RENAMED are in the view, kept across a restart, in the CSV, and dropped for another mailbox', async () => {
    const token = await connect();
    const server = (s: AnyMailServer) => ({ host: '127.0.0.1', port: s.imapPort, security: 'plain' as const, allowPlaintext: true });
    const jobOf = async (name: string, target: AnyMailServer) =>
      (
        await client.request('job.create', {
          name,
          source: { protocol: 'imap', ...server(source) },
          target: server(target),
          storage: 'mapped',
          concurrency: 1,
          batchMessages: 50,
          incremental: { intervalMinutes: 0, windowDays: 30 },
        })
      ).job;
    const toCyrus = await jobOf('warnings to cyrus', cyrus);
    const toMaildir = await jobOf('warnings to maildir', maildir);
    const firstPass = (accountId: string) =>
      client.waitForEvent('account.status', (d) => d.account.id === accountId && d.account.status === 'first_pass_done', 120_000).then((d) => d.account as AccountView);

    const a = await client.request('accounts.import', { jobId: toCyrus.id, mode: 'admin-with-passwords', csvBase64: csv(['source,target,source_password,target_password', `${alice.user},${bob.user},${alice.password},${bob.password}`]) });
    const c = await client.request('accounts.import', { jobId: toMaildir.id, mode: 'admin-with-passwords', csvBase64: csv(['source,target,source_password,target_password', `${carol.user},${dave.user},${carol.password},${dave.password}`]) });
    expect([...a.errors, ...c.errors]).toEqual([]);
    const aliceId = a.accounts[0]!.id;
    const carolId = c.accounts[0]!.id;
    // Nothing to warn about before a pass.
    expect(a.accounts[0]!.warnings).toEqual([]);
    const [aliceView, carolView] = await Promise.all([firstPass(aliceId), firstPass(carolId)]);
    const brief = JSON.stringify({ alice: aliceView.warnings, carol: carolView.warnings });

    expect(aliceView.counters.messagesCopied, brief).toBe(5);
    const changed = aliceView.warnings.filter((w) => w.code === 'MESSAGE_CHANGED');
    expect(changed, brief).toHaveLength(1);
    expect(changed[0]!.message).toContain('8-bit header bytes replaced');
    expect(changed[0]).toMatchObject({ passes: 1, latest: true });
    expect(Date.parse(changed[0]!.lastAt)).toBeGreaterThanOrEqual(Date.parse(aliceView.startedAt!));

    const renamed = carolView.warnings.filter((w) => w.code === 'FOLDER_RENAMED');
    expect(renamed, brief).toHaveLength(1);
    expect(renamed[0]!.message).toContain('"v1.2"');
    expect(renamed[0]!.facts).toEqual({ kind: 'folder-renamed', from: 'v1.2', to: 'v1．2' });
    expect(carolView.warnings.map((w) => w.code), brief).not.toContain('MESSAGE_CHANGED');

    // A deep verify lists the copy Cyrus rewrote as such (not a difference), with what it rewrote;
    // asked once the verify that follows the first pass is done (one verify of an account at a time).
    await client.waitForEvent('account.status', (d) => d.account.id === aliceId && d.account.verify?.depth === 'metadata', 120_000);
    const deep = client.waitForEvent('account.status', (d) => d.account.id === aliceId && d.account.verify?.depth === 'deep', 120_000).then((d) => d.account as AccountView);
    const asked = await client.request('account.verify', { accountIds: [aliceId] });
    expect(asked.results.map((r) => r.ok)).toEqual([true]);
    const verified = (await deep).verify!;
    const vbrief = JSON.stringify(verified);
    expect(verified.status, vbrief).toBe('verified');
    // The very copies the pass named: the warning's facts as the drawer reads them.
    const facts = changed[0]!.facts;
    expect(facts?.kind, changed[0]!.message).toBe('message-changed');
    const named = facts?.kind === 'message-changed' ? facts.copies.map((c) => `${c.message.replace(/^UID /, '')}>${c.targetUid}`) : [];
    const inbox = verified.folders.find((f) => f.source === 'INBOX')!;
    expect(inbox.rewritten.map((r) => `${r.uid}>${r.targetUid}`), vbrief).toEqual(named);
    expect(verified.rewrittenTotal, vbrief).toBe(named.length);
    expect(inbox.rewrittenCount, vbrief).toBe(named.length);
    expect(inbox.rewritten.every((r) => r.kinds?.join() === 'header-8bit'), vbrief).toBe(true);

    // The CSV names them in both languages' reports.
    const rows = (text: string) => parse(text.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>;
    const en = rows((await client.request('report.export', { jobId: toCyrus.id })).csv)[0]!;
    expect(en.warnings_count).toBe('1');
    expect(en.warnings).toContain('MESSAGE_CHANGED');
    expect(en.warnings).toContain('8-bit header bytes replaced');
    expect(en.verify_rewritten).toBe(`INBOX: ${inbox.rewritten.map((r) => `source UID ${r.uid} -> UID ${r.targetUid} (8-bit header bytes stored as 'X')`).join(' ')}`);
    const zhCyrus = rows((await client.request('report.export', { jobId: toCyrus.id, language: 'zh-CN' })).csv)[0]!;
    expect(zhCyrus['核验目标改写']).toContain('邮件头中的 8 位字节被替换为 X');
    expect(zhCyrus['警告']).toContain('新邮箱保存邮件时做了改动');
    const zh = rows((await client.request('report.export', { jobId: toMaildir.id, language: 'zh-CN' })).csv)[0]!;
    expect(zh['警告数']).toBe('1');
    expect(zh['警告']).toContain('FOLDER_RENAMED');
    expect(zh['警告']).toContain('新邮箱中有文件夹改用了形近名称创建');

    // Kept in the state store: a restarted bridge shows them in its first snapshot.
    await stopBridge();
    await connect(token);
    const snap = await client.request('subscribe', {});
    expect(snap.accounts.find((x) => x.id === aliceId)!.warnings.map((w) => [w.code, w.message])).toEqual(changed.map((w) => [w.code, w.message]));
    expect(snap.accounts.find((x) => x.id === carolId)!.warnings.map((w) => w.code)).toContain('FOLDER_RENAMED');

    // Closed and imported again towards another mailbox: the old mailbox's renamed folder is not this one's.
    await client.request('account.stop', { accountIds: [carolId] });
    const again = await client.request('accounts.import', {
      jobId: toMaildir.id,
      mode: 'admin-with-passwords',
      autoStart: false,
      csvBase64: csv(['source,target,source_password,target_password', `${carol.user},${erin.user},${carol.password},${erin.password}`]),
    });
    expect(again.errors).toEqual([]);
    expect(again.accounts[0]).toMatchObject({ id: carolId, target: erin.user, warnings: [] });
    expect((await client.request('account.get', { accountId: aliceId })).account.warnings.map((w) => w.code)).toEqual(['MESSAGE_CHANGED']);
  });
});
