/**
 * kill -9 of the CLI twice in one folder, then a run to the end, on a target without UIDPLUS
 * (hidden by a proxy: no copy of ours has a known target UID) and with three workers copying
 * the same folder (chunks settle out of order, so the checkpoint has gaps behind it). What
 * matrix-engine-kill does not cover: it kills once, with one worker, on targets that say
 * where they stored each message. Dovecot source -> each target kind of the matrix.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderState, readFolder, seedFolder, snapshotMailbox, type MailboxSnapshot } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { describeRun, parseReport, runAndKillMidCopy, runCli, scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';
import { expectedIdentities } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'KillNoUidplus-src-pw-5Gh' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'KillNoUidplus-tgt-pw-1Vb' };
const INBOX_COUNT = 600;

describe.each(MATRIX.map((c) => [c.kind, c] as const))('kill -9 twice, three workers, target without UIDPLUS: dovecot -> %s', (_kind, config) => {
  let src: AnyMailServer;
  let tgt: AnyMailServer;
  let proxy: AnsweringProxy;
  let sourceBefore: MailboxSnapshot;
  const scratch = scratchDir(`kill-nouidplus-${config.kind}`);
  const env = { SRC_PW: alice.password, TGT_PW: bob.password };
  const args = (): string[] => [
    '--source', `imap://${encodeURIComponent(alice.user)}@${src.host}:${src.imapPort}`, '--source-password-env', 'SRC_PW',
    '--target', `imap://${encodeURIComponent(bob.user)}@127.0.0.1:${proxy.port}`, '--target-password-env', 'TGT_PW',
    '--allow-plaintext', '--state-dir', scratch.path('state'), '--batch-messages', '20', '--concurrency', '3', '--json',
  ];

  beforeAll(async () => {
    [src, tgt] = await Promise.all([
      startConfig(MATRIX[0]!, { name: 'kill-nouidplus-src', users: [alice] }),
      startConfig(config, { name: `kill-nouidplus-${config.kind}`, users: [bob] }),
    ]);
    await seedFolder(src, alice, 'INBOX', bulkMessages(INBOX_COUNT, 661, { minBody: 100, maxBody: 600 }));
    await seedFolder(src, alice, 'Archive', bulkMessages(30, 662, { prefix: 'arc', minBody: 100, maxBody: 600 }));
    sourceBefore = await snapshotMailbox(src, alice);
    proxy = await startAnsweringProxy(tgt.imapPort, () => undefined, { hide: ['UIDPLUS', 'APPENDUID'] });
  });

  afterAll(async () => {
    await proxy?.close();
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

  it('every message exactly once, all accounted for, the source unchanged', async () => {
    let above = 40;
    for (const kill of [1, 2]) {
      const { killedAt, result } = await runAndKillMidCopy(args(), { env, progress: targetInbox, above, total: INBOX_COUNT, pollMs: 30 });
      expect(killedAt, `kill ${kill} not caught mid-copy: ${describeRun(result)}`).toBeDefined();
      expect(result.signal).toBe('SIGKILL');
      above = (await settled()) + 40;
    }
    const r = await runCli(args(), { env });
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.status, describeRun(r)).toBe('done');
    expect(a.messagesSkipped, describeRun(r)).toBe(0);
    expect(a.messagesCopied + a.messagesAlreadyPresent, describeRun(r)).toBe(INBOX_COUNT + 30);
    for (const folder of ['INBOX', 'Archive']) {
      const target = a.folders.find((f) => f.source === folder)!.target;
      expect(identities(await readFolder(tgt, bob, target)), folder).toEqual(expectedIdentities(await readFolder(src, alice, folder, { withRaw: true }), tgt));
    }
    expect(await snapshotMailbox(src, alice)).toEqual(sourceBefore);
  });
});
