import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { folderCounter, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, scratchDir, runAndKillMidCopy, serverUrl } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';
import { settled } from '../support/settled-count';

/**
 * Crash and resume through the CLI: the migration process is SIGKILLed twice while it is
 * copying INBOX (no chance to finish an APPEND, write a checkpoint or clean up), then run to
 * completion. Every source message must end up on the target exactly once, and the last run
 * must account for all of them as copied or already present.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Resume-src-pw-Tb6Gc2' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Resume-tgt-pw-Yf3Mz8' };
const INBOX_COUNT = 3000;

describe('cli migrate: SIGKILL mid-copy, then resume', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  /** The target's counts, polled while a run is killed (one connection, see folderCounter). */
  let counter: Awaited<ReturnType<typeof folderCounter>>;
  const scratch = scratchDir('resume');
  let sourceBefore: MailboxSnapshot;
  let total = 0;
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };
  const args = () => [
    '--source', serverUrl(src, { user: alice.user }), '--source-password-env', 'SRC_PW',
    '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--batch-messages', '50', '--concurrency', '2', '--json',
  ];

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startDovecot({ name: 'cli-resume-src', users: [alice] }), startDovecot({ name: 'cli-resume-tgt', users: [bob] })]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(INBOX_COUNT, 41, { minBody: 100, maxBody: 600 }));
    await seedFolder(src, alice, 'Archive', bulkMessages(400, 42, { prefix: 'arc', minBody: 100, maxBody: 600 }));
    await seedFolder(src, alice, 'Projects/Big', bulkMessages(300, 43, { prefix: 'big', minBody: 100, maxBody: 600 }));
    sourceBefore = await snapshotMailbox(src, alice);
    total = Object.values(sourceBefore.folders).reduce((s, f) => s + f.messages.length, 0);
    expect(total).toBe(INBOX_COUNT + 700);
    counter = await folderCounter(tgt, bob);
  });

  afterAll(async () => {
    await counter?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  /** Messages on the target in the folders the source has: INBOX and all of them. */
  async function targetCounts(): Promise<{ inbox: number; all: number }> {
    let all = 0;
    let inbox = 0;
    for (const name of Object.keys(sourceBefore.folders)) {
      // A folder the killed run did not get to may not exist on the target yet.
      const n = await counter.messages(name).catch(() => 0);
      all += n;
      if (name === 'INBOX') inbox = n;
    }
    return { inbox, all };
  }

  /**
   * The counts once the target has settled: an APPEND the server had fully received when the
   * client died may still be committed after the kill.
   */
  const settledCounts = () => settled(targetCounts, { key: (c) => c.all });

  /**
   * Starts the CLI and SIGKILLs it as soon as the target's INBOX holds more than `above`
   * messages (polled every ~50 ms), before it is complete. Returns the INBOX count seen at
   * kill time.
   */
  async function runAndKill(above: number): Promise<number> {
    const { killedAt, result, pid } = await runAndKillMidCopy(args(), {
      env,
      progress: () => counter.messages('INBOX'),
      above,
      total: INBOX_COUNT,
      pollMs: 50,
    });
    expect(killedAt, `the CLI was not caught mid-copy (INBOX > ${above} and < ${INBOX_COUNT}): ${describeRun(result)}`).toBeDefined();
    expect(result.signal, describeRun(result)).toBe('SIGKILL');
    expect(result.stdout, 'a killed run prints no report').toBe('');
    expect(leakedSecrets(result, [alice.password, bob.password])).toEqual([]);
    // The pid we killed was the migrating node process itself: it is gone.
    expect(() => process.kill(pid, 0)).toThrow();
    return killedAt!;
  }

  it('kill, kill, finish: every message exactly once, and the last run accounts for all of them', async () => {
    const firstKill = await runAndKill(300);
    expect(firstKill).toBeGreaterThan(300);
    expect(firstKill).toBeLessThan(INBOX_COUNT);
    const afterFirst = await settledCounts();
    expect(afterFirst.inbox).toBeGreaterThanOrEqual(firstKill);
    expect(afterFirst.all).toBeLessThan(total);

    const secondKill = await runAndKill(afterFirst.inbox + 300);
    expect(secondKill).toBeGreaterThan(afterFirst.inbox);
    expect(secondKill).toBeLessThan(INBOX_COUNT);
    const afterSecond = await settledCounts();
    expect(afterSecond.all).toBeGreaterThan(afterFirst.all);
    expect(afterSecond.all).toBeLessThan(total);

    const r = await runCli(args(), { env });
    expect(leakedSecrets(r, [alice.password, bob.password])).toEqual([]);
    expect(r.code, describeRun(r)).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.accounts).toHaveLength(1);
    const a = report.accounts[0]!;
    expect(a.status).toBe('done');
    expect(a.messagesSkipped).toBe(0);
    expect(a.messagesCopied + a.messagesAlreadyPresent).toBe(total);
    // What was on the target after the second kill counts as already there; the rest is copied now.
    expect(a.messagesCopied).toBe(total - afterSecond.all);
    expect(a.messagesAlreadyPresent).toBe(afterSecond.all);

    for (const [name, f] of Object.entries(sourceBefore.folders)) {
      const onTarget = await readFolder(tgt, bob, name);
      expect(onTarget.length, name).toBe(f.messages.length);
      expect(identities(onTarget), name).toEqual(identities(f.messages));
    }
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });
});
