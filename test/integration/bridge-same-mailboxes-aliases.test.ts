/**
 * Two jobs of one bridge over one mailbox pair, one naming the servers 127.0.0.1 and the other
 * `localhost` (one server by two names): the scheduler's one-pass-per-pair rule compares the pair
 * as written (bridge/service/mailbox-pair.ts), so it starts both; the engine's pair lock also holds
 * the pair at its servers' addresses (bridge/engine/pair-lock-keys.ts), so the later pass is refused
 * as ALREADY_RUNNING before any login, and the account waits 2 to 4 minutes to be asked again,
 * without failing. Every message arrives once. Real Dovecots, the bridge in-process over a real
 * WebSocket.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/server/bridge';
import { ALREADY_RUNNING_RETRY_MS } from '../../bridge/service/run-outcome';
import type { AccountView } from '../../shared/protocol/account';
import type { EventData } from '../../shared/protocol/events';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import type { BridgeClient } from '../support/bridge-client';
import { startPairedBridge } from '../support/paired-bridge';
import { bulkMessages } from '../support/corpus';

const srcUser = { user: 'alia@old.example.com', password: 'Alia-Src-Pw-5772' };
const tgtUser = { user: 'alia@new.example.com', password: 'Alia-Tgt-Pw-1618' };
const MESSAGES = 400;

const csv = (lines: string[]) => Buffer.from(lines.join('\n') + '\n').toString('base64');

describe('bridge: two jobs over one mailbox pair, the server named 127.0.0.1 in one and localhost in the other', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  let dir: string;
  let bridge: Bridge;
  let c: BridgeClient;

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'alias-src', users: [srcUser] }), startDovecot({ name: 'alias-tgt', users: [tgtUser] })]);
    expect(source.host).toBe('127.0.0.1');
    await seedFolder(source, srcUser, 'INBOX', bulkMessages(MESSAGES, 91, { prefix: 'alias' }));
    ({ dir, bridge, c } = await startPairedBridge('mailmover-bridge-alias-'));
  });

  afterAll(async () => {
    c?.close();
    await bridge?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both started together: one copies, the other is refused as ALREADY_RUNNING and waits 2-4 minutes without failing; every message once', async () => {
    const accountIds: string[] = [];
    for (const host of ['127.0.0.1', 'localhost']) {
      const server = (port: number) => ({ host, port, security: 'plain' as const, allowPlaintext: true });
      const { job } = await c.request('job.create', {
        name: `named ${host}`,
        source: { protocol: 'imap', ...server(source.imapPort) },
        target: server(target.imapPort),
        incremental: { intervalMinutes: 0, windowDays: 1 },
        // Small batches: many APPENDs, so that the pass lasts well beyond the other's start.
        batchMessages: 10,
      });
      const res = await c.request('accounts.import', {
        jobId: job.id,
        mode: 'admin-with-passwords',
        autoStart: false,
        csvBase64: csv(['source,target,source_password,target_password', `${srcUser.user},${tgtUser.user},${srcUser.password},${tgtUser.password}`]),
      });
      expect(res.errors).toEqual([]);
      accountIds.push(res.accounts[0]!.id);
    }
    const refused = c.waitForEvent('account.status', (d) => accountIds.includes(d.account.id) && d.account.error?.code === 'ALREADY_RUNNING', 60_000).then((d) => d.account);
    const startedAt = Date.now();
    // One request starts both: the scheduler sees both in the same look for work, under two keys.
    const started = await c.request('account.start', { accountIds });
    expect(started.results.every((r) => r.ok)).toBe(true);
    const waiting: AccountView = await refused;
    const copier = accountIds.find((id) => id !== waiting.id)!;
    const done = await c.waitForEvent('account.status', (d) => d.account.id === copier && d.account.status === 'first_pass_done', 120_000).then((d) => d.account);

    expect(done.counters.messagesCopied).toBe(MESSAGES);
    const [src, tgt] = await Promise.all([readFolder(source, srcUser, 'INBOX'), readFolder(target, tgtUser, 'INBOX')]);
    expect(src).toHaveLength(MESSAGES);
    const copies = new Map<string, number>();
    for (const m of tgt) copies.set(m.sha256, (copies.get(m.sha256) ?? 0) + 1);
    expect([...copies.values()].filter((n) => n > 1)).toHaveLength(0);
    expect(tgt).toHaveLength(MESSAGES);

    // Not a failure: still in progress, asked again in 2 to 4 minutes, nothing copied.
    expect(waiting).toMatchObject({ status: 'in_progress', phase: 'waiting-retry', counters: { messagesCopied: 0 } });
    const next = Date.parse(waiting.nextRunAt!);
    expect(next).toBeGreaterThanOrEqual(startedAt + ALREADY_RUNNING_RETRY_MS);
    expect(next).toBeLessThanOrEqual(Date.now() + 2 * ALREADY_RUNNING_RETRY_MS);
    const seen = c.events.filter((e) => e.event === 'account.status').map((e) => (e.data as EventData<'account.status'>).account).filter((a) => a.id === waiting.id);
    expect(seen.map((a) => a.status)).not.toContain('failed');
  }, 240_000);
});
