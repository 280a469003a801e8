/**
 * A "NO [TOOBIG]" and then a BYE in answer to a MULTIAPPEND says the command was too big to
 * read, not which message: a front-end that limits what it reads of one command answers so
 * for the whole MULTIAPPEND while each of its messages is under every limit. Taking the
 * largest message for over the limit skipped it for good (MESSAGE_TOO_LARGE is final) and it
 * never reached the target. Here a proxy in front of each real target with MULTIAPPEND answers
 * the first APPEND so; the real server has no size limit and takes every message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'TooBigCmd-src-pw-4Ne' };
const bob = { user: 'bob@new.example.com', password: 'TooBigCmd-tgt-pw-8Rs' };

const TARGETS = [
  { kind: 'dovecot', start: () => startMailServer('dovecot', { name: 'toobigcmd-tgt-dovecot', users: [bob] }) },
  { kind: 'cyrus', start: () => startMailServer('cyrus', { name: 'toobigcmd-tgt-cyrus', users: [bob] }) },
] as const;

describe.each(TARGETS)('NO [TOOBIG] and BYE for a whole MULTIAPPEND: $kind target', ({ kind, start }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('dovecot', { name: `toobigcmd-src-${kind}`, users: [alice] }), start()]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(12, 761, { minBody: 2_000, maxBody: 40_000 }));
    proxy = await startAnsweringProxy(target.imapPort, (c) =>
      c.verb === 'APPEND' && c.ordinal === 0 ? { reply: 'NO [TOOBIG] Command size exceeds fixed limit', bye: 'Fatal error: command too large' } : undefined,
    );
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('no message is given up: each is under every limit, and all 12 arrive once', async () => {
    const state = tempStore();
    try {
      const result = await migrate(
        job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { concurrency: 1, fixedConcurrency: true, chunkMessages: 12, includeFolders: ['INBOX'] }),
        state.store,
      );
      expect(proxy.answered()).toBe(1);
      expect(result.skipped.map((s) => s.reason)).toEqual([]);
      expect(result.status).toBe('done');
      expect(result.messagesCopied).toBe(12);
      const src = await readFolder(source, alice, 'INBOX', { withRaw: true });
      expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expectedIdentities(src, target));
    } finally {
      state.cleanup();
    }
  });
});
