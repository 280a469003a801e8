/**
 * Two jobs of one bridge over the same mailbox pair (the admin ran the wizard again while the
 * first job was still syncing; the e2e wizard test does it on purpose): their accounts have
 * separate engine states, so only the target survey keeps the second from copying again what
 * the first copied. Run at the same time, both passes would survey the target before the other
 * appended and both APPEND every message: the service runs passes over one pair one after
 * another, and the one that waits finds the other's copies. Real Dovecots, the bridge in-process
 * over a real WebSocket:
 * - both first passes started by one request: every message once on the target, the second
 *   account queued until the first ended, then everything "already there";
 * - both jobs resumed at once with new mail on the source (their syncs fall due together): the
 *   new mail arrives once.
 */
import { readFileSync, rmSync } from 'node:fs';
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

const srcUser = { user: 'dora@old.example.com', password: 'Dora-Src-Pw-3141' };
const tgtUser = { user: 'dora@new.example.com', password: 'Dora-Tgt-Pw-2718' };
const FOLDERS = { INBOX: 300, Work: 60 } as const;
const NEW_MAIL = 150;
const TWO_SECONDS = 2 / 60;

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');

/** How many copies of each source message the target folder holds, for those not held exactly once. */
async function copiesOff(source: DovecotServer, target: DovecotServer, folder: string): Promise<{ sourceCount: number; targetCount: number; doubled: number; missing: number }> {
  const [src, tgt] = await Promise.all([readFolder(source, srcUser, folder), readFolder(target, tgtUser, folder)]);
  const onTarget = new Map<string, number>();
  for (const m of tgt) onTarget.set(m.sha256, (onTarget.get(m.sha256) ?? 0) + 1);
  let doubled = 0;
  let missing = 0;
  for (const m of src) {
    const n = onTarget.get(m.sha256) ?? 0;
    if (n === 0) missing++;
    else if (n > 1) doubled += n - 1;
  }
  return { sourceCount: src.length, targetCount: tgt.length, doubled, missing };
}

describe('bridge: two jobs over the same mailbox pair', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;
  const jobIds: string[] = [];
  const accountIds: string[] = [];

  const plain = (port: number) => ({ host: '127.0.0.1', port, security: 'plain' as const, allowPlaintext: true });
  const statuses = () => c.events.filter((e) => e.event === 'account.status').map((e) => (e.data as EventData<'account.status'>).account);
  const status = (id: string, pred: (a: AccountView) => boolean, timeoutMs = 120_000) =>
    c.waitForEvent('account.status', (d) => d.account.id === id && pred(d.account), timeoutMs).then((d) => d.account);
  const running = (a: AccountView) => a.phase !== null && a.phase !== 'queued' && a.phase !== 'waiting-retry';

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'pair-src', users: [srcUser] }), startDovecot({ name: 'pair-tgt', users: [tgtUser] })]);
    await Promise.all(Object.entries(FOLDERS).map(([folder, n], i) => seedFolder(source, srcUser, folder, bulkMessages(n, 71 + i, { prefix: folder.toLowerCase() }))));
    ({ dir, bridge, c } = await startPairedBridge('mailmover-bridge-pair-'));
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('first passes of both jobs started together: every message once, the second pass waits and finds them', async () => {
    for (const name of ['first run of the wizard', 'the wizard again']) {
      const { job } = await c.request('job.create', {
        name,
        source: { protocol: 'imap', ...plain(source.imapPort) },
        target: plain(target.imapPort),
        incremental: { intervalMinutes: TWO_SECONDS, windowDays: 1 },
        // Small batches: many APPENDs, so that passes run side by side would overlap for long.
        batchMessages: 10,
      });
      jobIds.push(job.id);
      // The same mailbox pair, written differently (a user name's case does not make another mailbox).
      const row = name === 'the wizard again' ? [srcUser.user.toUpperCase(), tgtUser.user.replace('dora', 'Dora')] : [srcUser.user, tgtUser.user];
      const res = await c.request('accounts.import', {
        jobId: job.id,
        mode: 'admin-with-passwords',
        autoStart: false,
        csvBase64: csv(['source,target,source_password,target_password', `${row[0]},${row[1]},${srcUser.password},${tgtUser.password}`]),
      });
      expect(res.errors).toEqual([]);
      accountIds.push(res.accounts[0]!.id);
    }
    // One request starts both: the scheduler sees both in the same look for work.
    const started = await c.request('account.start', { accountIds });
    expect(started.results.every((r) => r.ok)).toBe(true);
    const done = await Promise.all(accountIds.map((id) => status(id, (a) => a.status === 'syncing' && a.firstPassDoneAt !== null)));

    const copies = Object.fromEntries(await Promise.all(Object.keys(FOLDERS).map(async (f) => [f, await copiesOff(source, target, f)] as const)));
    expect(copies).toEqual(Object.fromEntries(Object.entries(FOLDERS).map(([f, n]) => [f, { sourceCount: n, targetCount: n, doubled: 0, missing: 0 }])));
    const total = Object.values(FOLDERS).reduce((s, n) => s + n, 0);
    // One pass copied everything; the other found all of it on the target.
    expect(done.map((a) => a.counters.messagesCopied).sort((x, y) => x - y)).toEqual([0, total]);
    expect(done.map((a) => a.counters.messagesAlreadyPresent).sort((x, y) => x - y)).toEqual([0, total]);

    // The one that waited showed "queued" (never failed) and started only after the other had ended.
    const events = statuses();
    const firstStart = events.findIndex((a) => accountIds.includes(a.id) && running(a));
    const first = events[firstStart]!.id;
    const second = accountIds.find((id) => id !== first)!;
    const firstEnd = events.findIndex((a) => a.id === first && a.firstPassDoneAt !== null);
    const secondStart = events.findIndex((a) => a.id === second && running(a));
    expect(secondStart).toBeGreaterThan(firstEnd);
    const waiting = events.slice(0, secondStart).filter((a) => a.id === second && a.status !== 'not_started');
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.map((a) => [a.status, a.phase, a.error])).toEqual(waiting.map(() => ['in_progress', 'queued', null]));
  }, 240_000);

  it('syncs of both jobs falling due together: the new mail arrives once', async () => {
    for (const jobId of jobIds) await c.request('job.pause', { jobId });
    await seedFolder(source, srcUser, 'INBOX', bulkMessages(NEW_MAIL, 79, { prefix: 'late' }));
    // Both syncs overdue before the jobs go on (a sync may have ended just before the pause).
    const due = await Promise.all(accountIds.map(async (accountId) => (await c.request('account.get', { accountId })).account.nextRunAt));
    const lastDue = Math.max(Date.now(), ...due.map((at) => (at === null ? 0 : Date.parse(at))));
    await new Promise((r) => setTimeout(r, lastDue - Date.now() + 100));
    const resumedAt = new Date().toISOString();
    const seen = c.events.length;
    // Resumed together, both syncs fall due in the same moment.
    await Promise.all(jobIds.map((jobId) => c.request('job.resume', { jobId })));
    await Promise.all(accountIds.map((id) => status(id, (a) => a.lastSyncAt !== null && a.lastSyncAt > resumedAt && a.phase === null)));

    const copies = await copiesOff(source, target, 'INBOX');
    expect(copies).toEqual({ sourceCount: FOLDERS.INBOX + NEW_MAIL, targetCount: FOLDERS.INBOX + NEW_MAIL, doubled: 0, missing: 0 });
    expect(await copiesOff(source, target, 'Work')).toMatchObject({ doubled: 0, missing: 0 });
    const after = await Promise.all(accountIds.map(async (accountId) => (await c.request('account.get', { accountId })).account));
    expect(after.map((a) => a.counters.messagesSyncedSinceFirstPass).sort((x, y) => x - y)).toEqual([0, NEW_MAIL]);
    // The sync that waited showed "queued" meanwhile (not an overdue next sync, not an error), and the log says why.
    const sinceResume = c.events.slice(seen).filter((e) => e.event === 'account.status').map((e) => (e.data as EventData<'account.status'>).account);
    expect(sinceResume.some((a) => a.status === 'syncing' && a.phase === 'queued' && a.nextRunAt === null && a.error === null)).toBe(true);
    const logged = readFileSync(bridge.logFile, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '');
    expect(logged).toContainEqual(expect.stringMatching(/waits: account dora@old\.example\.com of job "(first run of the wizard|the wizard again)" is copying between the same mailboxes/i));
  }, 240_000);
});
