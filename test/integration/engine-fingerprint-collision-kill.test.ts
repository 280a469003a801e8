/**
 * kill -9 mid-copy and resume through the CLI, with a folder of robot mail in which messages
 * without Message-ID share Date, From, Subject and size but not their bodies (and each message
 * is there three times, identical). A resumed run looks for the copies the killed one made
 * after its last rows by fingerprint (plan-folder.ts, late-appends.ts): matched by fingerprint
 * alone, a pending message was taken for another one's copy, so on Courier 19 of 1,200 were
 * missing and 19 doubled while the last run said done. By body hash (content-match.ts) every
 * source message must end on the target exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderCounter, folderState, readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { describeRun, parseReport, runAndKillMidCopy, runCli, scratchDir } from '../support/cli-runner';
import type { CorpusMessage } from '../support/corpus';
import { settled } from '../support/settled-count';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Collide-kill-src-pw-4k' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Collide-kill-tgt-pw-9q' };
const COUNT = 600;
const CRLF = '\r\n';

/**
 * Each message three times in a row; every other group has no Message-ID. Groups k and k+70
 * have the same Subject, Date and size (bodies padded to one length), so those without a
 * Message-ID share a fingerprint with different bodies.
 */
function robotMail(): CorpusMessage[] {
  const out: CorpusMessage[] = [];
  for (let i = 0; i < COUNT; i++) {
    const k = Math.floor(i / 3);
    const h = ['From: robot@old.example.com', 'To: a@old.example.com', `Subject: nightly job ${k % 7}`, `Date: Mon, 6 Jan 2025 0${k % 10}:00:00 +0000`];
    if (k % 2 === 1) h.push(`Message-ID: <dup-${k}@old.example.com>`);
    const body = `report ${k} `.padEnd(2500, 'x');
    out.push({ raw: Buffer.from(h.join(CRLF) + CRLF + CRLF + body + CRLF), flags: i % 3 === 2 ? ['\\Seen'] : [], internalDate: new Date(`2025-01-06T0${k % 10}:00:00Z`) });
  }
  return out;
}

// Courier is where it was seen; Dovecot answers fastest, so its kills land in other places.
const TARGETS = MATRIX.filter((c) => c.kind === 'courier' || c.kind === 'dovecot');

describe.each(TARGETS.map((c) => [c.kind, c] as const))('kill -9 and resume, colliding fingerprints: dovecot -> %s', (_kind, config) => {
  let src: AnyMailServer;
  let tgt: AnyMailServer;
  const scratch = scratchDir(`collide-kill-${config.kind}`);

  beforeAll(async () => {
    [src, tgt] = await Promise.all([startConfig(MATRIX[0]!, { name: 'collide-kill-src', users: [alice] }), startConfig(config, { name: `collide-kill-${config.kind}`, users: [bob] })]);
    await seedFolder(src, alice, 'INBOX', robotMail());
  }, 120_000);
  afterAll(async () => {
    await Promise.all([src?.stop(), tgt?.stop()]);
    scratch.cleanup();
  });

  it('every source message once on the target by body hash, after up to three kills', async () => {
    const env = { SRC_PW: alice.password, TGT_PW: bob.password };
    const args = [
      '--source', `imap://${encodeURIComponent(alice.user)}@${src.host}:${src.imapPort}`, '--source-password-env', 'SRC_PW',
      '--target', `imap://${encodeURIComponent(bob.user)}@127.0.0.1:${tgt.imapPort}`, '--target-password-env', 'TGT_PW',
      '--allow-plaintext', '--state-dir', scratch.path('state'), '--batch-messages', '50', '--include-folder', 'INBOX', '--json',
    ];
    const settledInbox = () => settled(async () => (await folderState(tgt, bob, 'INBOX')).messages);
    let above = 50;
    for (let kill = 1; kill <= 3; kill++) {
      const counter = await folderCounter(tgt, bob);
      const { killedAt, result } = await runAndKillMidCopy(args, { env, progress: () => counter.messages('INBOX'), above, total: COUNT, pollMs: 30 }).finally(() => counter.close());
      if (killedAt === undefined) break; // the copy ended first: the resume below still runs over what it left
      expect(result.signal).toBe('SIGKILL');
      above = (await settledInbox()) + 100;
      if (above >= COUNT) break;
    }
    const r = await runCli(args, { env });
    expect(r.code, describeRun(r)).toBe(0);
    const a = parseReport(r.stdout).accounts[0]!;
    expect(a.status, describeRun(r)).toBe('done');
    expect(a.messagesCopied + a.messagesAlreadyPresent, describeRun(r)).toBe(COUNT);
    const want = (await readFolder(src, alice, 'INBOX')).map((m) => m.sha256).sort();
    const got = (await readFolder(tgt, bob, 'INBOX')).map((m) => m.sha256).sort();
    const missing = want.filter((h, i, all) => all.filter((x) => x === h).length > got.filter((x) => x === h).length && all.indexOf(h) === i);
    expect(missing, 'source messages not (or not as often) on the target').toEqual([]);
    expect(got).toEqual(want);
  }, 240_000);
});
