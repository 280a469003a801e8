/**
 * The target stored an APPEND, a MULTIAPPEND of a whole chunk where it offers one, and the
 * connection went before its tagged OK reached us: the classic way to double mail. A proxy
 * forwards the chosen APPEND commands whole and ends the connection when the server answers
 * them, on each kind of real target, with its UIDPLUS shown and hidden (without it no copy of
 * ours has a known target UID), and with a message that is in the folder three times. Then
 * the same run retries, or (the run allowed no retry) the next run resumes: either way each
 * message ends on the target exactly once, and a further run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { bulkMessages, textMessage, type CorpusMessage } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const UIDPLUS = ['shown', 'hidden'] as const;
const RESUME = ['retried in the run', 'resumed by the next run'] as const;
const alice = { user: 'alice@old.example.com', password: 'LostOk-src-pw-2Wq' };
const targetUser = (uidplus: string, resume: number): MailUser => ({ user: `bob-${uidplus}-${resume}@new.example.com`, password: `LostOk-tgt-pw-${uidplus}-${resume}` });

/** 40 messages, the same newsletter three times among them (ids and dates equal: one fingerprint). */
function inbox(): CorpusMessage[] {
  const date = new Date('2021-05-05T05:05:05Z');
  const same = (): CorpusMessage => ({ raw: textMessage({ id: 'weekly-42@news.example.com', subject: 'Weekly 42', date, body: 'the same newsletter' }), flags: ['\\Seen'], internalDate: date });
  const msgs = bulkMessages(37, 631);
  msgs.splice(5, 0, same());
  msgs.splice(14, 0, same());
  msgs.splice(26, 0, same());
  return msgs;
}

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('APPEND stored, its OK lost: $name', ({ config }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  const proxies: AnsweringProxy[] = [];

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `lostok-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `lostok-tgt-${config.id}`, users: UIDPLUS.flatMap((u) => RESUME.map((_, r) => targetUser(u, r))) }),
    ]);
    await seedFolder(source, alice, 'INBOX', inbox());
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const cases = UIDPLUS.flatMap((uidplus) => RESUME.map((resume, r) => ({ uidplus, resume, r })));
  it.each(cases)('UIDPLUS $uidplus, $resume: every message once', async ({ uidplus, r }) => {
    const into = targetUser(uidplus, r);
    // The third and the sixth APPEND of the run lose their answer.
    const proxy = await startAnsweringProxy(target.imapPort, (c) => (c.verb === 'APPEND' && (c.ordinal === 2 || c.ordinal === 5) ? { loseReply: true } : undefined), {
      hide: uidplus === 'hidden' ? ['UIDPLUS', 'APPENDUID'] : [],
    });
    proxies.push(proxy);
    const state = tempStore();
    try {
      const theJob = (maxAttempts: number) =>
        job(imapEndpoint(source, alice), imapEndpoint(target, into, proxy.port), { concurrency: 2, fixedConcurrency: true, chunkMessages: 6, maxAttempts, includeFolders: ['INBOX'] });
      const resumeLater = r === 1;
      const first = await migrate(theJob(resumeLater ? 1 : 8), state.store);
      expect(first.status).toBe(resumeLater ? 'failed' : 'done');
      const last = resumeLater ? await migrate(theJob(8), state.store) : first;
      expect(proxy.answered()).toBe(2);
      expect(last.status).toBe('done');
      expect(last.skipped).toEqual([]);
      const src = await readFolder(source, alice, 'INBOX', { withRaw: true });
      expect(identities(await readFolder(target, into, 'INBOX'))).toEqual(expectedIdentities(src, target));
      expect(last.messagesCopied + last.messagesAlreadyPresent).toBe(40);

      const before = await snapshotMailbox(target, into);
      const again = await migrate(theJob(8), state.store);
      expect(again.messagesCopied).toBe(0);
      expect(await snapshotMailbox(target, into)).toEqual(before);
    } finally {
      state.cleanup();
    }
  });
});
