import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFolder, seedFolder, withImap, type MailboxMessage } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { migrate } from '../../bridge/engine/migrate';
import { accountKey } from '../../bridge/engine/account-job';
import { POP3_SOURCE_FOLDER, POP3_UID_VALIDITY } from '../../bridge/engine/pop3/pop3-source';
import { writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { handedMessagesOf, pop3HandoverOf } from '../../bridge/queue/handed-pop3';
import { Pop3HandoverSchema } from '../../bridge/queue/protocol';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

/**
 * A POP3 account's rows handed to the worker of its next pass (handed-pop3.ts, as the queue
 * carries them: through the job's JSON) must not cost mail, nor double it:
 * - a message the last worker left out for a reason it would try again (the server's TOP did
 *   not return it whole: NOT_DOWNLOADED) is copied by the adopting worker;
 * - one it left out for good (too large for the target) stays out, as on the worker itself;
 * - a copy the employee deleted stays deleted;
 * - a new message that is byte for byte an earlier one (the same mail delivered twice) is
 *   copied, not taken for the earlier one's copy;
 * - new mail arrives once.
 */
const PAIRS: ReadonlyArray<{ source: ServerKind; target: ServerKind }> = [
  { source: 'dovecot', target: 'courier' },
  { source: 'cyrus', target: 'dovecot' },
  { source: 'courier', target: 'cyrus' },
];
const popUser = (p: { target: ServerKind }): MailUser => ({ user: `hs-pop-${p.target}@old.example.com`, password: 'Hs-pop-src-pw-5' });
const imapUser = (p: { source: ServerKind }): MailUser => ({ user: `hs-new-${p.source}@new.example.com`, password: 'Hs-imap-tgt-pw-5' });
const idOf = (m: MailboxMessage): string => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw!.toString('latin1'))![1]!;

describe('queue hand-over, POP3 source: the adopting worker loses nothing and doubles nothing', () => {
  const servers = new Map<ServerKind, AnyMailServer>();
  const scratch = scratchDir('queue-pop3-handover-skips');
  let key: ClusterKey;

  beforeAll(async () => {
    const started = await Promise.all(
      MATRIX.map((config) =>
        startConfig(config, {
          name: `phs-${config.kind}`,
          users: [...PAIRS.filter((p) => p.source === config.kind).map(popUser), ...PAIRS.filter((p) => p.target === config.kind).map(imapUser)],
        }),
      ),
    );
    for (const s of started) servers.set(s.kind, s);
    key = writeNewClusterKey(scratch.path('cluster.key'));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([...servers.values()].map((s) => s.stop()));
    scratch.cleanup();
  });

  it.each(PAIRS.map((p) => [`${p.source} POP3 -> ${p.target}`, p] as const))('%s', async (_label, pair) => {
    const src = servers.get(pair.source)!;
    const tgt = servers.get(pair.target)!;
    const user = imapUser(pair);
    const first = bulkMessages(8, 91, { prefix: `hs-${pair.source}` });
    await seedFolder(src, popUser(pair), 'INBOX', first);
    const j = job(pop3Endpoint(src, popUser(pair)), imapEndpoint(tgt, user), { concurrency: 1 });
    const account = accountKey(j);
    const a = tempStore();
    const b = tempStore();
    try {
      expect((await migrate(j, a.store)).status).toBe('done');
      const copies = await readFolder(tgt, user, 'INBOX', { withRaw: true });
      expect(copies).toHaveLength(8);
      const twice = copies.find((m) => idOf(m) === idOf({ raw: Buffer.from(first[4]!.raw) } as MailboxMessage))!;
      const [retried, tooLarge, deleted] = copies.filter((m) => m !== twice).slice(1, 4);
      // Worker A's rows as a pass ends in which the server's TOP did not return `retried` whole
      // (tried again next pass) and the target refused `tooLarge` (left out for good): skip rows,
      // and no copy of either on the target.
      const rows = a.store.settledAbove(account, POP3_SOURCE_FOLDER, POP3_UID_VALIDITY, 0);
      const rowOf = (m: MailboxMessage) => [...rows.values()].find((r) => r.targetUid === m.uid)!;
      a.store.recordMessages(account, POP3_SOURCE_FOLDER, POP3_UID_VALIDITY, [
        { ...rowOf(retried!), outcome: 'skipped', targetUid: null, reason: 'NOT_DOWNLOADED: the server has no working TOP; RETR would mark the message as read' },
        { ...rowOf(tooLarge!), outcome: 'skipped', targetUid: null, reason: 'MESSAGE_TOO_LARGE: over the target\'s APPENDLIMIT' },
      ]);
      await withImap(tgt, user, async (c) => {
        await c.mailboxOpen('INBOX');
        // The two skipped ones never got there; the employee deleted `deleted`.
        await c.messageDelete(`${retried!.uid},${tooLarge!.uid},${deleted!.uid}`, { uid: true });
      });
      const fresh = bulkMessages(1, 92, { prefix: `hs-new-${pair.source}` });
      // The same mail delivered a second time: a new UIDL, the bytes of one already copied.
      await seedFolder(src, popUser(pair), 'INBOX', [...fresh, first[4]!]);

      // As the queue carries it: out of worker A's store, through JSON and the job's schema, into worker B's pass.
      const handover = Pop3HandoverSchema.parse(JSON.parse(JSON.stringify(pop3HandoverOf(a.store, account, key))));
      expect(handover.count, 'copies handed over').toBe(6);
      expect(handover.skips.map((s) => s.reason.split(':')[0]), 'only the final skip travels').toEqual(['MESSAGE_TOO_LARGE']);
      const handed = handedMessagesOf(handover, key, account)!;
      const r = await migrate(j, b.store, { handed });
      expect(r.status, JSON.stringify(r.error)).toBe('done');

      const inbox = (await readFolder(tgt, user, 'INBOX', { withRaw: true })).map(idOf);
      console.log(`pop3 handover skips | ${pair.source} POP3 -> ${pair.target} | target ${inbox.length} (want 8) | copied ${r.messagesCopied} (want 3) | skipped ${r.messagesSkipped} (want 1)`);
      expect(inbox, 'the message left out for a reason tried again was not copied').toContain(idOf(retried!));
      expect(inbox, 'the message left out for good was copied').not.toContain(idOf(tooLarge!));
      expect(inbox, 'the deleted copy came back').not.toContain(idOf(deleted!));
      expect(inbox.filter((id) => id === idOf(twice!)), 'the mail delivered twice').toHaveLength(2);
      expect(inbox.filter((id) => id.includes(`hs-new-${pair.source}`)), 'the new message').toHaveLength(1);
      expect(inbox).toHaveLength(8);
      expect(r.messagesCopied).toBe(3);
      expect(r.messagesSkipped).toBe(1);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  }, 180_000);
});
