/**
 * A server that ends the session in the middle of the run with an untagged BYE ("* BYE
 * [UNAVAILABLE] Server shutting down": a restart, a provider moving the mailbox), in place of
 * the answer to an APPEND on the target or to a body FETCH on the source. The command never
 * reached the server. The run must see the connection as lost on that side, say what the
 * server gave as its reason, retry, and end with every message once. On each kind of real server, the BYE given by a proxy in front of
 * it (none of them says BYE on cue).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { MigrationError } from '../../bridge/engine/errors';
import { readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer } from '../harness/servers';
import { startAnsweringProxy, type ProxiedCommand } from '../support/answering-proxy';
import { bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'Bye-src-pw-6Tz' };
const bob = (side: string) => ({ user: `bob-${side}@new.example.com`, password: `Bye-tgt-pw-${side}` });

/** The second command the predicate picks is answered with a BYE. */
function secondOf(pick: (c: ProxiedCommand) => boolean): (c: ProxiedCommand) => { bye: string } | undefined {
  let seen = 0;
  return (c) => (pick(c) && seen++ === 1 ? { bye: '[UNAVAILABLE] Server shutting down' } : undefined);
}

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('BYE in the middle of a run: $name', ({ config }) => {
  let source: AnyMailServer;
  let target: AnyMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startConfig(config, { name: `bye-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `bye-tgt-${config.id}`, users: [bob('source'), bob('target')] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(30, 641));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it.each(['source', 'target'] as const)('said by the %s: retried on that side, every message once', async (side) => {
    const before = await snapshotMailbox(source, alice);
    const proxy =
      side === 'target'
        ? await startAnsweringProxy(target.imapPort, secondOf((c) => c.verb === 'APPEND'))
        : await startAnsweringProxy(source.imapPort, secondOf((c) => /BODY\.PEEK\[\]/i.test(c.line)));
    const into = bob(side);
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const src = imapEndpoint(source, alice, side === 'source' ? proxy.port : source.imapPort);
      const tgt = imapEndpoint(target, into, side === 'target' ? proxy.port : target.imapPort);
      const result = await migrate(job(src, tgt, { concurrency: 2, fixedConcurrency: true, chunkMessages: 5, includeFolders: ['INBOX'] }), state.store, {
        onRetry: (err) => retries.push(err),
      });
      expect(proxy.answered()).toBe(1);
      expect(retries.map((e) => [e.code, e.options.side])).toEqual([['CONNECT_FAILED', side]]);
      // The server's words say why it went (a restart, a limit, a message it cannot read).
      expect(retries[0]!.message).toContain('The server said: "Server shutting down"');
      expect(result.status).toBe('done');
      expect(result.skipped).toEqual([]);
      expect(result.messagesCopied).toBe(30);
      expect(identities(await readFolder(target, into, 'INBOX'))).toEqual(expectedIdentities(await readFolder(source, alice, 'INBOX', { withRaw: true }), target));
      expect(await snapshotMailbox(source, alice)).toEqual(before);
    } finally {
      await proxy.close();
      state.cleanup();
    }
  });
});
