import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { folderCounter, readFolder, snapshotMailbox, seedFolder, type MailboxSnapshot } from '../harness/mailbox';
import { describeRun, leakedSecrets, parseReport, runCli, scratchDir, runAndKillMidCopy, serverUrl } from '../support/cli-runner';
import { bulkMessages, trickyMessages } from '../support/corpus';
import { pop3Sessions, waitForSessions } from './pop3-support';
import { settled } from '../support/settled-count';

/**
 * Crash and resume with a POP3 source: the CLI is SIGKILLed twice while it copies (no
 * QUIT, no checkpoint, no cleanup), then run to completion. Every message must be on the
 * target exactly once; the last run must account for all of them, download only what is
 * not on the target yet (messages APPENDed just before a kill are recognised from their
 * header with TOP), and no session may ever delete anything.
 */
const alice: DovecotUser = { user: 'alice@old.example.com', password: 'Pop3-resume-src-Cw4' };
const bob: DovecotUser = { user: 'bob@new.example.com', password: 'Pop3-resume-tgt-Ux6' };
const COUNT = 4000;

describe('cli migrate from POP3: SIGKILL mid-copy, then resume', () => {
  let src: DovecotServer;
  let tgt: DovecotServer;
  /** The target's counts, polled while a run is killed (one connection, see folderCounter). */
  let counter: Awaited<ReturnType<typeof folderCounter>>;
  const scratch = scratchDir('pop3-resume');
  let sourceBefore: MailboxSnapshot;
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };
  const args = () => [
    '--source', `pop3://${encodeURIComponent(alice.user)}@${src.host}:${src.pop3Port}`, '--source-password-env', 'SRC_PW',
    '--target', serverUrl(tgt, { user: bob.user }), '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--batch-messages', '50', '--json',
  ];

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startDovecot({ name: 'pop3-resume-src', users: [alice], extraConfig: 'pop3_no_flag_updates = yes' }),
      startDovecot({ name: 'pop3-resume-tgt', users: [bob] }),
    ]);
    await seedFolder(src, alice, 'INBOX', [...trickyMessages(), ...bulkMessages(COUNT - 8, 51, { minBody: 100, maxBody: 600 })]);
    sourceBefore = await snapshotMailbox(src, alice);
    expect(sourceBefore.folders.INBOX!.messages).toHaveLength(COUNT);
    counter = await folderCounter(tgt, bob);
  });

  afterAll(async () => {
    await counter?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const inbox = () => counter.messages('INBOX');

  /** The count once the target has settled: an APPEND fully received before the kill may still commit. */
  const settledInbox = () => settled(inbox);

  async function runAndKill(above: number): Promise<number> {
    const { killedAt, result } = await runAndKillMidCopy(args(), { env, progress: inbox, above, total: COUNT, pollMs: 20 });
    expect(killedAt, `the CLI was not caught mid-copy (INBOX > ${above} and < ${COUNT}): ${describeRun(result)}`).toBeDefined();
    expect(result.signal, describeRun(result)).toBe('SIGKILL');
    expect(result.stdout).toBe('');
    expect(leakedSecrets(result, [alice.password, bob.password])).toEqual([]);
    return killedAt!;
  }

  it('kill, kill, finish: every message exactly once, nothing downloaded twice that was already there', async () => {
    const first = await runAndKill(300);
    const afterFirst = await settledInbox();
    expect(afterFirst).toBeGreaterThanOrEqual(first);
    expect(afterFirst).toBeLessThan(COUNT);

    const second = await runAndKill(afterFirst + 300);
    expect(second).toBeGreaterThan(afterFirst);
    const afterSecond = await settledInbox();
    expect(afterSecond).toBeLessThan(COUNT);

    const sessionsBefore = (await waitForSessions(src, 2)).length;
    const r = await runCli(args(), { env });
    expect(r.code, describeRun(r)).toBe(0);
    expect(leakedSecrets(r, [alice.password, bob.password])).toEqual([]);
    const [a] = parseReport(r.stdout).accounts;
    expect(a).toMatchObject({ status: 'done', messagesSkipped: 0, messagesCopied: COUNT - afterSecond, messagesAlreadyPresent: afterSecond });
    expect(a!.folders).toEqual([expect.objectContaining({ source: 'INBOX', target: 'INBOX' })]);

    // Exactly once, byte-exact.
    const onTarget = await readFolder(tgt, bob, 'INBOX');
    expect(onTarget).toHaveLength(COUNT);
    expect(onTarget.map((m) => m.sha256).sort()).toEqual(sourceBefore.folders.INBOX!.messages.map((m) => m.sha256).sort());

    // The last run downloaded exactly the messages that were not on the target yet.
    const last = (await waitForSessions(src, sessionsBefore + 1)).slice(sessionsBefore);
    expect(last).toHaveLength(1);
    // Whole messages come by TOP; header probes (TOP n 0) for size matches add a few more.
    expect(last[0]!.retr).toBe(0);
    expect(last[0]!.top).toBeGreaterThanOrEqual(COUNT - afterSecond);
    // Killed sessions ended without QUIT; none of them, nor the last one, deleted anything.
    expect(pop3Sessions(src).every((s) => s.del === 0)).toBe(true);
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });
});
