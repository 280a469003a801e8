import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFolder, seedFolder, withImap, type MailboxMessage } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { QueueRunner } from '../../bridge/queue/queue-runner';
import { StateStore } from '../../bridge/engine/state-store';
import type { Logger } from '../../bridge/service/logger';
import { loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker } from '../../bridge/queue/queue-worker';
import { parseRedisUrl } from '../../bridge/queue/redis-url';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { imapEndpoint, pop3Endpoint } from './matrix-engine-support';

/**
 * Queue mode, POP3 source: what a pass copied from the maildrop is kept per message on the
 * worker that ran it. The account's next pass may run on another worker. Meanwhile the employee
 * works in the new mailbox: deletes a migrated message, files another into a folder of their
 * own. That pass must copy the new mail once and bring back neither of the two, as a pass of the
 * bridge without a queue does; and a later pass back on the first worker, whose own records are
 * older, neither.
 *
 * Every kind of the matrix serves once as the POP3 source and once as the IMAP target (a pair
 * per source kind, the target the next kind), each pair on mailboxes of its own.
 */
const PAIRS: ReadonlyArray<{ source: ServerKind; target: ServerKind }> = [
  { source: 'dovecot', target: 'cyrus' },
  { source: 'cyrus', target: 'courier' },
  { source: 'courier', target: 'dovecot' },
];
const popUser = (p: { source: ServerKind; target: ServerKind }): MailUser => ({ user: `pop-${p.target}@old.example.com`, password: 'Hand-pop-src-pw-7' });
const imapUser = (p: { source: ServerKind; target: ServerKind }): MailUser => ({ user: `new-${p.source}@new.example.com`, password: 'Hand-imap-tgt-pw-7' });
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

/** The Message-ID of each message: what a copy keeps of its source message whatever the target does to its bytes. */
const ids = (msgs: MailboxMessage[]): string[] => msgs.map((m) => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw!.toString('latin1'))![1]!).sort();

describe('queue mode, POP3 source: a sync pass on another worker than the last one', () => {
  let redis: RedisServer;
  let key: ClusterKey;
  const servers = new Map<ServerKind, AnyMailServer>();
  const scratch = scratchDir('queue-pop3-handover');

  beforeAll(async () => {
    const started = await Promise.all([
      startRedis({ name: 'pop3-handover' }),
      ...MATRIX.map((config) =>
        startConfig(config, {
          name: `ph-${config.kind}`,
          users: [...PAIRS.filter((p) => p.source === config.kind).map(popUser), ...PAIRS.filter((p) => p.target === config.kind).map(imapUser)],
        }),
      ),
    ]);
    redis = started[0] as RedisServer;
    for (const s of started.slice(1) as AnyMailServer[]) servers.set(s.kind, s);
    writeNewClusterKey(scratch.path('cluster.key'));
    key = loadClusterKey(scratch.path('cluster.key'));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([redis?.stop(), ...[...servers.values()].map((s) => s.stop())]);
    scratch.cleanup();
  });

  describe.each(PAIRS.map((p) => [`${p.source} POP3 -> ${p.target}`, p] as const))('%s', (label, pair) => {
    const tag = `${pair.source}-${pair.target}`;
    const src = () => servers.get(pair.source)!;
    const tgt = () => servers.get(pair.target)!;
    const job = () => ({
      source: pop3Endpoint(src(), popUser(pair)),
      target: { ...imapEndpoint(tgt(), imapUser(pair)), protocol: 'imap' as const },
      options: MigrationOptionsSchema.parse({ concurrency: 1 }),
      stateKey: `account:${tag}`,
    });

    /** One pass of the account as the bridge as coordinator runs it (QueueRunner), on worker `worker` alone. */
    async function pass(worker: string): Promise<void> {
      const address = parseRedisUrl(redis.url);
      const runner = new QueueRunner({
        queue: await AccountQueue.open(address, key),
        inflight: new InflightStore(scratch.path(`coordinator-${tag}`)),
        hostConnections: 8,
        queueLabel: 'test',
        log: quiet,
        verifyStore: StateStore.open(scratch.path(`coordinator-${tag}`)),
      });
      const w = await startQueueWorker({ redis: address, clusterKey: key, stateDir: scratch.path(`state-${tag}-${worker}`), concurrency: 1, name: worker, log: () => undefined });
      try {
        let ranOn: string | undefined;
        const result = await runner.run({ accountId: tag, job: job() }, { onProgress: () => undefined, onRetry: () => undefined, onWorker: (name) => (ranOn = name) }, new AbortController().signal);
        expect(result.status, JSON.stringify(result)).toBe('done');
        expect(ranOn).toBe(worker);
      } finally {
        await w.stop();
        await runner.close();
      }
    }

    it('deleted and filed copies stay deleted and filed; new mail arrives once; nothing lost', async () => {
      const user = imapUser(pair);
      const filedFolder = folderPath(tgt(), 'Kunden');
      const inbox = () => readFolder(tgt(), user, 'INBOX', { withRaw: true });
      const filed = () => readFolder(tgt(), user, filedFolder, { withRaw: true });
      await seedFolder(src(), popUser(pair), 'INBOX', bulkMessages(10, 81, { prefix: `ph-${tag}` }));

      await pass('w-a');
      const first = await inbox();
      expect(first).toHaveLength(10);
      const [moved, deleted] = first.slice(2, 4);
      await withImap(tgt(), user, async (c) => {
        await c.mailboxCreate(filedFolder);
        await c.mailboxOpen('INBOX');
        await c.messageMove(String(moved!.uid), filedFolder, { uid: true });
        await c.messageDelete(String(deleted!.uid), { uid: true });
      });
      await seedFolder(src(), popUser(pair), 'INBOX', bulkMessages(1, 82, { prefix: `ph-new-${tag}` }));

      await pass('w-b');
      const second = await inbox();
      console.log(`pop3 handover | ${label} | pass 2 on another worker | INBOX ${second.length} (want 9) | ${filedFolder} ${(await filed()).length} (want 1)`);
      const movedId = ids([moved!])[0]!;
      const deletedId = ids([deleted!])[0]!;
      expect(ids(second), 'the deleted copy came back').not.toContain(deletedId);
      expect(ids(second), 'the filed copy came back into the inbox').not.toContain(movedId);
      const newId = ids(second).find((id) => !ids(first).includes(id));
      expect(newId, 'the new message did not arrive').toBeDefined();
      expect(ids(second).filter((id) => id === newId)).toHaveLength(1);
      expect(second).toHaveLength(9);
      expect(ids(await filed())).toEqual([movedId]);
      // Nothing lost: every source message but the deleted one is in the inbox or the folder, once.
      expect([...ids(second), ...ids(await filed())].sort()).toEqual([...ids(first).filter((id) => id !== deletedId), newId!].sort());

      // Back on the first worker, whose own records predate the second pass: the message that
      // pass copied and the employee then filed stays filed; the newest arrives once.
      const newest = second.find((m) => ids([m])[0] === newId)!;
      await withImap(tgt(), user, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageMove(String(newest.uid), filedFolder, { uid: true });
      });
      await seedFolder(src(), popUser(pair), 'INBOX', bulkMessages(1, 83, { prefix: `ph-newer-${tag}` }));
      await pass('w-a');
      const third = await inbox();
      console.log(`pop3 handover | ${label} | pass 3 back on the first worker | INBOX ${third.length} (want 9) | ${filedFolder} ${(await filed()).length} (want 2)`);
      expect(ids(third), 'the message filed after the second pass came back').not.toContain(newId);
      expect(ids(third), 'the deleted copy came back').not.toContain(deletedId);
      expect(third).toHaveLength(9);
      expect(ids(await filed())).toEqual([movedId, newId!].sort());
    }, 180_000);
  });
});
