/**
 * kill -9 mid-copy and resume through the CLI, Dovecot source -> each target kind of the matrix
 * (Dovecot, Cyrus with Debian's config, Courier): the CLI is SIGKILLed while INBOX is being copied,
 * then run to completion with the same state dir. Every source message must be on the target exactly
 * once (as the target stores such bytes: Cyrus replaces 8-bit header bytes with 'X'), the last run
 * must account for all of them, and the source must be unchanged. Two ways to be killed:
 * - once, one worker, the target saying where it stored each message (UIDPLUS);
 * - twice in one folder, three workers copying it (chunks settle out of order, so the checkpoint
 *   has gaps behind it), the target's UIDPLUS hidden by a proxy (no copy of ours has a known
 *   target UID).
 * The full-size version of the first runs on the Dovecot pair in cli-resume.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderCounter, folderState, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { describeRun, leakedSecrets, parseReport, runAndKillMidCopy, runCli, scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';
import { expectedIdentities } from './matrix-engine-support';
import { settled } from '../support/settled-count';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Kill-src-pw-Hn4' };
// The killed runs reach the target through a slow uplink (LINK_RATE a connection: a chunk of 20
// messages takes most of a second, a Courier APPEND a tick of the link each), so the copy lasts
// seconds on any machine and each kill lands mid-INBOX; the run after the kills goes at full speed.
// A slow link instead of thousands of messages: the suite's runtime is CPU.
const INBOX_COUNT = 300;
const LINK_RATE = 16 * 1024;
const ARCHIVE_COUNT = 40;

const VARIANTS = [
  { name: 'kill -9 once, one worker, target with UIDPLUS', kills: 1, workers: 1, hideUidplus: false, bob: { user: 'bob@new.example.com', password: 'Kill-tgt-pw-Ud7' } },
  { name: 'kill -9 twice, three workers, target without UIDPLUS', kills: 2, workers: 3, hideUidplus: true, bob: { user: 'bob-nouidplus@new.example.com', password: 'Kill-tgt-pw-5Gh' } },
] as const;

describe.each(MATRIX.map((c) => [c.kind, c] as const))('kill -9 and resume: dovecot -> %s', (_kind, config) => {
  let src: AnyMailServer;
  let tgt: AnyMailServer;
  let slow: SlowProxy;
  let hiding: AnsweringProxy;
  let sourceBefore: MailboxSnapshot;
  const scratch = scratchDir(`mx-kill-${config.kind}`);

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startConfig(MATRIX[0]!, { name: 'mx-kill-src', users: [alice] }),
      startConfig(config, { name: `mx-kill-${config.kind}`, users: VARIANTS.map((v) => v.bob) }),
    ]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(INBOX_COUNT, 601, { minBody: 100, maxBody: 600 }));
    await seedFolder(src, alice, 'Archive', bulkMessages(ARCHIVE_COUNT, 602, { prefix: 'arc', minBody: 100, maxBody: 600 }));
    sourceBefore = await snapshotMailbox(src, alice);
    slow = await startSlowProxy(tgt.imapPort, LINK_RATE);
    hiding = await startAnsweringProxy(slow.port, () => undefined, { hide: ['UIDPLUS', 'APPENDUID'] });
  });

  afterAll(async () => {
    await hiding?.close();
    await slow?.close();
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  it.each(VARIANTS)('$name: every message exactly once, all accounted for, the source unchanged', async (v) => {
    const env = { SRC_PW: alice.password, TGT_PW: v.bob.password };
    const targetPort = v.hideUidplus ? hiding.port : slow.port;
    slow.setRate(LINK_RATE);
    const args = [
      '--source', `imap://${encodeURIComponent(alice.user)}@${src.host}:${src.imapPort}`, '--source-password-env', 'SRC_PW',
      '--target', `imap://${encodeURIComponent(v.bob.user)}@127.0.0.1:${targetPort}`, '--target-password-env', 'TGT_PW',
      '--allow-plaintext', '--state-dir', scratch.path(`state-${v.kills}-${v.workers}`), '--batch-messages', '20', '--concurrency', String(v.workers), '--json',
    ];
    const targetInbox = async (): Promise<number> => (await folderState(tgt, v.bob, 'INBOX')).messages;
    /** The target count once it stopped changing (an APPEND received before the kill may still commit). */
    const settledInbox = () => settled(targetInbox);

    let above = 60;
    let afterKill = 0;
    for (let kill = 1; kill <= v.kills; kill++) {
      // Watched over one connection (a new login every 30 ms cost more CPU than the copies), closed
      // before the count settles over new logins as before. The next run starts once the count has
      // been still for 200 ms: Courier may still store an APPEND of the dead client seconds later
      // (seen: 0.7 to 2.9 s), which the run must find instead of copying it again (late-appends.ts).
      const counter = await folderCounter(tgt, v.bob);
      const { killedAt, result } = await runAndKillMidCopy(args, { env, progress: () => counter.messages('INBOX'), above, total: INBOX_COUNT, pollMs: 30 }).finally(() => counter.close());
      expect(killedAt, `kill ${kill} not caught mid-copy: ${describeRun(result)}`).toBeDefined();
      expect(result.signal).toBe('SIGKILL');
      afterKill = await settledInbox();
      expect(afterKill).toBeGreaterThan(above);
      expect(afterKill).toBeLessThan(INBOX_COUNT);
      above = afterKill + 40;
    }

    slow.setRate(Infinity);
    const r = await runCli(args, { env });
    expect(leakedSecrets(r, [alice.password, v.bob.password])).toEqual([]);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.status, describeRun(r)).toBe('done');
    expect(a.messagesSkipped, describeRun(r)).toBe(0);
    expect(a.messagesCopied + a.messagesAlreadyPresent, describeRun(r)).toBe(INBOX_COUNT + ARCHIVE_COUNT);
    let onTargetTotal = 0;
    for (const folder of ['INBOX', 'Archive']) {
      const target = a.folders.find((f) => f.source === folder)!.target;
      const onTarget = await readFolder(tgt, v.bob, target);
      onTargetTotal += onTarget.length;
      expect(identities(onTarget), `${folder} -> ${target}`).toEqual(expectedIdentities(await readFolder(src, alice, folder, { withRaw: true }), tgt));
    }
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
    console.log(
      `matrix | dovecot -> ${tgt.kind} | ${v.name} | source ${INBOX_COUNT + ARCHIVE_COUNT} | target ${onTargetTotal} (${afterKill} in INBOX at the last kill) | copied ${a.messagesCopied} | already ${a.messagesAlreadyPresent}`,
    );
  });
});
