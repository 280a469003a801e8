import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderPath, startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { readFolder, seedFolder } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, scratchDir, spawnCli, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';

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

/** Message-ID -> how many times it is in the folder. */
async function messageIds(server: AnyMailServer, user: MailUser, folder: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await readFolder(server, user, folder, { withRaw: true })) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw!.toString('latin1'))?.[1] ?? `(none, ${m.sha256})`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('two migrate processes of one mailbox pair at once, the server named localhost by one and 127.0.0.1 by the other', () => {
  let server: AnyMailServer;
  const scratch = scratchDir('pair-lock-aliases');
  const folders: Array<{ folder: string; ids: string[] }> = [];

  beforeAll(async () => {
    server = await startMailServer('dovecot', { name: 'pair-lock-aliases', users: [alice, bob] });
    expect(server.host).toBe('127.0.0.1');
    const inbox = bulkMessages(1200, 81, { prefix: 'in', minBody: 2000, maxBody: 20_000 });
    const work = bulkMessages(300, 82, { prefix: 'work', minBody: 2000, maxBody: 20_000 });
    const workPath = folderPath(server, 'Work');
    await seedFolder(server, alice, 'INBOX', inbox);
    await seedFolder(server, alice, workPath, work);
    const ids = (ms: typeof inbox) => ms.map((m) => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw.toString())![1]!);
    folders.push({ folder: 'INBOX', ids: ids(inbox) }, { folder: workPath, ids: ids(work) });
  });
  afterAll(async () => {
    await server?.stop();
    scratch.cleanup();
  });

  const args = (host: string) => [
    '--source', `imap://${encodeURIComponent(alice.user)}@${host}:${server.imapPort}`, '--source-password-env', 'SRC_PW',
    '--target', `imap://${encodeURIComponent(bob.user)}@${host}:${server.imapPort}`, '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--json',
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

    for (const f of folders) {
      const onTarget = await messageIds(server, bob, f.folder);
      const doubled = [...onTarget].filter(([, n]) => n > 1);
      expect(doubled.length, `${f.folder}: messages that arrived more than once (of ${f.ids.length}), e.g. ${doubled.slice(0, 3).map(([id, n]) => `${id} x${n}`).join(', ')}`).toBe(0);
      expect([...onTarget.keys()].sort(), f.folder).toEqual([...f.ids].sort());
    }

    const winner = results.findIndex((r) => r.code === 0);
    const loser = results.findIndex((r) => r.code !== 0);
    expect(winner, `one run ends done:\n${results.map(describeRun).join('\n')}`).toBeGreaterThanOrEqual(0);
    expect(loser, `one run is refused:\n${results.map(describeRun).join('\n')}`).toBeGreaterThanOrEqual(0);
    const won = results[winner]!;
    const lost = results[loser]!;
    expect(parseReport(won.stdout).accounts[0]).toMatchObject({ status: 'done', messagesCopied: total });
    expect(lost.code, describeRun(lost)).toBe(1);
    const refused = parseReport(lost.stdout).accounts[0]!;
    expect(refused).toMatchObject({ status: 'failed', messagesCopied: 0, messagesAlreadyPresent: 0, folders: [] });
    expect(refused.error?.code).toBe('ALREADY_RUNNING');
    // The refusal names the refused run's mailboxes as it wrote them, and the holder's pid.
    const host = hosts[loser]!;
    expect(refused.error!.message).toContain(`process ${runs[winner]!.pid}, running since `);
    expect(refused.error!.message).toContain(`${alice.user} on ${host}:${server.imapPort} to ${bob.user} on ${host}:${server.imapPort}`);
    expect(lost.ms).toBeLessThan(won.ms);

    // The pair is free again under either name: each copies nothing more.
    for (const name of hosts) {
      const again = await runCli(args(name), { env });
      expect(again.code, describeRun(again)).toBe(0);
      expect(parseReport(again.stdout).accounts[0], name).toMatchObject({ status: 'done', messagesCopied: 0, messagesAlreadyPresent: total });
    }
  });
});
