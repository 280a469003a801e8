/**
 * A pass stopped while a chunk goes in (paused from the monitor, closed for good, the bridge
 * shutting down) sends no further chunk. The next chunk is fetched while the last one is being
 * APPENDed, and it used to be APPENDed too before the stop was looked at: over a slow link that
 * is tens of seconds more of copying after a pause, and, for an account closed for good, after
 * its passwords were deleted. A new run copies the chunk left out, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { seedFolder, snapshotMailbox } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'Chunk-stop-src-pw-5Tr' };
const bob = { user: 'bob@new.example.com', password: 'Chunk-stop-tgt-pw-2Wx' };
const CHUNK = 10;
const MESSAGES = 60;

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('a pass stopped while a chunk goes in: $name', ({ config }) => {
  let source: AnyMailServer;
  let target: AnyMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([startConfig(config, { name: `chunkstop-src-${config.id}`, users: [alice] }), startConfig(config, { name: `chunkstop-tgt-${config.id}`, users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(MESSAGES, 731, { prefix: 'cs' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('sends no chunk after the stop; the next run copies the rest once', async () => {
    const state = tempStore();
    try {
      const spec = job(imapEndpoint(source, alice), imapEndpoint(target, bob), { concurrency: 1, fixedConcurrency: true, chunkMessages: CHUNK });
      const stop = new AbortController();
      const stopped = await migrate(spec, state.store, {
        signal: stop.signal,
        // The first chunk's APPENDs are answered: the second one has been fetched meanwhile.
        onProgress: (p) => {
          if (p.messagesCopied > 0) stop.abort();
        },
      });
      expect(stopped.error?.code).toBe('CANCELLED');
      expect(stopped.messagesCopied).toBe(CHUNK);
      const inbox = async () => (await snapshotMailbox(target, bob)).folders.INBOX?.state.messages ?? 0;
      expect(await inbox()).toBe(CHUNK);
      const rest = await migrate(spec, state.store, {});
      expect(rest.status).toBe('done');
      expect(rest.messagesCopied).toBe(MESSAGES - CHUNK);
      expect(await inbox()).toBe(MESSAGES);
    } finally {
      state.cleanup();
    }
  });
});
