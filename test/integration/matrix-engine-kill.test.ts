/**
 * kill -9 mid-copy and resume through the CLI, Dovecot source -> each target kind of the matrix
 * (Dovecot, Cyrus with Debian's config, Courier): the CLI is SIGKILLed while INBOX is being copied,
 * then run to completion with the same state dir. Every source message must be on the target exactly
 * once (as the target stores such bytes: Cyrus replaces 8-bit header bytes with 'X'), the last run
 * must account for all of them, and the source must be unchanged. The full-size version of this runs
 * on the Dovecot pair in cli-resume.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderState, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { describeRun, leakedSecrets, parseReport, runAndKillMidCopy, runCli, scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { munge8bitHeader } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Kill-src-pw-Hn4' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Kill-tgt-pw-Ud7' };
// Enough that the copy lasts seconds even on a fast machine: the test polls the target over a new
// login each time (slow on Courier), and must catch the copy between 60 and all of them.
const INBOX_COUNT = 800;

const url = (s: AnyMailServer, user: string): string => `imap://${encodeURIComponent(user)}@${s.host}:${s.imapPort}`;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.each(MATRIX.map((c) => [c.kind, c] as const))('kill -9 and resume: dovecot -> %s', (_kind, config) => {
  let src: AnyMailServer;
  let tgt: AnyMailServer;
  let sourceBefore: MailboxSnapshot;
  const scratch = scratchDir(`mx-kill-${config.kind}`);
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };
  const args = (): string[] => [
    '--source', url(src, alice.user), '--source-password-env', 'SRC_PW',
    '--target', url(tgt, bob.user), '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--batch-messages', '20', '--concurrency', '1', '--json',
  ];

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startConfig(MATRIX[0]!, { name: 'mx-kill-src', users: [alice] }),
      startConfig(config, { name: `mx-kill-${config.kind}`, users: [bob] }),
    ]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(INBOX_COUNT, 601, { minBody: 100, maxBody: 600 }));
    await seedFolder(src, alice, 'Archive', bulkMessages(40, 602, { prefix: 'arc', minBody: 100, maxBody: 600 }));
    sourceBefore = await snapshotMailbox(src, alice);
  });

  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  const targetInbox = async (): Promise<number> => (await folderState(tgt, bob, 'INBOX')).messages;

  /** The target count once it stopped changing (an APPEND received before the kill may still commit). */
  async function settled(): Promise<number> {
    let last = await targetInbox();
    for (let i = 0; i < 30; i++) {
      await sleep(200);
      const now = await targetInbox();
      if (now === last) return now;
      last = now;
    }
    throw new Error(`the target kept changing after the kill: ${last}`);
  }

  it('SIGKILL mid-INBOX, then a full run: every message exactly once, all accounted for', async () => {
    const { killedAt, result } = await runAndKillMidCopy(args(), { env, progress: targetInbox, above: 60, total: INBOX_COUNT, pollMs: 30 });
    expect(killedAt, `not caught mid-copy: ${describeRun(result)}`).toBeDefined();
    expect(result.signal).toBe('SIGKILL');
    const afterKill = await settled();
    expect(afterKill).toBeGreaterThan(60);
    expect(afterKill).toBeLessThan(INBOX_COUNT);

    const r = await runCli(args(), { env });
    expect(leakedSecrets(r, [alice.password, bob.password])).toEqual([]);
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.status, describeRun(r)).toBe('done');
    expect(a.messagesSkipped, describeRun(r)).toBe(0);
    const total = Object.values(sourceBefore.folders).reduce((s, f) => s + f.messages.length, 0);
    expect(a.messagesCopied + a.messagesAlreadyPresent, describeRun(r)).toBe(total);

    for (const f of a.folders) {
      const srcMsgs = await readFolder(src, alice, f.source, { withRaw: true });
      const onTarget = await readFolder(tgt, bob, f.target);
      const expected = srcMsgs.map((m) => `${sha(tgt.rewrites8bitHeaders ? munge8bitHeader(m.raw!) : m.raw!)} ${m.flags.join(',')} ${m.internalDate.getTime()}`).sort();
      expect(onTarget.map((m) => `${m.sha256} ${m.flags.join(',')} ${m.internalDate.getTime()}`).sort(), `${f.source} -> ${f.target}`).toEqual(expected);
    }
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
    let onTargetTotal = 0;
    for (const f of a.folders) onTargetTotal += (await readFolder(tgt, bob, f.target)).length;
    console.log(
      `matrix | dovecot -> ${tgt.kind} | kill -9 | source ${total} | target ${onTargetTotal} (${afterKill} in INBOX at the kill) | copied ${a.messagesCopied} | already ${a.messagesAlreadyPresent} | skipped ${a.messagesSkipped}`,
    );
  });
});
