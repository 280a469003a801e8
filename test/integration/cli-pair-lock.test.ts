import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderPath, startMailServer, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { seedFolder } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, scratchDir, spawnCli, type CliResult } from '../support/cli-runner';
import { expectOneCopiedOneRefused, messageIds } from '../support/pair-race';
import { bulkMessages } from '../support/corpus';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';

/**
 * Two `migrate` processes of one mailbox pair at once (a cron job whose last run is still going, the
 * same command in two terminals): without a lock both survey the target before either APPENDs and
 * every message arrives twice. With the engine's pair lock (bridge/engine/pair-lock.ts) the one that
 * comes second fails at once as ALREADY_RUNNING (exit 1, the other's pid in its message), and every
 * message arrives exactly once. The same command twice, on the same state dir; on Dovecot, Cyrus and
 * Courier (the lock is the client's, but a copy proven on one server only is not proven).
 */
const alice: MailUser = { user: 'alice@old.example.com', password: 'Lock-src-pw-Vb6Qz1-never-print' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Lock-tgt-pw-Nc4Wp8-never-print' };
const SECRETS = [alice.password, bob.password];
const env = { SRC_PW: alice.password, TGT_PW: bob.password };

describe.each<ServerKind>(['dovecot', 'cyrus', 'courier'])('two migrate processes of one mailbox pair at once (%s)', (kind) => {
  let server: AnyMailServer;
  let link: SlowProxy;
  const scratch = scratchDir(`pair-lock-${kind}`);
  /** source folder -> target folder, and the Message-IDs seeded there */
  const folders: Array<{ source: string; target: string; ids: string[] }> = [];

  beforeAll(async () => {
    // Both mailboxes on one server: the lock is the client's, what is tested of the server is the copy.
    server = await startMailServer(kind, { name: `pair-lock-${kind}`, users: [alice, bob] });
    // The target behind a slow uplink (one worker at 512 KB/s: 200 messages of up to 20 kB take about
    // 4 s to APPEND; Courier, one APPEND at a time, waits a tick of the link per command: 100 take
    // about 10 s), so the first run still holds the pair when the second starts, on a busy machine
    // too, without thousands of messages to copy (CPU the rest of the suite needs).
    const [inboxCount, workCount] = kind === 'courier' ? [80, 20] : [160, 40];
    const inbox = bulkMessages(inboxCount, 71, { prefix: 'in', minBody: 2000, maxBody: 20_000 });
    const work = bulkMessages(workCount, 72, { prefix: 'work', minBody: 2000, maxBody: 20_000 });
    const workPath = folderPath(server, 'Work');
    await seedFolder(server, alice, 'INBOX', inbox);
    await seedFolder(server, alice, workPath, work);
    link = await startSlowProxy(server.imapPort, 512 * 1024);
    const ids = (ms: typeof inbox) => ms.map((m) => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw.toString())![1]!);
    folders.push({ source: 'INBOX', target: 'INBOX', ids: ids(inbox) }, { source: workPath, target: workPath, ids: ids(work) });
  });
  afterAll(async () => {
    await link?.close();
    await server?.stop();
    scratch.cleanup();
  });

  const args = () => [
    '--source', `imap://${encodeURIComponent(alice.user)}@${server.host}:${server.imapPort}`, '--source-password-env', 'SRC_PW',
    '--target', `imap://${encodeURIComponent(bob.user)}@${server.host}:${link.port}`, '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--concurrency', '1', '--json',
  ];

  it('a dry run first writes nothing (and leaves the pair free for the runs below)', async () => {
    // Also warms the CLI's bundle and code cache, so the two runs below start as closely together as a
    // cron job and a terminal would (a first start after an edit rebuilds the bundle first).
    const dry = await runCli([...args(), '--dry-run'], { env });
    expect(leakedSecrets(dry, SECRETS), describeRun(dry)).toEqual([]);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(await messageIds(server, bob, 'INBOX')).toEqual(new Map());
  });

  it('the second fails at once as ALREADY_RUNNING naming the first (exit 1), and every message arrives exactly once', async () => {
    const runs = [spawnCli(args(), { env, timeoutMs: 150_000 }), spawnCli(args(), { env, timeoutMs: 150_000 })];
    const results: CliResult[] = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    const total = folders.reduce((s, f) => s + f.ids.length, 0);

    // Every message exactly once on the target, whoever won; the other refused before copying.
    const { winner, loser, message } = await expectOneCopiedOneRefused(server, bob, folders, runs, results);
    const lost = results[loser]!;
    expect(message).toContain(`${alice.user} on ${server.host}:${server.imapPort} to ${bob.user} on ${server.host}:${link.port}`);
    expect(message).toMatch(/wait for that run to finish, or stop it \(process \d+\), then run this again/);
    expect(lost.stderr).toContain(`Failed ${alice.user}: [ALREADY_RUNNING] Another mailmover run on this computer (process ${runs[winner]!.pid}`);
    expect(lost.stderr).toMatch(/^FAILED .* \[ALREADY_RUNNING\]$/m);

    // The pair is free again: the same command once more copies nothing.
    const again = await runCli(args(), { env });
    expect(again.code, describeRun(again)).toBe(0);
    expect(parseReport(again.stdout).accounts[0]).toMatchObject({ status: 'done', messagesCopied: 0, messagesAlreadyPresent: total });
  });
});
