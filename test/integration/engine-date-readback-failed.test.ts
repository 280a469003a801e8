import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { MigrationError } from '../../bridge/engine/errors';
import { runAccount } from '../../bridge/engine/pass-loop';
import type { PlannedMessage, SourceDriver } from '../../bridge/engine/source-driver';
import { readFolder } from '../harness/mailbox';
import { startCyrus, type CyrusServer } from '../harness/cyrus';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { memorySource, type MemoryMessage } from '../support/memory-source';
import { imapEndpoint } from './matrix-engine-support';

/**
 * A pass that copies a message dated before 1970 (Cyrus refuses the date; the copy gets
 * 2 January 1970) and then ends failed, or stopped: the copy is checkpointed, so no later pass
 * copies it or reads its date back. The date the target kept must be reported by this pass
 * all the same, not only when the pass ends done.
 * The source lives in memory (no real server holds a pre-1970 date); its second folder fails
 * for good when its chunk is fetched, after the first folder's APPEND.
 */
const memoryEndpoint: Endpoint = {
  protocol: 'imap', host: 'memory.invalid', port: 1, security: 'tls', user: 'datesfail@old.example.com',
  auth: { kind: 'password', password: 'unused' }, allowPlaintext: false, insecureTls: false,
};
const dated = (n: number, iso: string): MemoryMessage => {
  const internalDate = new Date(iso);
  return { raw: textMessage({ id: `datesfail-${n}`, subject: `Dated ${iso}`, date: internalDate, body: `Message ${n}.\r\n` }), internalDate };
};
const OLD = '1965-06-01T12:00:00Z';

/** The source, with every fetch of `folder` failing for good (a refusal not retried). */
function failingIn<M extends PlannedMessage>(folder: string, inner: SourceDriver<M>): SourceDriver<M> {
  return {
    ...inner,
    connect: async (id) => {
      const s = await inner.connect(id);
      return {
        ...s,
        fetchChunk: async (target, chunk) => {
          if (chunk.run.source === folder) throw new MigrationError('AUTH_FAILED', `the source refused ${folder}`, { side: 'source' });
          return s.fetchChunk(target, chunk);
        },
      };
    },
  };
}

describe('INTERNALDATE before 1970 into cyrus, the pass ending failed', () => {
  const bob = { user: 'datesfail@new.example.com', password: 'Datesfail-tgt-pw-1' };
  let target: CyrusServer;
  const state = tempStore();
  beforeAll(async () => {
    target = await startCyrus({ name: 'datesfail-tgt', users: [bob] });
  });
  afterAll(async () => {
    state.cleanup();
    await target?.stop();
  });

  it('reports the date the target kept for the copy the pass made', async () => {
    const source = failingIn('Broken', memorySource({ INBOX: [dated(1, OLD)], Broken: [dated(2, '2021-05-01T08:30:00Z')] }));
    const result = await runAccount(job(memoryEndpoint, imapEndpoint(target, bob), { chunkMessages: 10, concurrency: 1 }), state.store, {}, source);
    expect([result.status, result.error?.code, result.messagesCopied]).toEqual(['failed', 'AUTH_FAILED', 1]);
    const copies = await readFolder(target, bob, 'INBOX');
    expect(copies.map((c) => c.internalDate.toISOString())).toEqual(['1970-01-02T00:00:00.000Z']);
    const warnings = result.warnings.filter((w) => w.code === 'DATE_CHANGED');
    expect(warnings.map((w) => w.message), JSON.stringify(result.warnings)).toEqual([expect.stringContaining(`with the date ${new Date(OLD).toISOString()}, but the target keeps 1970-01-02T00:00:00.000Z`)]);
  });
});
