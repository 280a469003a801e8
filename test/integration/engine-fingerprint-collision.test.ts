/**
 * Messages without a Message-ID that share Date (to the second), From, Subject and size but
 * not their bodies (a robot's reports, sent in one second) have one fingerprint. The target
 * holds one of them already (copied by hand, or by a run whose state was lost): the engine
 * must not take the other for that copy. Before content-match.ts it counted AAAA "already
 * present" against the target's copy of BBBB and copied BBBB again: AAAA lost, BBBB twice,
 * and the report said nothing. Identical messages must still count as many as they are.
 *
 * Dovecot source (IMAP and POP3) -> each target kind of the matrix. Asserted by body hash:
 * the target's messages are, as a multiset, the source's, each exactly once.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { textMessage, type CorpusMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint, munge8bitHeader } from './matrix-engine-support';
import { pop3Endpoint } from './pop3-support';

const SOURCE_KINDS = ['imap', 'pop3'] as const;
const CASES = ['pre-existing', 'identical'] as const;
const sourceUser = (kind: string, c: string): MailUser => ({ user: `${kind}-${c}@old.example.com`, password: `Collide-src-pw-${kind}-${c}` });
const targetUser = (kind: string, c: string): MailUser => ({ user: `${kind}-${c}@new.example.com`, password: `Collide-tgt-pw-${kind}-${c}` });

const date = new Date('2025-01-06T08:00:00Z');
const at = (raw: Buffer, flags: string[] = []): CorpusMessage => ({ raw, flags, internalDate: date });
/** A report without Message-ID: same Date, From, Subject and size whatever `tag` (4 characters) says. */
const report = (tag: string): Buffer => textMessage({ id: null, from: 'alerts@old.example.com', subject: 'Disk report', date, body: `no message id ${tag}` });
const withId = (id: string): Buffer => textMessage({ id, from: 'alerts@old.example.com', subject: 'Disk report', date, body: `with an id ${id}` });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const cases = MATRIX.flatMap((config) => SOURCE_KINDS.map((sourceKind) => ({ config, sourceKind, describe: `${sourceKind} on Dovecot -> ${config.describe}` })));

describe.each(cases)('messages without Message-ID sharing a fingerprint: $describe', ({ config, sourceKind }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `collide-src-${config.id}-${sourceKind}`, users: CASES.map((c) => sourceUser(sourceKind, c)) }),
      startConfig(config, { name: `collide-tgt-${config.id}-${sourceKind}`, users: CASES.map((c) => targetUser(sourceKind, c)) }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const endpoint = (from: MailUser): Endpoint => (sourceKind === 'pop3' ? pop3Endpoint(source, from) : imapEndpoint(source, from));
  /** Body hashes of the target's INBOX, and what they must be: each source message once (as this target stores its bytes). */
  async function onTargetAndExpected(from: MailUser, into: MailUser): Promise<{ got: string[]; want: string[] }> {
    const src = await readFolder(source, from, 'INBOX', { withRaw: true });
    const tgt = await readFolder(target, into, 'INBOX');
    return {
      got: tgt.map((m) => m.sha256).sort(),
      want: src.map((m) => sha(target.rewrites8bitHeaders ? munge8bitHeader(m.raw!) : m.raw!)).sort(),
    };
  }

  it('a message whose fingerprint a target copy of another message has is still copied; nothing doubled', async () => {
    const [from, into] = [sourceUser(sourceKind, 'pre-existing'), targetUser(sourceKind, 'pre-existing')];
    const a = report('AAAA');
    const b = report('BBBB');
    expect(a.length).toBe(b.length);
    await seedFolder(source, from, 'INBOX', [at(withId('one@old.example.com')), at(a), at(b, ['\\Seen']), at(report('CCCC')), at(withId('two@old.example.com'))]);
    // The target already holds BBBB (copied by hand), the second of the colliding pair on the source.
    await seedFolder(target, into, 'INBOX', [at(b, ['\\Seen'])]);
    const state = tempStore();
    try {
      const r = await migrate(job(endpoint(from), imapEndpoint(target, into), { includeFolders: ['INBOX'] }), state.store);
      expect(r.error).toBeNull();
      expect(r.messagesCopied).toBe(4);
      expect(r.messagesAlreadyPresent).toBe(1);
      const { got, want } = await onTargetAndExpected(from, into);
      expect(got).toEqual(want);
      // A re-run finds everything in place and changes nothing.
      const again = await migrate(job(endpoint(from), imapEndpoint(target, into), { includeFolders: ['INBOX'] }), state.store);
      expect(again.error).toBeNull();
      expect(again.messagesCopied).toBe(0);
      expect((await onTargetAndExpected(from, into)).got).toEqual(want);
    } finally {
      state.cleanup();
    }
  }, 120_000);

  it('identical messages without Message-ID still count as many: two on the source end as two', async () => {
    const [from, into] = [sourceUser(sourceKind, 'identical'), targetUser(sourceKind, 'identical')];
    const x = report('XXXX');
    // Twice the same message after one of the same fingerprint with another body (matched by
    // fingerprint, that one took the target's x); the target holds one x.
    await seedFolder(source, from, 'INBOX', [at(report('YYYY')), at(x), at(x)]);
    await seedFolder(target, into, 'INBOX', [at(x)]);
    const state = tempStore();
    try {
      const r = await migrate(job(endpoint(from), imapEndpoint(target, into), { includeFolders: ['INBOX'] }), state.store);
      expect(r.error).toBeNull();
      expect(r.messagesCopied).toBe(2);
      expect(r.messagesAlreadyPresent).toBe(1);
      const { got, want } = await onTargetAndExpected(from, into);
      expect(got).toEqual(want);
      expect(got.filter((h) => h === sha(x))).toHaveLength(2);
    } finally {
      state.cleanup();
    }
  }, 120_000);
});
