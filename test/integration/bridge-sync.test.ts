/**
 * Incremental sync through the bridge service (增量同步 and 到期可重新开启),
 * over a real WebSocket with the bridge in-process and a 2-second interval:
 * - after the first pass a new message and a new folder on the source reach the target within
 *   a few intervals; lastSyncAt advances and messagesSyncedSinceFirstPass counts them (view,
 *   progress events with pass "sync", report CSV); job.firstPassDone is sent once;
 * - account.get shows per-folder state from the engine's store, account.skipped pages;
 * - a short window ends syncing by itself (closed, passwords deleted); account.reopen without
 *   passwords names the missing one, with them it syncs again for a new window;
 * - a POP3 source through the service (endpoint.test with a report, first pass, new UIDL synced);
 * - endpoint.test report and admin login form, provider.detect, folders.preview, ping.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/server/bridge';
import type { AccountView } from '../../shared/protocol/account';
import type { EventData } from '../../shared/protocol/events';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import type { BridgeClient } from '../support/bridge-client';
import { startPairedBridge } from '../support/paired-bridge';
import { bulkMessages } from '../support/corpus';

const srcUsers = {
  sam: { user: 'sam@old.example.com', password: 'Sam-Src-Pw-5511' },
  pat: { user: 'pat@old.example.com', password: 'Pat-Src-Pw-6622' },
};
const tgtUsers = {
  sam: { user: 'sam@new.example.com', password: 'Sam-Tgt-Pw-7733' },
  pat: { user: 'pat@new.example.com', password: 'Pat-Tgt-Pw-8844' },
};
const srcAdmin = { user: 'srcadmin', password: 'Src-Admin-Pw-9955' };

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');
const TWO_SECONDS = 2 / 60;

describe('bridge: incremental sync, window end and reopen', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;
  let jobId: string;
  let popJobId: string;
  let sam: AccountView;
  let firstPass: AccountView;

  const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
  const status = (id: string, pred: (a: AccountView) => boolean, timeoutMs = 60_000) =>
    c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), timeoutMs).then((d) => d.account);

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'sync-src', users: Object.values(srcUsers), master: srcAdmin }),
      startDovecot({ name: 'sync-tgt', users: Object.values(tgtUsers) }),
    ]);
    await Promise.all([
      seedFolder(source, srcUsers.sam, 'INBOX', bulkMessages(6, 31, { prefix: 's' })),
      seedFolder(source, srcUsers.sam, 'Work', bulkMessages(3, 32, { prefix: 'sw' })),
      seedFolder(source, srcUsers.pat, 'INBOX', bulkMessages(4, 33, { prefix: 'p' })),
    ]);
    ({ dir, bridge, c } = await startPairedBridge('mailmover-bridge-sync-'));
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers ping, detects a provider by domain, and tests the old server with a full report', async () => {
    expect(await c.request('ping', {})).toMatchObject({ pong: true });
    const qq = await c.request('provider.detect', { address: 'someone@qq.com' });
    expect(qq.detection).toMatchObject({ via: 'domain', manual: false });
    expect(qq.detection.presetId).not.toBeNull();

    const ok = await c.request('endpoint.test', { server: plain(source.imapPort), user: srcUsers.sam.user, password: srcUsers.sam.password, detect: false });
    expect(ok).toMatchObject({ ok: true, error: null, folders: expect.any(Number) });
    expect(ok.report?.totals).toMatchObject({ messages: 9 });
    expect(ok.report?.folders?.map((f) => f.path)).toEqual(expect.arrayContaining(['INBOX', 'Work']));
    expect(ok.report?.authenticated).toBe(true);

    // Admin (master user) login on behalf of the account, both forms.
    for (const adminForm of ['authzid', 'separator'] as const) {
      const admin = await c.request('endpoint.test', { server: plain(source.imapPort), user: srcUsers.sam.user, password: srcAdmin.password, adminUser: srcAdmin.user, adminForm, detect: false });
      expect(admin, adminForm).toMatchObject({ ok: true, report: { server: { authUser: srcAdmin.user, authKind: 'master' } } });
    }
    const bad = await c.request('endpoint.test', { server: plain(source.imapPort), user: srcUsers.sam.user, password: 'wrong', detect: false });
    expect(bad).toMatchObject({ ok: false, folders: null, error: { code: 'AUTH_FAILED' }, report: { ok: false, error: { stage: 'auth' } } });
  });

  it('previews the folder mapping against the target layout', async () => {
    const preview = await c.request('folders.preview', {
      source: { server: plain(source.imapPort), user: srcUsers.sam.user, password: srcUsers.sam.password },
      target: { server: plain(target.imapPort), user: tgtUsers.sam.user, password: tgtUsers.sam.password },
    });
    expect(preview).toMatchObject({ ok: true, targetChecked: true });
    expect(preview.mappings).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'INBOX', target: 'INBOX' }), expect.objectContaining({ source: 'Work', target: 'Work' })]));
    const unified = await c.request('folders.preview', { source: { server: plain(source.imapPort), user: srcUsers.sam.user, password: srcUsers.sam.password }, storage: 'unified' });
    expect(unified.targetChecked).toBe(false);
    expect(unified.mappings.every((m) => m.target.startsWith(srcUsers.sam.user))).toBe(true);
  });

  it('first pass, then a new message and a new folder reach the target within a few 2-second intervals', async () => {
    const { job } = await c.request('job.create', {
      name: 'sync',
      source: { protocol: 'imap', ...plain(source.imapPort) },
      target: plain(target.imapPort),
      incremental: { intervalMinutes: TWO_SECONDS, windowDays: 1 },
    });
    jobId = job.id;
    expect(job.incremental).toEqual({ intervalMinutes: TWO_SECONDS, windowDays: 1 });
    const res = await c.request('accounts.import', {
      jobId,
      mode: 'admin-with-passwords',
      csvBase64: csv(['source,target,source_password,target_password', `${srcUsers.sam.user},${tgtUsers.sam.user},${srcUsers.sam.password},${tgtUsers.sam.password}`]),
    });
    sam = res.accounts[0]!;
    firstPass = await status(sam.id, (a) => a.status === 'syncing' && a.lastSyncAt !== null);
    expect(firstPass.counters).toMatchObject({ messagesTotal: 9, messagesCopied: 9, messagesSyncedSinceFirstPass: 0 });
    expect(firstPass.firstPassDoneAt).not.toBeNull();
    expect(Date.parse(firstPass.syncEndsAt!) - Date.parse(firstPass.firstPassDoneAt!)).toBeGreaterThan(86_000_000);
    const fp = await c.waitForEvent('job.firstPassDone', (d) => d.job.id === jobId, 10_000);
    expect(fp).toMatchObject({ done: 1, failed: 0 });

    // Nothing new: the sync runs keep the cumulative counters (never 0/0 while planning).
    await status(sam.id, (a) => a.lastSyncAt !== firstPass.lastSyncAt && a.status === 'syncing', 15_000);
    const quiet = c.events.filter((e) => e.event === 'account.status').map((e) => (e.data as EventData<'account.status'>).account).filter((a) => a.id === sam.id && a.firstPassDoneAt);
    for (const a of quiet) expect(a.counters.messagesCopied).toBe(9);

    await seedFolder(source, srcUsers.sam, 'INBOX', bulkMessages(1, 34, { prefix: 'new' }));
    await seedFolder(source, srcUsers.sam, 'Later', bulkMessages(2, 35, { prefix: 'later' }));
    const allThere = new Date().toISOString();
    const synced = await status(sam.id, (a) => a.counters.messagesSyncedSinceFirstPass === 3 && a.phase === null, 20_000);
    // Taken by the next sync run, however long runs take on a busy machine: of the runs that
    // ended after the new mail was all on the source, only the one already under way then may
    // have missed some of it.
    const endedShort = c.events
      .filter((e) => e.event === 'account.status')
      .map((e) => (e.data as EventData<'account.status'>).account)
      .filter((a) => a.id === sam.id && a.lastSyncAt !== null && a.lastSyncAt > allThere && a.lastSyncAt !== synced.lastSyncAt && a.counters.messagesSyncedSinceFirstPass < 3);
    expect(new Set(endedShort.map((a) => a.lastSyncAt)).size).toBeLessThanOrEqual(1);
    expect(synced.counters).toMatchObject({ messagesTotal: 12, messagesCopied: 12 });
    expect(Date.parse(synced.lastSyncAt!)).toBeGreaterThan(Date.parse(firstPass.lastSyncAt!));
    expect(await readFolder(target, tgtUsers.sam, 'INBOX')).toHaveLength(7);
    expect(await readFolder(target, tgtUsers.sam, 'Later')).toHaveLength(2);

    const progress = c.events.filter((e) => e.event === 'account.progress').map((e) => e.data as EventData<'account.progress'>).filter((p) => p.accountId === sam.id);
    expect(progress.some((p) => p.pass === 'first')).toBe(true);
    expect(progress.some((p) => p.pass === 'sync')).toBe(true);
    for (const p of progress.filter((x) => x.pass === 'sync')) expect(p.messagesCopied).toBeGreaterThanOrEqual(9);
    expect(progress.every((p) => typeof p.bytesPerSecond === 'number')).toBe(true);

    const report = await c.request('report.export', { jobId });
    const [header, row] = report.csv.replace(/^\ufeff/, '').trim().split('\r\n');
    const col = header!.split(',').indexOf('messages_synced_since_first_pass');
    expect(col).toBeGreaterThan(0);
    expect(row!.split(',')[col]).toBe('3');
  });

  it('account.get shows per-folder state from the engine store; account.skipped pages (none here)', async () => {
    const got = await c.request('account.get', { accountId: sam.id });
    expect(got.account.id).toBe(sam.id);
    const byFolder = Object.fromEntries(got.folders.map((f) => [f.source, f]));
    expect(byFolder.INBOX).toMatchObject({ target: 'INBOX', copied: 7, skipped: 0 });
    expect(byFolder.Work).toMatchObject({ copied: 3 });
    expect(byFolder.Later).toMatchObject({ copied: 2 });
    expect(await c.request('account.skipped', { accountId: sam.id })).toEqual({ items: [], total: 0 });
    await expect(c.request('account.get', { accountId: 'acc_nonexistent' })).rejects.toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('a short window ends syncing by itself; reopen needs the passwords again, then syncs for a new window', async () => {
    // Shrinking the window to 3 seconds moves its end into the past: the next sync closes the account.
    await c.request('job.update', { jobId, patch: { incremental: { intervalMinutes: TWO_SECONDS, windowDays: 3 / 86_400 } } });
    const closed = await status(sam.id, (a) => a.status === 'closed', 20_000);
    expect(closed).toMatchObject({ hasSourcePassword: false, hasTargetPassword: false, nextRunAt: null, syncEndsAt: null });

    const refused = await c.request('account.reopen', { accountIds: [sam.id] });
    expect(refused.results[0]).toMatchObject({ ok: false, status: 'closed', reason: expect.stringMatching(/source password.*sourcePassword/) });

    // A new window of 8 seconds from now.
    await c.request('job.update', { jobId, patch: { incremental: { intervalMinutes: TWO_SECONDS, windowDays: 8 / 86_400 } } });
    const reopenedAt = Date.now();
    const ok = await c.request('account.reopen', {
      accountIds: [sam.id],
      sourcePassword: srcUsers.sam.password,
      targetPassword: tgtUsers.sam.password,
      sourceServer: { protocol: 'imap', ...plain(source.imapPort) },
      targetServer: { protocol: 'imap', ...plain(target.imapPort) },
    });
    expect(ok.results[0]).toMatchObject({ ok: true, status: 'syncing' });
    await seedFolder(source, srcUsers.sam, 'INBOX', bulkMessages(1, 36, { prefix: 'again' }));
    const again = await status(sam.id, (a) => a.counters.messagesSyncedSinceFirstPass === 4, 15_000);
    expect(Date.parse(again.syncEndsAt!)).toBeGreaterThanOrEqual(reopenedAt + 7_000);
    expect(await readFolder(target, tgtUsers.sam, 'INBOX')).toHaveLength(8);
    // And that window ends by itself too.
    const closedAgain = await status(sam.id, (a) => a.status === 'closed' && Date.parse(a.updatedAt) > reopenedAt, 20_000);
    expect(closedAgain.counters.messagesCopied).toBe(13);
  });

  it('job.reopen reopens a closed job; accounts without passwords are listed with the reason', async () => {
    await c.request('job.close', { jobId });
    const r = await c.request('job.reopen', { jobId });
    expect(r.job.status).toBe('active');
    expect(r.results).toEqual([expect.objectContaining({ accountId: sam.id, ok: false, reason: expect.stringContaining('password') })]);
  });

  it('a POP3 source through the service: tested, migrated, and new mail (a new UIDL) synced', async () => {
    const server = { protocol: 'pop3' as const, ...plain(source.pop3Port) };
    const test = await c.request('endpoint.test', { server, user: srcUsers.pat.user, password: srcUsers.pat.password, detect: false });
    expect(test).toMatchObject({ ok: true, error: null });
    expect(test.report).toBeTruthy();
    const badPop = await c.request('endpoint.test', { server, user: srcUsers.pat.user, password: 'wrong', detect: false });
    expect(badPop).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });

    const { job } = await c.request('job.create', { name: 'pop', source: server, target: plain(target.imapPort), incremental: { intervalMinutes: TWO_SECONDS, windowDays: 1 } });
    popJobId = job.id;
    expect(job.source.protocol).toBe('pop3');
    const res = await c.request('accounts.import', {
      jobId: popJobId,
      mode: 'admin-with-passwords',
      csvBase64: csv(['source,target,source_password,target_password', `${srcUsers.pat.user},${tgtUsers.pat.user},${srcUsers.pat.password},${tgtUsers.pat.password}`]),
    });
    const pat = res.accounts[0]!;
    const first = await status(pat.id, (a) => a.status === 'syncing');
    expect(first.counters).toMatchObject({ messagesCopied: 4, messagesSyncedSinceFirstPass: 0 });
    expect(await readFolder(target, tgtUsers.pat, 'INBOX')).toHaveLength(4);

    await seedFolder(source, srcUsers.pat, 'INBOX', bulkMessages(1, 37, { prefix: 'pnew' }));
    const synced = await status(pat.id, (a) => a.counters.messagesSyncedSinceFirstPass === 1, 15_000);
    expect(synced.counters.messagesCopied).toBe(5);
    expect(await readFolder(target, tgtUsers.pat, 'INBOX')).toHaveLength(5);
  });
});
