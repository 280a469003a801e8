/**
 * A message over the target's size limit inside a MULTIAPPEND sent with non-synchronizing
 * literals, on a target that does not advertise the limit (APPENDLIMIT hidden by a proxy, as
 * a front-end proxy or an older server does not say it). RFC 7888 lets a server refuse such
 * a literal and close the connection: Cyrus answers "NO [TOOBIG]" and then "* BYE [TOOBIG]".
 * Dovecot reads the literal and answers "NO [LIMIT]" on a live connection. Either way the
 * message must be skipped with its reason and every other message copied once; the run must
 * not fail on the same chunk again and again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { bigMessage, bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'TooBig-src-pw-8Jd' };
const bob = { user: 'bob@new.example.com', password: 'TooBig-tgt-pw-2Mx' };
const LIMIT = 200_000;

const TARGETS = [
  { kind: 'cyrus', start: () => startMailServer('cyrus', { name: 'toobig-tgt-cyrus', users: [bob], cyrusExtraConfig: `maxmessagesize: ${LIMIT}` }) },
  { kind: 'dovecot', start: () => startMailServer('dovecot', { name: 'toobig-tgt-dovecot', users: [bob], dovecot: { maxMailSize: LIMIT } }) },
] as const;

describe.each(TARGETS)('a message over an unadvertised size limit inside a MULTIAPPEND: $kind target', ({ kind, start }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;
  const big = new Set<string>();

  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('dovecot', { name: `toobig-src-${kind}`, users: [alice] }), start()]);
    const msgs = bulkMessages(20, 671);
    // Two over the limit (both under 1 MB: sent as non-synchronizing literals), in different chunks.
    msgs.splice(4, 0, { raw: bigMessage(400_000, 'too-big-a'), flags: ['\\Seen'], internalDate: new Date('2022-01-01T00:00:00Z') });
    msgs.splice(15, 0, { raw: bigMessage(300_000, 'too-big-b'), flags: [], internalDate: new Date('2022-01-02T00:00:00Z') });
    await seedFolder(source, alice, 'INBOX', msgs);
    proxy = await startAnsweringProxy(target.imapPort, () => undefined, { hide: ['APPENDLIMIT=\\d+', 'APPENDLIMIT'] });
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('the big ones are skipped as MESSAGE_TOO_LARGE, the other 20 arrive once', async () => {
    const state = tempStore();
    try {
      const result = await migrate(
        job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { concurrency: 1, fixedConcurrency: true, chunkMessages: 10, includeFolders: ['INBOX'] }),
        state.store,
      );
      expect(result.error).toBeNull();
      expect(result.status).toBe('done');
      const src = await readFolder(source, alice, 'INBOX', { withRaw: true });
      for (const m of src) if (m.size > LIMIT) big.add(String(m.uid));
      expect(big.size).toBe(2);
      expect(result.skipped.map((s) => [String(s.uid), s.reason.split(':')[0]]).sort()).toEqual([...big].sort().map((uid) => [uid, 'MESSAGE_TOO_LARGE']));
      expect(result.messagesCopied).toBe(20);
      expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(expectedIdentities(src.filter((m) => m.size <= LIMIT), target));
    } finally {
      state.cleanup();
    }
  });
});
