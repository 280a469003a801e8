import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { listFolders, seedFolder } from '../harness/mailbox';
import { describeRun, parseReport, scratchDir, spawnCli } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';

/**
 * Ctrl+C in a `migrate --accounts` batch: the accounts under way stop at a checkpoint, and the
 * ones not started yet are not started at all (no login, no folder created on their target);
 * the next run with the same file starts them.
 */
const SOURCES: DovecotUser[] = [1, 2, 3, 4].map((n) => ({ user: `int${n}@old.example.com`, password: `Int-src-${n}-pw` }));
const TARGETS: DovecotUser[] = [1, 2, 3, 4].map((n) => ({ user: `int${n}@new.example.com`, password: `Int-tgt-${n}-pw` }));

describe('cli migrate --accounts: interrupted with Ctrl+C', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  let slow: SlowProxy;
  const scratch = scratchDir('interrupt');

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: 'int-src', users: SOURCES }), startDovecot({ name: 'int-tgt', users: TARGETS })]);
    // The first account takes a while through the slow target link; the others have a folder of their own.
    await seedFolder(src, SOURCES[0]!, 'INBOX', bulkMessages(80, 41, { prefix: 'i1', minBody: 8000, maxBody: 9000 }));
    for (const u of SOURCES.slice(1)) await seedFolder(src, u, 'Projekt', bulkMessages(2, 42, { prefix: u.user }));
    slow = await startSlowProxy(tgt.imapPort, 100 * 1024);
  }, 120_000);

  afterAll(async () => {
    await slow?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  it('accounts not started when Ctrl+C came are left alone and reported as not started', async () => {
    const rows = ['source,target,source_password,target_password', ...SOURCES.map((s, i) => `${s.user},${TARGETS[i]!.user},${s.password},${TARGETS[i]!.password}`)];
    const file = scratch.write('accounts.csv', rows.join('\r\n') + '\r\n');
    const args = [
      '--source', `imap://${src.host}:${src.imapPort}`,
      '--target', `imap://127.0.0.1:${slow.port}`,
      '--allow-plaintext', '--accounts', file, '--account-concurrency', '1', '--batch-messages', '10',
      '--state-dir', scratch.path('state'), '--json',
    ];
    const run = spawnCli(args);
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer | string) => (stderr += String(d)));
    for (let i = 0; i < 300 && !/copying|Copying|copied/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, describeRun(r)).toBe(130);
    const report = parseReport(r.stdout);
    expect(report.accounts.map((a) => a.source)).toEqual(SOURCES.map((s) => s.user));
    expect(report.accounts[0]!.error?.code, describeRun(r)).toBe('CANCELLED');
    // Nothing was done for the accounts that had not started: no folder on their targets.
    for (const t of TARGETS.slice(1)) expect((await listFolders(tgt, t)).map((f) => f.path), t.user).not.toContain('Projekt');
    expect(r.stderr.match(/^Migrating /gm)?.length, describeRun(r)).toBe(1);
    // Stopped, not failed: the account under way says so, and no progress line calls it failed.
    expect(r.stderr, describeRun(r)).toContain(`Stopped ${SOURCES[0]!.user}: the same command carries on from its checkpoint.`);
    expect(r.stderr, describeRun(r)).not.toMatch(/^Failed |^\[failed\]/m);
    for (const a of report.accounts.slice(1)) {
      expect(a.status).toBe('failed');
      expect(a.error?.code).toBe('CANCELLED');
      expect(a.error?.message).toMatch(/not started/);
    }
    // The same command again migrates everything, the first account from its checkpoint; the
    // slow link has done its part (an account under way at the Ctrl+C).
    slow.setRate(Infinity);
    const again = await spawnCli(args).done;
    expect(again.code, describeRun(again)).toBe(0);
    const done = parseReport(again.stdout).accounts;
    expect(done.map((a) => a.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(done[0]!.messagesCopied + report.accounts[0]!.messagesCopied).toBe(80);
    for (const t of TARGETS.slice(1)) expect((await listFolders(tgt, t)).map((f) => f.path), t.user).toContain('Projekt');
  }, 120_000);
});
