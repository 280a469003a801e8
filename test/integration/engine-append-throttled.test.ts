/**
 * A target that refuses APPENDs for a while in the middle of a run, as providers do when
 * they throttle: Microsoft 365 answers "NO Request is throttled. Suggested Backoff Time: ..."
 * (and Exchange 2013 "NO Server Unavailable. 15"), others "NO [UNAVAILABLE] ... try again
 * later". Those refusals say nothing about the message: it must be sent again once the
 * server takes mail again, in the same run, not skipped and left for some later run. The
 * refusals are given by a proxy in front of each kind of real target (none of them
 * throttles on cue); the messages before and after go to the real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { MigrationError } from '../../bridge/engine/errors';
import { readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy, type StandIn } from '../support/answering-proxy';
import { bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'Throttle-src-pw-5Rt' };
const bob = { user: 'bob@new.example.com', password: 'Throttle-tgt-pw-7Hy' };

/** The third, fourth and fifth APPEND the target is sent are refused the way providers throttle. */
const THROTTLED: Record<number, StandIn> = {
  2: { reply: 'NO Request is throttled. Suggested Backoff Time: 100 milliseconds' },
  3: { reply: 'NO [UNAVAILABLE] Temporary failure, try again later' },
  4: { reply: 'NO Server Unavailable. 15' },
};

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('APPENDs throttled mid-run: $name', ({ config }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `throttle-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `throttle-tgt-${config.id}`, users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(30, 611));
    proxy = await startAnsweringProxy(target.imapPort, (c) => (c.verb === 'APPEND' ? THROTTLED[c.ordinal] : undefined));
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('nothing is skipped: the refused messages are sent again after a back-off, and every message arrives once', async () => {
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const result = await migrate(
        job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { concurrency: 1, fixedConcurrency: true, chunkMessages: 10, includeFolders: ['INBOX'] }),
        state.store,
        { onRetry: (err) => retries.push(err) },
      );
      expect(proxy.answered()).toBe(3);
      expect(result.skipped.map((s) => s.reason)).toEqual([]);
      expect(result.status).toBe('done');
      expect(result.messagesCopied).toBe(30);
      expect(retries.map((e) => [e.code, e.options.side])).toContainEqual(['THROTTLED', 'target']);
      const src = await readFolder(source, alice, 'INBOX', { withRaw: true });
      expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expectedIdentities(src, target));
    } finally {
      state.cleanup();
    }
  });
});
