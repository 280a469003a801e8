/**
 * verify against a source that leaves messages out of its FETCH answers: Cyrus answers OK
 * without a message whose file it cannot read, while its index still lists it. verify asks
 * the index too: such a message is missing from the target (a skip the migration tries
 * again counts as missing: the migration still owes it), whether or not the migration
 * recorded the skip (it had not, after the lost-skip fault fixed in plan-folder.ts). Before,
 * it was absent from the check and the account "verified".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey } from '../../bridge/engine/account-job';
import { migrate } from '../../bridge/engine/migrate';
import { copyMissing } from '../../bridge/verify/copy-missing';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startMailServer, type CyrusServer } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { cyrusMessageFile, makeUnreadable } from '../support/message-files';
import { imapEndpoint } from './matrix-engine-support';

const owner = { user: 'vu@old.example.com', password: 'Verify-unreadable-src-pw' };
const user = { user: 'vu@new.example.com', password: 'Verify-unreadable-tgt-pw' };

describe('verify of a source that leaves unreadable messages out (Cyrus)', () => {
  let cyrus: CyrusServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [cyrus, target] = await Promise.all([startMailServer('cyrus', { name: 'vu-cyrus', users: [owner] }), startDovecot({ name: 'vu-tgt', users: [user] })]);
    await seedFolder(cyrus, owner, 'INBOX', bulkMessages(10, 761));
  });
  afterAll(async () => {
    await Promise.all([cyrus?.stop(), target?.stop()]);
  });

  it('reports them missing, with or without the migration\'s record of the skip (before: verified); one copied before it became unreadable still matches its copy', async () => {
    const src = await readFolder(cyrus, owner, 'INBOX', { withRaw: true });
    const uidOf = (n: number): number => src.find((m) => m.raw!.toString('latin1').includes(`Message-ID: <m-761-${n}@`))!.uid;
    const damaged = [3, 7].map(uidOf).sort((a, b) => a - b);
    const repairs = [3, 7].map((n) => makeUnreadable(cyrusMessageFile(cyrus, `m-761-${n}`)));
    const st = tempStore();
    try {
      const j = job(imapEndpoint(cyrus, owner), plainEndpoint(target, user), { concurrency: 1, fixedConcurrency: true });
      const r = await migrate(j, st.store);
      expect(r.skipped.map((s) => s.uid).sort((a, b) => a - b)).toEqual(damaged);
      expect(await readFolder(target, user, 'INBOX')).toHaveLength(8);

      // A message copied while it could be read, unreadable since: it pairs with its copy by the
      // fingerprint the migration recorded (before: missing, and its copy extra).
      repairs.push(makeUnreadable(cyrusMessageFile(cyrus, 'm-761-5')));
      const recorded = await verifyAccount(j, { deep: false, stateDir: st.dir });
      const inbox = recorded.folders.find((f) => f.source === 'INBOX')!;
      expect(recorded.status).toBe('differences');
      expect(inbox.missing.map((m) => m.uid)).toEqual(damaged);
      expect(inbox.sourceCount).toBe(10);
      expect(recorded.totals).toMatchObject({ matched: 8, missing: 2, extra: 0, changed: 0 });

      // The migration's record of them gone (what the fault fixed in plan-folder.ts left): still missing.
      const cp = st.store.checkpoints(accountKey(j)).find((c) => c.sourceFolder === 'INBOX')!;
      st.store.forgetMessages(accountKey(j), 'INBOX', cp.uidValidity, damaged);
      const lost = await verifyAccount(j, { deep: false, stateDir: st.dir });
      expect(lost.status).toBe('differences');
      expect(lost.folders.find((f) => f.source === 'INBOX')!.missing.map((m) => m.uid)).toEqual(damaged);
      expect(lost.totals).toMatchObject({ matched: 8, missing: 2 });

      // While the old server still cannot read them, the fix copies nothing; once it can, it
      // copies exactly them, and verify then passes.
      expect((await copyMissing(j, lost, st.store)).copied).toBe(0);
      for (const r of repairs.splice(0)) r();
      const fixed = await copyMissing(j, lost, st.store);
      expect(fixed.copied).toBe(2);
      const after = await verifyAccount(j, { deep: true, stateDir: st.dir });
      expect(after.status).toBe('verified');
      expect(after.totals).toMatchObject({ matched: 10, missing: 0, extra: 0 });
      expect(identities(await readFolder(target, user, 'INBOX'))).toEqual(identities(src));
    } finally {
      for (const r of repairs) r();
      st.cleanup();
    }
  });
});
