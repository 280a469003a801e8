/**
 * A source that leaves a message out of its FETCH answers (Cyrus answers OK without a message
 * whose file it cannot read, while its index lists it), over several runs: the message stays
 * reported skipped on every run, whatever else changed in the folder, and is copied once
 * repaired. Counting rows against the folder's count cannot tell it is missing once messages
 * below it were expunged (their rows stay): before, the second run then neither copied nor
 * skipped it, the checkpoint passed it, and it was never copied (lost).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder, withImap } from '../harness/mailbox';
import { startMailServer, type CyrusServer } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { cyrusMessageFile, makeUnreadable } from '../support/message-files';
import { imapEndpoint } from './matrix-engine-support';

const owner = { user: 'om@old.example.com', password: 'Omitted-src-pw' };
const user = { user: 'om@new.example.com', password: 'Omitted-tgt-pw' };

describe('messages a Cyrus source leaves out, over several runs', () => {
  let cyrus: CyrusServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [cyrus, target] = await Promise.all([startMailServer('cyrus', { name: 'om-cyrus', users: [owner] }), startDovecot({ name: 'om-tgt', users: [user] })]);
    await seedFolder(cyrus, owner, 'INBOX', bulkMessages(40, 771));
  });
  afterAll(async () => {
    await Promise.all([cyrus?.stop(), target?.stop()]);
  });

  it('still skipped by the run after messages below them were expunged on the source, copied once repaired', async () => {
    const src = await readFolder(cyrus, owner, 'INBOX', { withRaw: true });
    const uidOf = (n: number): number => src.find((m) => m.raw!.toString('latin1').includes(`Message-ID: <m-771-${n}@`))!.uid;
    const damaged = [11, 12, 13, 14].map(uidOf).sort((a, b) => a - b);
    const repairs = [11, 12, 13, 14].map((n) => makeUnreadable(cyrusMessageFile(cyrus, `m-771-${n}`)));
    const repair = (): void => {
      for (const r of repairs.splice(0)) r();
    };
    const st = tempStore();
    try {
      const j = job(imapEndpoint(cyrus, owner), plainEndpoint(target, user), { concurrency: 1, fixedConcurrency: true, chunkMessages: 5 });
      const first = await migrate(j, st.store);
      expect(first.skipped.map((s) => s.uid).sort((a, b) => a - b)).toEqual(damaged);
      expect(first.messagesCopied).toBe(36);

      // The employee deletes four old messages on the old server (the source, by the test):
      // their rows stay, so rows + what the next window fetches reach the folder's count.
      const gone = [1, 2, 3, 4].map(uidOf);
      await withImap(cyrus, owner, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageDelete(gone.join(','), { uid: true });
      });
      const second = await migrate(j, st.store);
      expect(second.error).toBeNull();
      expect(second.skipped.map((s) => s.uid).sort((a, b) => a - b)).toEqual(damaged);
      expect(second.messagesCopied).toBe(0);

      repair();
      const third = await migrate(j, st.store);
      expect(third.error).toBeNull();
      expect(third.skipped).toEqual([]);
      expect(third.messagesCopied).toBe(4);
      // Every message once: the four the first run copied before they were deleted stay on the target.
      expect(identities(await readFolder(target, user, 'INBOX'))).toEqual(identities(src));
    } finally {
      repair();
      st.cleanup();
    }
  });
});
