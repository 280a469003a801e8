import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder, withImap } from '../harness/mailbox';
import { migrate } from '../../bridge/engine/migrate';
import { accountKey } from '../../bridge/engine/account-job';
import { adoptCheckpoints, checkpointRecords } from '../../bridge/queue/handed-checkpoints';
import { bulkMessages } from '../support/corpus';
import { job, plainEndpoint, tempStore } from '../support/engine-fixtures';

/**
 * Queue mode hands an account's folder checkpoints to whichever worker runs its next pass
 * (handed-checkpoints.ts), without the per-message rows. A message the target refused without
 * naming the message (a skip the next run tries again: skipIsFinal) lies below the checkpoint;
 * on the worker that recorded it, the next pass reopens the skip from its row. A worker that
 * adopted the checkpoint has no such row: it must still copy that message, not leave it out
 * for good.
 */
const SRC: DovecotUser = { user: 'skip@old.example.com', password: 'Skip-src-pw-1' };
const TGT: DovecotUser = { user: 'skip@new.example.com', password: 'Skip-tgt-pw-1' };

describe('queue hand-over: a skip the next run tries again survives a change of worker', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'hskip-src', users: [SRC] }), startDovecot({ name: 'hskip-tgt', users: [TGT] })]);
    await seedFolder(source, SRC, 'INBOX', bulkMessages(5, 71, { prefix: 'hskip' }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('the adopting worker copies the message the last pass skipped for a reason that was not the message', async () => {
    const j = job(plainEndpoint(source, SRC), plainEndpoint(target, TGT), { concurrency: 1 });
    const account = accountKey(j);
    const first = tempStore();
    const second = tempStore();
    try {
      expect((await migrate(j, first.store)).status).toBe('done');
      // The first worker's pass as it ends when the target refused message 3 with words that do
      // not name the message (Courier: "Current box is selected READ-ONLY.") while it accepted
      // the others: a skip row, the checkpoint past it, the message not on the target.
      const cp = first.store.getCheckpoint(account, 'INBOX')!;
      const row = first.store.settledBetween(account, 'INBOX', cp.uidValidity, 3, 3).get(3)!;
      first.store.recordMessages(account, 'INBOX', cp.uidValidity, [{ ...row, outcome: 'skipped', targetUid: null, reason: 'MESSAGE_REJECTED: Current box is selected READ-ONLY.' }]);
      await withImap(target, TGT, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageDelete(String(row.targetUid), { uid: true });
      });
      expect(await readFolder(target, TGT, 'INBOX')).toHaveLength(4);

      // The next pass on another worker, which adopts what the first one hands over.
      adoptCheckpoints(second.store, account, checkpointRecords(first.store, account));
      const result = await migrate(j, second.store);
      expect(result.status).toBe('done');
      const inbox = await readFolder(target, TGT, 'INBOX');
      expect(inbox, 'the skipped message was never tried again').toHaveLength(5);
      expect(new Set(inbox.map((m) => m.sha256)).size).toBe(5);
    } finally {
      first.cleanup();
      second.cleanup();
    }
  }, 120_000);
});
