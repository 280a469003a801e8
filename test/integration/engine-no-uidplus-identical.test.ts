/**
 * A target without UIDPLUS (RFC 4315) does not say where it stored an APPEND, so our rows
 * of such copies have no target UID. When a run is interrupted and started again, the
 * survey of the target folder finds those copies among the messages no row names; a later
 * source message identical to one already copied (a draft saved twice, the same mail
 * delivered twice) must not be taken for that copy, or it is never stored. On every kind of
 * target server, with its UIDPLUS capability and APPENDUID answers hidden by a proxy: once
 * in the first pass of a folder, once in a pass after a complete one (where the survey
 * would otherwise start at that pass's UIDNEXT); from an IMAP and from a POP3 source (whose
 * survey is kept in memory).
 *
 * And with a look-alike of the draft already on the target below our copy (a message without
 * Message-ID of the same second, sender, subject and size, but another body): a copy of ours
 * without a known target UID was found again by its fingerprint alone, the lowest such target
 * message was taken for it (the look-alike), our copy stayed in the survey, and the second
 * draft, the same bytes, was taken for it: the draft once on the target, not twice.
 *
 * And a copy verify --fix made (copy-missing.ts): its row must keep the body hash as the
 * engine's do. Before, it kept none, so the next run's survey took the look-alike for it (the
 * lowest candidate), the --fix copy stayed unclaimed, and the same mail delivered once more was
 * taken for that copy and never stored. IMAP source only: --fix reads an IMAP source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { readFolder, seedFolder, withImap } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';
import { pop3Endpoint } from './pop3-support';

const SOURCE_KINDS = ['imap', 'pop3'] as const;
/** Per source kind, a source account and a target account for each of the three cases. */
const sourceUser = (kind: string, n: number) => ({ user: `${kind}${n}@old.example.com`, password: `NoUidplus-src-pw-${kind}${n}` });
const targetUser = (kind: string, n: number) => ({ user: `${kind}${n}@new.example.com`, password: `NoUidplus-tgt-pw-${kind}${n}` });

const date = new Date('2018-01-01T00:00:00Z');
const at = (raw: Buffer, flags: string[] = []): CorpusMessage => ({ raw, flags, internalDate: date });
/** The same draft twice, with three other messages between them. */
function draftTwice(tag: string): CorpusMessage[] {
  const draft = textMessage({ id: null, subject: `draft saved twice ${tag}`, date, body: `same draft ${tag}` });
  return [at(draft, ['\\Draft']), ...[1, 2, 3].map((i) => at(textMessage({ id: `${tag}-${i}@example.com`, date }))), at(draft, ['\\Draft'])];
}

const cases = MATRIX.flatMap((config) => SOURCE_KINDS.map((sourceKind) => ({ config, sourceKind, describe: `${sourceKind} on Dovecot -> ${config.describe}` })));

describe.each(cases)('identical messages, target without UIDPLUS, run interrupted and resumed: $describe', ({ config, sourceKind }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `nouidplus-src-${config.id}-${sourceKind}`, users: [1, 2, 3].map((n) => sourceUser(sourceKind, n)) }),
      startConfig(config, { name: `nouidplus-tgt-${config.id}-${sourceKind}`, users: [1, 2, 3].map((n) => targetUser(sourceKind, n)) }),
    ]);
    proxy = await startRecordingProxy(target.imapPort, { hideStartTls: true, hideCapabilities: ['UIDPLUS', 'APPENDUID'] });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const sourceEndpoint = (from: MailUser): Endpoint => (sourceKind === 'pop3' ? pop3Endpoint(source, from) : imapEndpoint(source, from));
  const theJob = (from: MailUser, into: MailUser, chunkMessages?: number) =>
    job(sourceEndpoint(from), imapEndpoint(target, into, proxy.port), { concurrency: 1, fixedConcurrency: true, ...(chunkMessages ? { chunkMessages } : {}), includeFolders: ['INBOX'] });

  /** One run stopped once `stopAfter` messages are copied, then one to the end; the target must then hold the source's INBOX. */
  async function interruptedThenResumed(from: MailUser, into: MailUser, state: ReturnType<typeof tempStore>, stopAfter: number, alreadyOnTarget: CorpusMessage[] = []): Promise<void> {
    const stopped = theJob(from, into, 1);
    const stop = new AbortController();
    const first = await migrate(stopped, state.store, { signal: stop.signal, onProgress: (p) => p.messagesCopied >= stopAfter && stop.abort() });
    expect(first.error?.code).toBe('CANCELLED');
    const second = await migrate(stopped, state.store);
    expect(second.error).toBeNull();
    const src = await readFolder(source, from, 'INBOX', { withRaw: true });
    // POP3 carries no flags: its copies arrive without the \Draft. Their internal date comes
    // from the Date field, which these messages set to the date they were seeded with.
    const expected = [...(sourceKind === 'pop3' ? src.map((m) => ({ ...m, flags: [] })) : src), ...alreadyOnTarget.map((m) => ({ ...m, uid: 0, sha256: '', size: m.raw.length, rfc822Size: m.raw.length }))];
    expect(identities(await readFolder(target, into, 'INBOX'))).toEqual(expectedIdentities(expected, target));
  }

  it('in the first pass of the folder: both copies of the draft end on the target', async () => {
    await seedFolder(source, sourceUser(sourceKind, 1), 'INBOX', draftTwice('first'));
    const state = tempStore();
    try {
      await interruptedThenResumed(sourceUser(sourceKind, 1), targetUser(sourceKind, 1), state, 2);
      // The target never said where it stored a message: every row of ours has no target UID.
      expect(proxy.events().some((e) => e.kind === 'reply' && /\[X-NO-APPENDUID /.test(e.text))).toBe(true);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('in a pass after a complete one: both copies of the draft end on the target', async () => {
    const [from, into] = [sourceUser(sourceKind, 2), targetUser(sourceKind, 2)];
    await seedFolder(source, from, 'INBOX', [at(textMessage({ id: 'before-1@example.com', date })), at(textMessage({ id: 'before-2@example.com', date }))]);
    const state = tempStore();
    try {
      expect((await migrate(theJob(from, into), state.store)).error).toBeNull();
      await seedFolder(source, from, 'INBOX', draftTwice('later'));
      await interruptedThenResumed(from, into, state, 2);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('with a look-alike of the draft on the target before the run: the look-alike stays, both drafts end on the target', async () => {
    const [from, into] = [sourceUser(sourceKind, 3), targetUser(sourceKind, 3)];
    const drafts = draftTwice('alike');
    const draft = drafts[0]!.raw;
    const lookAlike = textMessage({ id: null, subject: 'draft saved twice alike', date, body: 'SAME DRAFT ALIKE' });
    // The same fingerprint: Date, From, Subject and size; only the body differs.
    expect(lookAlike.length).toBe(draft.length);
    expect(lookAlike.equals(draft)).toBe(false);
    await seedFolder(source, from, 'INBOX', drafts);
    await seedFolder(target, into, 'INBOX', [at(lookAlike)]);
    const state = tempStore();
    try {
      await interruptedThenResumed(from, into, state, 2, [at(lookAlike)]);
    } finally {
      state.cleanup();
    }
  }, 120_000);
});

describe.each(MATRIX.map((c) => [c.describe, c] as const))('verify --fix on a target without UIDPLUS, a look-alike there, then the same mail once more: Dovecot -> %s', (_name, config) => {
  const from: MailUser = { user: 'fix@old.example.com', password: 'NoUidplus-fix-src-pw' };
  const into: MailUser = { user: 'fix@new.example.com', password: 'NoUidplus-fix-tgt-pw' };
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `nouidplus-fix-src-${config.id}`, users: [from] }),
      startConfig(config, { name: `nouidplus-fix-tgt-${config.id}`, users: [into] }),
    ]);
    proxy = await startRecordingProxy(target.imapPort, { hideStartTls: true, hideCapabilities: ['UIDPLUS', 'APPENDUID'] });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('the copy --fix made is told from the look-alike by its body: the same mail delivered again is copied too', async () => {
    const draft = textMessage({ id: null, subject: 'draft fixed', date, body: 'same draft fixed' });
    const lookAlike = textMessage({ id: null, subject: 'draft fixed', date, body: 'SAME DRAFT FIXED' });
    // The same fingerprint: Date, From, Subject and size; only the body differs.
    expect(lookAlike.length).toBe(draft.length);
    expect(lookAlike.equals(draft)).toBe(false);
    const count = (msgs: Array<{ raw?: Buffer }>, raw: Buffer) => msgs.filter((m) => m.raw!.equals(raw)).length;
    // The look-alike is on the source once and already twice on the target (delivered twice to
    // the new mailbox): one of those is its copy, the other one a surplus copy, found below ours.
    await seedFolder(source, from, 'INBOX', [at(lookAlike), at(draft, ['\\Draft'])]);
    await seedFolder(target, into, 'INBOX', [at(lookAlike), at(lookAlike)]);
    const state = tempStore();
    try {
      const j = job(imapEndpoint(source, from), imapEndpoint(target, into, proxy.port), { concurrency: 1, fixedConcurrency: true, includeFolders: ['INBOX'] });
      expect((await migrate(j, state.store)).error).toBeNull();
      const migrated = await readFolder(target, into, 'INBOX', { withRaw: true });
      expect([count(migrated, lookAlike), count(migrated, draft)]).toEqual([2, 1]);
      // The draft's copy lost on the target.
      await withImap(target, into, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageDelete(String(migrated.find((m) => m.raw!.equals(draft))!.uid), { uid: true });
      });
      // Only a deep verify tells the look-alike from the draft (one fingerprint).
      const draftUid = (await readFolder(source, from, 'INBOX', { withRaw: true })).find((m) => m.raw!.equals(draft))!.uid;
      const before = await verifyAccount(j, { deep: true, stateDir: state.dir });
      expect(before.folders.find((f) => f.source === 'INBOX')!.missing.map((m) => m.uid)).toEqual([draftUid]);
      expect(await copyMissing(j, before, state.store)).toEqual({ copied: 1, refused: [] });
      // The target never said where it stored a copy.
      expect(proxy.events().filter((e) => e.kind === 'reply' && /\[APPENDUID /.test(e.text))).toEqual([]);
      // The same mail delivered once more on the old system, then the next run.
      await seedFolder(source, from, 'INBOX', [at(draft, ['\\Draft'])]);
      expect((await migrate(j, state.store)).error).toBeNull();
      const src = await readFolder(source, from, 'INBOX', { withRaw: true });
      expect(count(src, draft)).toBe(2);
      const surplus = { ...at(lookAlike), uid: 0, sha256: '', size: lookAlike.length, rfc822Size: lookAlike.length };
      expect(identities(await readFolder(target, into, 'INBOX'))).toEqual(expectedIdentities([...src, surplus], target));
      const after = await verifyAccount(j, { deep: true, stateDir: state.dir });
      expect(after.totals).toMatchObject({ missing: 0, extra: 1, changed: 0 });
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
