/**
 * A target without UIDPLUS (RFC 4315) does not say where it stored an APPEND, so our rows
 * of such copies have no target UID. When a run is interrupted and started again, the
 * survey of the target folder finds those copies among the messages no row names; a later
 * source message identical to one already copied (a draft saved twice, the same mail
 * delivered twice) must not be taken for that copy, or it is never stored. On every kind of
 * target server, with its UIDPLUS capability and APPENDUID answers hidden by a proxy: once
 * in the first pass of a folder, once in a pass after a complete one (where the survey
 * would otherwise start at that pass's UIDNEXT).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'NoUidplus-src-pw-4Kd' };
const bob = { user: 'bob@old.example.com', password: 'NoUidplus-src-pw-6Pw' };
const carol = { user: 'carol@new.example.com', password: 'NoUidplus-tgt-pw-2Zs' };
const dave = { user: 'dave@new.example.com', password: 'NoUidplus-tgt-pw-9Hm' };

const date = new Date('2018-01-01T00:00:00Z');
const at = (raw: Buffer, flags: string[] = []): CorpusMessage => ({ raw, flags, internalDate: date });
/** The same draft twice, with three other messages between them. */
function draftTwice(tag: string): CorpusMessage[] {
  const draft = textMessage({ id: null, subject: `draft saved twice ${tag}`, date, body: `same draft ${tag}` });
  return [at(draft, ['\\Draft']), ...[1, 2, 3].map((i) => at(textMessage({ id: `${tag}-${i}@example.com`, date }))), at(draft, ['\\Draft'])];
}

describe.each(MATRIX)('identical messages, target without UIDPLUS, run interrupted and resumed: Dovecot -> $describe', (config) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `nouidplus-src-${config.id}`, users: [alice, bob] }),
      startConfig(config, { name: `nouidplus-tgt-${config.id}`, users: [carol, dave] }),
    ]);
    proxy = await startRecordingProxy(target.imapPort, { hideStartTls: true, hideCapabilities: ['UIDPLUS', 'APPENDUID'] });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /** One run stopped once `stopAfter` messages are copied, then one to the end; the target must then hold the source's INBOX. */
  async function interruptedThenResumed(from: MailUser, into: MailUser, state: ReturnType<typeof tempStore>, stopAfter: number): Promise<void> {
    const theJob = job(imapEndpoint(source, from), imapEndpoint(target, into, proxy.port), { concurrency: 1, fixedConcurrency: true, chunkMessages: 1, includeFolders: ['INBOX'] });
    const stop = new AbortController();
    const first = await migrateAccount(theJob, state.store, { signal: stop.signal, onProgress: (p) => p.messagesCopied >= stopAfter && stop.abort() });
    expect(first.error?.code).toBe('CANCELLED');
    const second = await migrateAccount(theJob, state.store);
    expect(second.error).toBeNull();
    const src = await readFolder(source, from, 'INBOX', { withRaw: true });
    expect(identities(await readFolder(target, into, 'INBOX'))).toEqual(expectedIdentities(src, target));
  }

  it('in the first pass of the folder: both copies of the draft end on the target', async () => {
    await seedFolder(source, alice, 'INBOX', draftTwice('first'));
    const state = tempStore();
    try {
      await interruptedThenResumed(alice, carol, state, 2);
      // The target never said where it stored a message: every row of ours has no target UID.
      expect(proxy.events().some((e) => e.kind === 'reply' && /\[X-NO-APPENDUID /.test(e.text))).toBe(true);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('in a pass after a complete one: both copies of the draft end on the target', async () => {
    await seedFolder(source, bob, 'INBOX', [at(textMessage({ id: 'before-1@example.com', date })), at(textMessage({ id: 'before-2@example.com', date }))]);
    const state = tempStore();
    try {
      const theJob = job(imapEndpoint(source, bob), imapEndpoint(target, dave, proxy.port), { concurrency: 1, fixedConcurrency: true, includeFolders: ['INBOX'] });
      expect((await migrateAccount(theJob, state.store)).error).toBeNull();
      await seedFolder(source, bob, 'INBOX', draftTwice('later'));
      await interruptedThenResumed(bob, dave, state, 2);
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
