/**
 * One message the target refuses every time with words that read like throttling, while it
 * takes every other message: Exchange answers "NO Server Unavailable. 15" to an APPEND of a
 * message it cannot convert, on every try. Taking such a refusal for throttling alone
 * would retry the pass until it gives up on the same message, and nothing after it would
 * ever be copied (in the service, inside a sync window: every hour for the whole window).
 * The message must be given up for this run, with the server's words and not for good, and
 * every other message copied once. The refusals are given by a proxy in front of each kind
 * of real target; MULTIAPPEND is hidden so that each message is a command of its own, told
 * apart by its date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipIsFinal } from '../../bridge/engine/append-refusal';
import type { MigrationError } from '../../bridge/engine/errors';
import { migrate } from '../../bridge/engine/migrate';
import { readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'RefusedForGood-src-pw-3Kq' };
const bob = { user: 'bob@new.example.com', password: 'RefusedForGood-tgt-pw-9Wd' };

/** The refused message's date, as the APPEND's first line carries it (UTC). */
const BAD_DATE = new Date('2018-03-04T05:06:07Z');
const BAD_ON_THE_WIRE = '04-Mar-2018 05:06:07 +0000';

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('one message refused for good in words of throttling: $name', ({ config }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `refgood-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `refgood-tgt-${config.id}`, users: [bob] }),
    ]);
    const msgs = bulkMessages(14, 733);
    // The fifth of the folder, in the middle of the first chunk; the corpus's dates start in 2019.
    msgs[4] = { ...msgs[4]!, internalDate: BAD_DATE };
    await seedFolder(source, alice, 'INBOX', msgs);
    proxy = await startAnsweringProxy(
      target.imapPort,
      (c) => (c.verb === 'APPEND' && c.line.includes(BAD_ON_THE_WIRE) ? { reply: 'NO Server Unavailable. 15' } : undefined),
      { hide: ['MULTIAPPEND'] },
    );
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('the run gives that message up for now, with the server\'s words, and copies the other 13 once', async () => {
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const result = await migrate(
        job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { concurrency: 1, fixedConcurrency: true, chunkMessages: 10, maxAttempts: 3, includeFolders: ['INBOX'] }),
        state.store,
        { onRetry: (err) => retries.push(err) },
      );
      const src = await readFolder(source, alice, 'INBOX', { withRaw: true });
      const bad = src.filter((m) => m.internalDate.getTime() === BAD_DATE.getTime());

      expect(bad).toHaveLength(1);
      expect(result.error).toBeNull();
      expect(result.status).toBe('done');
      expect(result.messagesCopied).toBe(13);
      expect(result.skipped.map((s) => [s.uid, s.reason])).toEqual([[bad[0]!.uid, 'MESSAGE_REJECTED: Server Unavailable. 15']]);
      // Not for good: the next run (the next sync) sends it again.
      expect(skipIsFinal(result.skipped[0]!.reason)).toBe(false);
      // It was taken for throttling first, and retried.
      expect(retries.map((e) => e.code)).toContain('THROTTLED');
      const good = src.filter((m) => m.uid !== bad[0]!.uid);
      expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expectedIdentities(good, target));
    } finally {
      state.cleanup();
    }
  });
});
