import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFolder, seedFolder, withImap, type MailboxMessage } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { migrate } from '../../bridge/engine/migrate';
import { accountKey } from '../../bridge/engine/account-job';
import { adoptCheckpoints, checkpointRecords, reopenedRecords } from '../../bridge/queue/handed-checkpoints';
import { CheckpointRecordSchema, ReopenedCheckpointSchema } from '../../bridge/queue/protocol';
import { bulkMessages } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

/**
 * Queue mode hands an IMAP folder's checkpoint to the worker of the account's next pass
 * (handed-checkpoints.ts). A folder whose last pass left a message out for a reason the next
 * pass tries again (a refusal that did not name the message) lies below that checkpoint: only
 * the recording worker's row reopens it. The adopting worker must copy that message, and must
 * not bring back what the employee deleted or filed elsewhere in the new mailbox meanwhile,
 * in that very folder.
 */
const PAIRS: ReadonlyArray<{ source: ServerKind; target: ServerKind }> = [
  { source: 'dovecot', target: 'cyrus' },
  { source: 'cyrus', target: 'courier' },
  { source: 'courier', target: 'dovecot' },
];
const srcUser = (p: { target: ServerKind }): MailUser => ({ user: `rs-old-${p.target}@old.example.com`, password: 'Rs-src-pw-3' });
const tgtUser = (p: { source: ServerKind }): MailUser => ({ user: `rs-new-${p.source}@new.example.com`, password: 'Rs-tgt-pw-3' });
const idOf = (m: MailboxMessage): string => /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw!.toString('latin1'))![1]!;

describe('queue hand-over: a folder with a skip the next pass tries again', () => {
  const servers = new Map<ServerKind, AnyMailServer>();

  beforeAll(async () => {
    const started = await Promise.all(
      MATRIX.map((config) =>
        startConfig(config, {
          name: `rs-${config.kind}`,
          users: [...PAIRS.filter((p) => p.source === config.kind).map(srcUser), ...PAIRS.filter((p) => p.target === config.kind).map(tgtUser)],
        }),
      ),
    );
    for (const s of started) servers.set(s.kind, s);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([...servers.values()].map((s) => s.stop()));
  });

  it.each(PAIRS.map((p) => [`${p.source} -> ${p.target}`, p] as const))('%s: the skipped message is copied; deleted and filed copies stay away', async (_label, pair) => {
    const src = servers.get(pair.source)!;
    const tgt = servers.get(pair.target)!;
    const user = tgtUser(pair);
    await seedFolder(src, srcUser(pair), 'INBOX', bulkMessages(6, 97, { prefix: `rs-${pair.source}` }));
    const j = job(imapEndpoint(src, srcUser(pair)), imapEndpoint(tgt, user), { concurrency: 1 });
    const account = accountKey(j);
    const first = tempStore();
    const second = tempStore();
    try {
      expect((await migrate(j, first.store)).status).toBe('done');
      const copies = await readFolder(tgt, user, 'INBOX', { withRaw: true });
      expect(copies).toHaveLength(6);
      const [skipped, filed, deleted] = [copies[2]!, copies[3]!, copies[4]!];
      // The first worker's pass as it ends when the target refused the third message with words
      // that do not name the message (Courier: "Current box is selected READ-ONLY.") while it
      // accepted the others: a skip row, the checkpoint past it, the message not on the target.
      const cp = first.store.getCheckpoint(account, 'INBOX')!;
      const rows = first.store.settledAbove(account, 'INBOX', cp.uidValidity, 0);
      const row = [...rows.values()].find((r) => r.targetUid === skipped.uid)!;
      first.store.recordMessages(account, 'INBOX', cp.uidValidity, [{ ...row, outcome: 'skipped', targetUid: null, reason: 'MESSAGE_REJECTED: Current box is selected READ-ONLY.' }]);
      const filedFolder = folderPath(tgt, 'Kunden');
      await withImap(tgt, user, async (c) => {
        await c.mailboxCreate(filedFolder);
        await c.mailboxOpen('INBOX');
        await c.messageDelete(String(skipped.uid), { uid: true });
        // The employee's work in the new mailbox meanwhile.
        await c.messageMove(String(filed.uid), filedFolder, { uid: true });
        await c.messageDelete(String(deleted.uid), { uid: true });
      });
      await seedFolder(src, srcUser(pair), 'INBOX', bulkMessages(1, 98, { prefix: `rs-new-${pair.source}` }));

      // The next pass on another worker, which adopts what the first one hands over (through JSON, as the queue carries it).
      const handed = CheckpointRecordSchema.array().parse(JSON.parse(JSON.stringify(checkpointRecords(first.store, account))));
      const reopened = ReopenedCheckpointSchema.array().parse(JSON.parse(JSON.stringify(reopenedRecords(first.store, account))));
      expect(reopened.map((r) => r.skips.length), 'the folder with the skip tried again').toEqual([1]);
      adoptCheckpoints(second.store, account, handed, reopened);
      const r = await migrate(j, second.store);
      expect(r.status).toBe('done');
      const inbox = (await readFolder(tgt, user, 'INBOX', { withRaw: true })).map(idOf);
      console.log(`retried skip handover | ${pair.source} -> ${pair.target} | INBOX ${inbox.length} (want 5) | copied ${r.messagesCopied} (want 2)`);
      expect(inbox, 'the skipped message was never tried again').toContain(idOf(skipped));
      expect(inbox, 'the deleted copy came back').not.toContain(idOf(deleted));
      expect(inbox, 'the filed copy came back into the inbox').not.toContain(idOf(filed));
      expect(new Set(inbox).size).toBe(inbox.length);
      expect(inbox).toHaveLength(5);
      expect(r.messagesCopied).toBe(2);
    } finally {
      first.cleanup();
      second.cleanup();
    }
  }, 180_000);
});
