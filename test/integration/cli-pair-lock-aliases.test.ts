import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderPath, startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { seedFolder } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, scratchDir, spawnCli, type CliResult } from '../support/cli-runner';
import { expectOneCopiedOneRefused, messageIds } from '../support/pair-race';
import { bulkMessages } from '../support/corpus';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';

/**
 * Two `migrate` processes of one mailbox pair at once, one naming the server `localhost` and the
 * other `127.0.0.1` (one server by two names, as imap.corp and mail.corp with one address are): the
 * pair's name key differs, so only the lock on the resolved addresses (bridge/engine/pair-lock-keys.ts)
 * keeps the second from surveying the target before the first APPENDs and doubling every message.
 * The second fails at once as ALREADY_RUNNING naming the first; each message arrives once.
 * On Dovecot, which copies fastest (the race is hardest to win there).
 */
const alice: MailUser = { user: 'alice@old.example.com', password: 'Alias-src-pw-Hr5Td2-never-print' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Alias-tgt-pw-Kw8Ys3-never-print' };
const SECRETS = [alice.password, bob.password];
const env = { SRC_PW: alice.password, TGT_PW: bob.password };

describe('two migrate processes of one mailbox pair at once, the server named localhost by one and 127.0.0.1 by the other', () => {
  let server: AnyMailServer;
  let link: SlowProxy;
  const scratch = scratchDir('pair-lock-aliases');
  const folders: Array<{ target: string; ids: string[] }> = [];

  beforeAll(async () => {
    server = await startMailServer('dovecot', { name: 'pair-lock-aliases', users: [alice, bob] });
    expect(server.host).toBe('127.0.0.1');
    const inbox = bulkMessages(160, 81, { prefix: 'in', minBody: 2000, maxBody: 20_000 });
    const work = bulkMessages(40, 82, { prefix: 'work', minBody: 2000, maxBody: 20_000 });
    const workPath = folderPath(server, 'Work');
    await seedFolder(server, alice, 'INBOX', inbox);
    await seedFolder(server, alice, workPath, work);
    // The target behind a slow uplink (one worker at 512 KB/s: these 200 messages take about 4 s to
    // APPEND), so the first run still holds the pair when the second starts, on a busy machine too.
    link = await startSlowProxy(server.imapPort, 512 * 1024);
    const ids = (ms: typeof inbox) => ms.map((m) => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw.toString())![1]!);
    folders.push({ target: 'INBOX', ids: ids(inbox) }, { target: workPath, ids: ids(work) });
  });
  afterAll(async () => {
    await link?.close();
    await server?.stop();
    scratch.cleanup();
  });

  const args = (host: string) => [
    '--source', `imap://${encodeURIComponent(alice.user)}@${host}:${server.imapPort}`, '--source-password-env', 'SRC_PW',
    '--target', `imap://${encodeURIComponent(bob.user)}@${host}:${link.port}`, '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--concurrency', '1', '--json',
  ];

  it('a dry run by each name first writes nothing (and warms the CLI, so the two runs below start close together)', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const dry = await runCli([...args(host), '--dry-run'], { env });
      expect(leakedSecrets(dry, SECRETS), describeRun(dry)).toEqual([]);
      expect(dry.code, describeRun(dry)).toBe(0);
    }
    expect(await messageIds(server, bob, 'INBOX')).toEqual(new Map());
  });

  it('the second fails at once as ALREADY_RUNNING naming the first (exit 1), and every message arrives exactly once', async () => {
    const hosts = ['localhost', '127.0.0.1'];
    const runs = hosts.map((host) => spawnCli(args(host), { env, timeoutMs: 150_000 }));
    const results: CliResult[] = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(leakedSecrets(r, SECRETS), describeRun(r)).toEqual([]);
    const total = folders.reduce((s, f) => s + f.ids.length, 0);

    const { loser, message } = await expectOneCopiedOneRefused(server, bob, folders, runs, results);
    // The refusal names the refused run's mailboxes as it wrote them.
    const host = hosts[loser]!;
    expect(message).toContain(`${alice.user} on ${host}:${server.imapPort} to ${bob.user} on ${host}:${link.port}`);

    // The pair is free again under either name: each copies nothing more.
    for (const name of hosts) {
      const again = await runCli(args(name), { env });
      expect(again.code, describeRun(again)).toBe(0);
      expect(parseReport(again.stdout).accounts[0], name).toMatchObject({ status: 'done', messagesCopied: 0, messagesAlreadyPresent: total });
    }
  });
});
