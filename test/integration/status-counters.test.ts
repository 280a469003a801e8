import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderPath, startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { folderCounter, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { describeRun, parseReport, runCli, scratchDir, spawnCli, type CliResult } from '../support/cli-runner';
import { bigMessage, bulkMessages } from '../support/corpus';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';
import { settled } from '../support/settled-count';

/**
 * `mailmover-bridge status` after interrupted runs: a migration stopped mid-folder by Ctrl+C,
 * then by SIGTERM, then killed with SIGKILL, then run to completion and run again with nothing
 * new. The state dir's counters for it must be those of all runs together (what is on the
 * target), not those of the run that finished the folder; each run's own --json report says
 * what that run did.
 */
const alice: MailUser = { user: 'alice@old.example.com', password: 'Counters-src-pw-7Qe' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Counters-tgt-pw-3Wz' };
/** A second pair: one folder of two big messages, copied one per run. */
const carol: MailUser = { user: 'carol@old.example.com', password: 'Counters-src-pw-9Lk' };
const dave: MailUser = { user: 'dave@new.example.com', password: 'Counters-tgt-pw-5Hn' };
const INBOX_COUNT = 100;
const BIG_COUNT = 2;
const ARCHIVE_COUNT = 10;
const TOTAL = INBOX_COUNT + BIG_COUNT + ARCHIVE_COUNT;

interface StatusMigration {
  account: string;
  copied: number;
  skipped: number;
  alreadyPresent: number;
}

for (const kind of ['dovecot', 'cyrus'] as const) {
  describe(`status counters after interrupted runs (${kind})`, () => {
    let src: AnyMailServer;
    let tgt: AnyMailServer;
    let slow: SlowProxy;
    let counter: Awaited<ReturnType<typeof folderCounter>>;
    const scratch = scratchDir(`status-counters-${kind}`);
    const env = { SRC_PW: alice.password, TGT_PW: bob.password };
    const args = () => [
      '--source', `imap://${encodeURIComponent(alice.user)}@${src.host}:${src.imapPort}`, '--source-password-env', 'SRC_PW',
      // Through a slow link, so that each run can be stopped while a folder is half copied.
      '--target', `imap://${encodeURIComponent(bob.user)}@127.0.0.1:${slow.port}`, '--target-password-env', 'TGT_PW',
      '--allow-plaintext', '--state-dir', scratch.path('state'), '--batch-messages', '5', '--concurrency', '1', '--json',
    ];

    beforeAll(async () => {
      [src, tgt] = await Promise.all([
        startMailServer(kind, { name: `counters-src-${kind}`, users: [alice, carol], specialUse: false }),
        startMailServer(kind, { name: `counters-tgt-${kind}`, users: [bob, dave], specialUse: false }),
      ]);
      await seedFolder(src, alice, 'INBOX', bulkMessages(INBOX_COUNT, 61, { prefix: 'in', minBody: 3000, maxBody: 4000 }));
      await seedFolder(src, alice, folderPath(src, '大附件'), bulkMessages(BIG_COUNT, 62, { prefix: 'big', minBody: 60_000, maxBody: 70_000 }));
      await seedFolder(src, alice, folderPath(src, 'Archive'), bulkMessages(ARCHIVE_COUNT, 63, { prefix: 'arc', minBody: 3000, maxBody: 4000 }));
      await seedFolder(src, carol, folderPath(src, '大附件'), [bigMessage(300_000, 'big-1@old.example.com'), bigMessage(300_000, 'big-2@old.example.com')].map((raw) => ({ raw })));
      // About 3.5 s for the INBOX: room to stop each run mid-folder, and little more.
      slow = await startSlowProxy(tgt.imapPort, 100 * 1024);
      counter = await folderCounter(tgt, bob);
    }, 240_000);

    afterAll(async () => {
      await counter?.close();
      await slow?.close();
      await Promise.all([src?.stop(), tgt?.stop()]);
      scratch.cleanup();
    });

    /** Messages on the target, all folders (it was empty before the first run). */
    async function onTarget(): Promise<number> {
      const snap = await snapshotMailbox(tgt, bob);
      return Object.values(snap.folders).reduce((n, f) => n + f.state.messages, 0);
    }

    /** The target INBOX's count, read often while a run is to be stopped. */
    async function inboxNow(): Promise<number> {
      return counter.messages('INBOX').catch(() => 0);
    }

    /** The count once the target stopped changing (an APPEND sent before a kill may land after it). */
    const settledOnTarget = () => settled(onTarget, { pollMs: 300 });

    /** Starts a run and sends it `signal` once the target INBOX holds more than `above` (and not all of it). */
    async function runAndStop(signal: NodeJS.Signals, above: number): Promise<{ result: CliResult; stoppedAt: number }> {
      const run = spawnCli(args(), { env });
      let exited = false;
      run.child.once('exit', () => (exited = true));
      let stoppedAt = -1;
      const deadline = Date.now() + 90_000;
      while (!exited && Date.now() < deadline) {
        const n = await inboxNow();
        if (n > above && n < INBOX_COUNT) {
          process.kill(run.pid, signal);
          stoppedAt = n;
          break;
        }
        await sleep(50);
      }
      const result = await run.done;
      expect(stoppedAt, `the run was not caught mid-INBOX\n${describeRun(result)}`).toBeGreaterThan(above);
      return { result, stoppedAt };
    }

    async function status(stateDir = scratch.path('state')): Promise<StatusMigration> {
      const r = await runCli(['--state-dir', stateDir, '--json'], { command: 'status', env });
      // 3: no bridge runs with this state dir (a command line's state dir).
      expect(r.code, describeRun(r)).toBe(3);
      const cli = (JSON.parse(r.stdout) as { cliMigrations: StatusMigration[] }).cliMigrations;
      expect(cli, describeRun(r)).toHaveLength(1);
      return cli[0]!;
    }

    it('status counts every message copied over all runs, as many as the target holds', async () => {
      const log: string[] = [];
      // 1: Ctrl+C mid-INBOX.
      const first = await runAndStop('SIGINT', 10);
      expect(first.result.code, describeRun(first.result)).toBe(130);
      const afterFirst = await settledOnTarget();
      const firstReport = parseReport(first.result.stdout).accounts[0]!;
      log.push(`run 1 (SIGINT at ${first.stoppedAt}): report copied ${firstReport.messagesCopied}; target ${afterFirst}; status ${JSON.stringify(await status())}`);
      // What the stopped run reports is what it copied: no more than the target holds.
      expect(firstReport.messagesCopied).toBeLessThanOrEqual(afterFirst);
      expect(firstReport.messagesCopied).toBeGreaterThan(0);
      // Stopped cleanly: every copy on the target is counted.
      expect(await status(), log.join('\n')).toMatchObject({ copied: afterFirst, alreadyPresent: 0, skipped: 0 });

      // 2: SIGTERM mid-INBOX, further on.
      const second = await runAndStop('SIGTERM', afterFirst + 10);
      expect(second.result.code, describeRun(second.result)).toBe(143);
      const afterSecond = await settledOnTarget();
      const secondReport = parseReport(second.result.stdout).accounts[0]!;
      log.push(`run 2 (SIGTERM at ${second.stoppedAt}): report copied ${secondReport.messagesCopied}, already ${secondReport.messagesAlreadyPresent}; target ${afterSecond}; status ${JSON.stringify(await status())}`);
      // This run's copies are its own; the earlier run's are "already present" to it.
      expect(secondReport.messagesCopied, log.join('\n')).toBeGreaterThan(0);
      expect(secondReport.messagesCopied, log.join('\n')).toBeLessThanOrEqual(afterSecond - firstReport.messagesCopied);
      expect(await status(), log.join('\n')).toMatchObject({ copied: afterSecond, alreadyPresent: 0, skipped: 0 });

      // 3: SIGKILL mid-INBOX: no report, no clean-up.
      const third = await runAndStop('SIGKILL', afterSecond + 10);
      expect(third.result.signal).toBe('SIGKILL');
      const afterThird = await settledOnTarget();
      const s3 = await status();
      log.push(`run 3 (SIGKILL at ${third.stoppedAt}): target ${afterThird}; status ${JSON.stringify(s3)}`);
      // Killed: the copies whose answer it never read have no row yet (the next run finds them),
      // but what is counted is on the target, the earlier runs' copies included.
      expect(s3.copied, log.join('\n')).toBeGreaterThanOrEqual(afterSecond);
      expect(s3.copied, log.join('\n')).toBeLessThanOrEqual(afterThird);

      // 4: to the end, at full speed.
      slow.setRate(Infinity);
      const fourth = await runCli(args(), { env });
      expect(fourth.code, describeRun(fourth)).toBe(0);
      const fourthReport = parseReport(fourth.stdout).accounts[0]!;
      const afterFourth = await settledOnTarget();
      const s4 = await status();
      log.push(`run 4 (complete): report copied ${fourthReport.messagesCopied}, already ${fourthReport.messagesAlreadyPresent}, skipped ${fourthReport.messagesSkipped}; target ${afterFourth}; status ${JSON.stringify(s4)}`);
      expect(afterFourth, log.join('\n')).toBe(TOTAL);
      // The finishing run reports what it did: what the target gained in it, the rest already there.
      expect(fourthReport.messagesCopied, log.join('\n')).toBe(afterFourth - afterThird);
      expect(fourthReport.messagesCopied + fourthReport.messagesAlreadyPresent + fourthReport.messagesSkipped, log.join('\n')).toBe(TOTAL);
      // The state dir's counters: every copy of every run, none of them counted twice or lost.
      expect(s4, log.join('\n')).toMatchObject({ copied: afterFourth, alreadyPresent: 0, skipped: 0 });

      // 5: again, nothing new: nothing copied by it, and the counters stay.
      const fifth = await runCli(args(), { env });
      expect(fifth.code, describeRun(fifth)).toBe(0);
      const fifthReport = parseReport(fifth.stdout).accounts[0]!;
      const s5 = await status();
      log.push(`run 5 (nothing new): report copied ${fifthReport.messagesCopied}, already ${fifthReport.messagesAlreadyPresent}; target ${await onTarget()}; status ${JSON.stringify(s5)}`);
      console.log(`[${kind}]\n${log.join('\n')}`);
      expect(fifthReport.messagesCopied, log.join('\n')).toBe(0);
      expect(fifthReport.messagesAlreadyPresent, log.join('\n')).toBe(TOTAL);
      expect(await onTarget()).toBe(TOTAL);
      expect(s5, log.join('\n')).toMatchObject({ copied: TOTAL, alreadyPresent: 0, skipped: 0 });
    }, 300_000);

    it('a folder of two messages copied one per run counts both', async () => {
      const stateDir = scratch.path('state-big');
      const bigProxy = await startSlowProxy(tgt.imapPort, 100 * 1024);
      const folder = folderPath(tgt, '大附件');
      const bigCounter = await folderCounter(tgt, dave);
      try {
        const bigArgs = [
          '--source', `imap://${encodeURIComponent(carol.user)}@${src.host}:${src.imapPort}`, '--source-password-env', 'SRC_PW',
          '--target', `imap://${encodeURIComponent(dave.user)}@127.0.0.1:${bigProxy.port}`, '--target-password-env', 'TGT_PW',
          '--allow-plaintext', '--state-dir', stateDir, '--batch-messages', '1', '--concurrency', '1', '--json',
        ];
        const bigEnv = { SRC_PW: carol.password, TGT_PW: dave.password };
        const run = spawnCli(bigArgs, { env: bigEnv });
        let exited = false;
        run.child.once('exit', () => (exited = true));
        let stopped = false;
        for (let i = 0; i < 1200 && !exited; i++) {
          if ((await bigCounter.messages(folder).catch(() => 0)) >= 1) {
            // SIGKILL: a Ctrl+C lets the APPEND under way (the second message) finish first.
            run.child.kill('SIGKILL');
            stopped = true;
            break;
          }
          await sleep(50);
        }
        const first = await run.done;
        expect(stopped, describeRun(first)).toBe(true);
        expect(first.signal, describeRun(first)).toBe('SIGKILL');
        await sleep(1000);
        const afterFirst = await bigCounter.messages(folder);
        // One per run: the second message's APPEND was cut mid-literal.
        expect(afterFirst).toBe(1);
        // Its row is written once the answer is read: the kill may have come first (seen on Cyrus).
        const killed = await status(stateDir);
        expect(killed.copied, describeRun(first)).toBeLessThanOrEqual(1);
        expect(killed, describeRun(first)).toMatchObject({ alreadyPresent: 0, skipped: 0 });

        bigProxy.setRate(Infinity);
        const second = await runCli(bigArgs, { env: bigEnv });
        expect(second.code, describeRun(second)).toBe(0);
        const secondReport = parseReport(second.stdout).accounts[0]!;
        expect(await bigCounter.messages(folder)).toBe(2);
        // The second run did the rest; the first run's copy was there already.
        expect(secondReport.messagesCopied, describeRun(second)).toBe(1);
        expect(secondReport.messagesAlreadyPresent, describeRun(second)).toBe(1);
        // Both copies are the migration's, whichever run's row says so.
        expect(await status(stateDir), describeRun(second)).toMatchObject({ copied: 2, alreadyPresent: 0, skipped: 0 });
      } finally {
        await bigCounter.close();
        await bigProxy.close();
      }
    }, 180_000);
  });
}
