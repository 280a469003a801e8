/**
 * The source connection lost in the middle of a message body: the client holds part of a
 * FETCH literal (IMAP) or of a TOP/RETR answer (POP3) when the link goes. The part must never
 * be stored as the message: the pass is retried and each message arrives once, whole. Cut by
 * a proxy after so many bytes from each kind of real source server, on the second and third
 * connection too (a retry may be cut again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { MigrationError } from '../../bridge/engine/errors';
import type { Endpoint } from '../../bridge/engine/endpoint';
import { readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { startCuttingProxy } from '../support/cutting-proxy';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

const PROTOCOLS = ['imap', 'pop3'] as const;
const sourceUser = (p: string) => ({ user: `alice-${p}@old.example.com`, password: `CutBody-src-pw-${p}` });
const targetUser = (p: string) => ({ user: `bob-${p}@new.example.com`, password: `CutBody-tgt-pw-${p}` });

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('source cut in the middle of a message body: $name', ({ config }) => {
  let source: AnyMailServer;
  let target: DovecotMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startConfig(config, { name: `cutbody-src-${config.id}`, users: PROTOCOLS.map(sourceUser) }),
      startMailServer('dovecot', { name: `cutbody-tgt-${config.id}`, users: PROTOCOLS.map(targetUser) }),
    ]);
    // Bodies of 20 to 40 KB: most of what the source sends is message bytes.
    for (const p of PROTOCOLS) await seedFolder(source, sourceUser(p), 'INBOX', bulkMessages(24, 621, { prefix: p, minBody: 20_000, maxBody: 40_000 }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it.each(PROTOCOLS)('%s: retried from the source, every message once and whole, the source unchanged', async (protocol) => {
    const from = sourceUser(protocol);
    const into = targetUser(protocol);
    const before = await snapshotMailbox(source, from);
    const proxy = await startCuttingProxy(protocol === 'imap' ? source.imapPort : source.pop3Port, { afterBytes: 150_000, cuts: 3, countServerBytes: true });
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const endpoint: Endpoint = { ...(protocol === 'imap' ? imapEndpoint(source, from) : pop3Endpoint(source, from)), port: proxy.port };
      const result = await migrate(job(endpoint, imapEndpoint(target, into), { concurrency: 1, fixedConcurrency: true, chunkMessages: 6, maxAttempts: 8 }), state.store, {
        onRetry: (err) => retries.push(err),
      });
      expect(proxy.cutCount()).toBe(3);
      // IMAP: the first cut is retried as a pass; a FETCH cut again over the same UIDs is then
      // narrowed on fresh connections (a message the server cannot read fails the same way),
      // which meet the remaining cuts themselves. POP3: the message being sent goes again,
      // alone, on a fresh session within the pass, and the chunk goes on there (each message
      // here is cut once at most, so none is blamed). Every failure is the source's.
      expect(retries.length).toBeGreaterThanOrEqual(protocol === 'imap' ? 1 : 0);
      expect(retries.every((e) => e.options.side === 'source')).toBe(true);
      expect(result.skipped).toEqual([]);
      expect(result.status).toBe('done');
      expect(result.messagesCopied).toBe(24);
      const src = await readFolder(source, from, 'INBOX');
      const tgt = await readFolder(target, into, 'INBOX');
      // POP3 carries no flags: the bytes are what must match.
      expect(tgt.map((m) => m.sha256).sort()).toEqual(src.map((m) => m.sha256).sort());
      expect(await snapshotMailbox(source, from)).toEqual(before);
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });
});
