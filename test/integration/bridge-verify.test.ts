/**
 * The bridge verifies each account by itself after its first pass (issue 18): the account
 * view carries the result (已核验 / 有差异) with the differences, over the real WebSocket,
 * against two real Dovecots. One account arrives intact; the other's target held a message
 * the old mailbox does not have, which the verify must name as extra.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/protocol/account';
import { getFreePort } from '../harness/free-port';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { connectImap, readFolder, seedFolder } from '../harness/mailbox';
import { BridgeClient, pair, spawnBridge, type BridgeProcess } from '../support/bridge-client';
import { bulkMessages, textMessage } from '../support/corpus';

const src = {
  amy: { user: 'amy@old.example.com', password: 'Src-Amy-Pw-5521' },
  ben: { user: 'ben@old.example.com', password: 'Src-Ben-Pw-6632' },
};
const tgt = {
  amy: { user: 'amy@new.example.com', password: 'Tgt-Amy-Pw-7743' },
  ben: { user: 'ben@new.example.com', password: 'Tgt-Ben-Pw-8854' },
};
const csv = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8').toString('base64');

describe('bridge: verify after the first pass', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let stateDir: string;
  let bridge: BridgeProcess;
  let client: BridgeClient;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'bverify-src', users: Object.values(src) }),
      startDovecot({ name: 'bverify-tgt', users: Object.values(tgt) }),
    ]);
    await Promise.all([
      seedFolder(source, src.amy, 'INBOX', bulkMessages(30, 41, { prefix: 'amy' })),
      seedFolder(source, src.amy, 'Projects/2024', bulkMessages(6, 42, { prefix: 'amyp' })),
      seedFolder(source, src.ben, 'INBOX', bulkMessages(12, 43, { prefix: 'ben' })),
      // On Ben's new mailbox before the migration: not from the old one, so an extra message.
      seedFolder(target, tgt.ben, 'INBOX', [{ raw: textMessage({ id: 'welcome-ben', subject: 'Welcome to the new system' }), flags: [], internalDate: new Date('2026-01-01T00:00:00Z') }]),
    ]);
    stateDir = mkdtempSync(join(tmpdir(), 'mailmover-bridge-verify-'));
    bridge = await spawnBridge({ port: await getFreePort(), stateDir, env: { MAILMOVER_RETRY_BASE_MS: '200', MAILMOVER_ENGINE_RETRY_BASE_MS: '50' } });
    const { port } = bridge;
    const { token } = await pair(port, bridge.pairingCode);
    client = await BridgeClient.connect(port, token);
    await client.request('subscribe', {});
  });

  afterAll(async () => {
    client?.close();
    if (bridge && bridge.child.exitCode === null) {
      bridge.child.kill('SIGTERM');
      await bridge.exited;
    }
    await Promise.all([source?.stop(), target?.stop()]);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('each account gets a verify result after its first pass: verified, or the difference named', async () => {
    const { job } = await client.request('job.create', {
      name: 'verify test',
      source: { protocol: 'imap', host: '127.0.0.1', port: source.imapPort, security: 'plain', allowPlaintext: true },
      target: { host: '127.0.0.1', port: target.imapPort, security: 'plain', allowPlaintext: true },
      storage: 'mapped',
      concurrency: 2,
      batchMessages: 50,
      incremental: { intervalMinutes: 60, windowDays: 30 },
    });
    const res = await client.request('accounts.import', {
      jobId: job.id,
      mode: 'admin-with-passwords',
      csvBase64: csv([
        'source,target,source_password,target_password',
        `${src.amy.user},${tgt.amy.user},${src.amy.password},${tgt.amy.password}`,
        `${src.ben.user},${tgt.ben.user},${src.ben.password},${tgt.ben.password}`,
      ]),
    });
    expect(res.errors).toEqual([]);
    const id = (who: string) => res.accounts.find((a) => a.source.startsWith(who))!.id;
    // Before the first pass there is no verify yet.
    for (const a of res.accounts) expect(a.verify ?? null).toBeNull();
    const verified = (accountId: string) =>
      client.waitForEvent('account.status', (d) => d.account.id === accountId && !!d.account.verify, 120_000).then((d) => d.account as AccountView);

    const [amy, ben] = await Promise.all([verified(id('amy')), verified(id('ben'))]);
    expect(amy.firstPassDoneAt).not.toBeNull();
    expect(amy.verify).toMatchObject({ status: 'verified', depth: 'metadata', totals: { matched: 36, missing: 0, extra: 0, changed: 0 }, folders: [] });
    expect(Date.parse(amy.verify!.checkedAt)).toBeGreaterThanOrEqual(Date.parse(amy.firstPassDoneAt!));
    // Every folder's counts travel too, clean ones included (the printable report lists them).
    expect(amy.verify!.folderTotal).toBe(amy.verify!.folderCounts!.length);
    expect(amy.verify!.folderCounts).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: 'INBOX', sourceCount: 30, targetCount: 30, matched: 30 }),
      expect.objectContaining({ source: 'Projects/2024', sourceCount: 6, targetCount: 6, matched: 6 }),
    ]));
    expect(ben.verify).toMatchObject({ status: 'differences', totals: { matched: 12, missing: 0, extra: 1, changed: 0 } });
    expect(ben.verify!.folders).toEqual([
      expect.objectContaining({ source: 'INBOX', target: 'INBOX', sourceCount: 12, targetCount: 13, extraCount: 1, extra: [expect.objectContaining({ messageId: '<welcome-ben@old.example.com>', subject: 'Welcome to the new system' })] }),
    ]);
    // The result is kept: a fresh snapshot shows it too.
    const snap = await client.request('subscribe', {});
    expect(snap.accounts.find((a) => a.id === id('ben'))!.verify).toMatchObject({ status: 'differences' });

    // The report (CSV) carries the check: status in both languages, when, the counts and the differences.
    const { csv: report } = await client.request('report.export', { jobId: job.id });
    const rows = parse(report.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>;
    const row = (who: string) => rows.find((r) => r.source!.startsWith(who))!;
    expect(row('amy')).toMatchObject({ verify_status: 'verified', verify_status_zh: '已核验', verify_depth: 'metadata', verify_matched: '36', verify_missing: '0', verify_differences: '' });
    expect(row('ben')).toMatchObject({ verify_status: 'differences', verify_status_zh: '有差异', verify_extra: '1' });
    // When, in the bridge's own zone as Excel reads it; the column's name carries the UTC offset.
    const checkedColumn = Object.keys(row('ben')).find((k) => k.startsWith('verify_checked_at ('))!;
    expect(checkedColumn).toMatch(/^verify_checked_at \((UTC[+-]\d\d:\d\d|[A-Za-z_]+\/[A-Za-z_]+)\)$/);
    const checked = new Date(ben.verify!.checkedAt);
    const [, sign, hours, minutes] = /UTC([+-])(\d\d):(\d\d)/.exec(checkedColumn) ?? ['', '+', '00', '00'];
    const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
    const local = new Date(checked.getTime() + offsetMinutes * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(row('ben')[checkedColumn]).toBe(local);
    expect(row('ben').verify_differences).toBe(`INBOX -> INBOX: extra 1 (UID ${ben.verify!.folders[0]!.extra[0]!.uid})`);

    // 核验 for the whole job, deep: two messages expunged from Amy's new mailbox since are found.
    const amyInbox = await readFolder(target, tgt.amy, 'INBOX');
    const gone = [amyInbox[4]!, amyInbox[17]!];
    const c = await connectImap(target, tgt.amy);
    try {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(gone.map((g) => g.uid).join(','), { uid: true });
    } finally {
      await c.logout();
    }
    const deep = (accountId: string) =>
      client.waitForEvent('account.status', (d) => d.account.id === accountId && d.account.verify?.depth === 'deep', 120_000).then((d) => d.account as AccountView);
    const waiting = Promise.all([deep(id('amy')), deep(id('ben'))]);
    const req = await client.request('account.verify', { jobId: job.id });
    expect(req.results.map((r) => r.ok)).toEqual([true, true]);
    const [amy2, ben2] = await waiting;
    expect(amy2.verify).toMatchObject({ status: 'differences', depth: 'deep', totals: { matched: 34, missing: 2, extra: 0, changed: 0 } });
    expect(amy2.verify!.folders[0]!.missing).toEqual(gone.map((g) => expect.objectContaining({ size: g.rfc822Size })));
    expect(Date.parse(amy2.verify!.checkedAt)).toBeGreaterThan(Date.parse(amy.verify!.checkedAt));
    expect(ben2.verify).toMatchObject({ status: 'differences', depth: 'deep', totals: { matched: 12, extra: 1 } });
    // An account still in its first pass, or unknown, is refused or rejected, not queued.
    await expect(client.request('account.verify', { accountIds: ['acc_doesnotexist'] })).rejects.toThrow();

    // 复制缺失邮件 for the job: Amy's two missing messages are copied, exactly once, and the
    // verify after (deep, like the check before) is clean; Ben has nothing missing and is refused.
    const fixedAmy = client.waitForEvent('account.status', (d) => d.account.id === id('amy') && d.account.verify?.depth === 'deep' && d.account.verify.status === 'verified', 120_000).then((d) => d.account as AccountView);
    const fix = await client.request('account.fixMissing', { jobId: job.id });
    expect(fix.results.find((r) => r.accountId === id('amy'))).toMatchObject({ ok: true });
    expect(fix.results.find((r) => r.accountId === id('ben'))).toMatchObject({ ok: false, reason: expect.stringContaining('nothing missing') });
    const amy3 = await fixedAmy;
    expect(amy3.verify).toMatchObject({ status: 'verified', depth: 'deep', totals: { matched: 36, missing: 0, extra: 0, changed: 0 } });
    const after = await readFolder(target, tgt.amy, 'INBOX');
    expect(after).toHaveLength(30);
    const srcInbox = await readFolder(source, src.amy, 'INBOX');
    const ids = (list: typeof after) => list.map((m) => m.sha256).sort();
    expect(ids(after)).toEqual(ids(srcInbox));
    for (const g of gone) expect(after.filter((m) => m.sha256 === g.sha256)).toHaveLength(1);
    // Now nothing is missing: a second request is refused, and an account of no job is rejected.
    const again = await client.request('account.fixMissing', { jobId: job.id, accountIds: [id('amy')] });
    expect(again.results).toEqual([expect.objectContaining({ accountId: id('amy'), ok: false })]);
    await expect(client.request('account.fixMissing', { jobId: job.id, accountIds: ['acc_doesnotexist'] })).rejects.toThrow();

    // Amy files one INBOX copy into Projects/2024 on the new mailbox: not missing, and the
    // summary the dashboard gets and the CSV say where it went.
    const filedAway = after[7]!;
    const m = await connectImap(target, tgt.amy);
    try {
      await m.mailboxOpen('INBOX');
      await m.messageMove(String(filedAway.uid), 'Projects/2024', { uid: true });
    } finally {
      await m.logout();
    }
    const filedUid = (await readFolder(target, tgt.amy, 'Projects/2024')).find((x) => x.sha256 === filedAway.sha256)!.uid;
    const sourceUid = srcInbox.find((x) => x.sha256 === filedAway.sha256)!.uid;
    // The first check that saw the move (the bridge may also check by itself after a sync pass).
    const checkedAgain = client
      .waitForEvent('account.status', (d) => d.account.id === id('amy') && d.account.verify?.folderCounts?.find((f) => f.source === 'INBOX')?.targetCount === 29, 120_000)
      .then((d) => d.account as AccountView);
    expect((await client.request('account.verify', { accountIds: [id('amy')], deep: false })).results).toEqual([expect.objectContaining({ ok: true })]);
    const amy4 = await checkedAgain;
    expect(amy4.verify).toMatchObject({ status: 'verified', totals: { matched: 35, missing: 0, extra: 0, elsewhere: 1 } });
    expect(amy4.verify!.folders).toEqual([
      expect.objectContaining({ source: 'INBOX', missingCount: 0, elsewhereCount: 1, elsewhere: [expect.objectContaining({ uid: sourceUid, targetFolder: 'Projects/2024', targetUid: filedUid })] }),
    ]);
    expect(amy4.verify!.folderCounts).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'INBOX', elsewhereCount: 1 }), expect.objectContaining({ source: 'Projects/2024', elsewhereCount: 0 })]));
    const { csv: report2 } = await client.request('report.export', { jobId: job.id });
    const amyRow = (parse(report2.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>).find((r) => r.source!.startsWith('amy'))!;
    expect(amyRow).toMatchObject({ verify_status: 'verified', verify_missing: '0', verify_differences: '', verify_elsewhere: '1', verify_elsewhere_list: `INBOX: Projects/2024 UID ${filedUid} (source UID ${sourceUid})` });
    const { csv: reportZh } = await client.request('report.export', { jobId: job.id, language: 'zh-CN' });
    const amyRowZh = (parse(reportZh.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>).find((r) => r['原邮箱账号']!.startsWith('amy'))!;
    expect(amyRowZh).toMatchObject({ 核验在其他文件夹: '1', 核验在其他文件夹明细: `INBOX: Projects/2024 UID ${filedUid} (原邮箱 UID ${sourceUid})` });
  });
});
