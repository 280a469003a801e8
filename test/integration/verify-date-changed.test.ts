/**
 * verify and a date the target cannot store: the pass copied the message and reported
 * DATE_CHANGED (stored-dates.ts); copying it again cannot give it another date. Every verify
 * must not call that copy a new difference: it is listed as a known one the target imposes
 * (rewritten), as a copy whose bytes the target rewrote is (an ordinary date changed on the
 * target still counts: test/unit/verify-match.test.ts).
 * Cyrus keeps a 2099 INTERNALDATE (so it can be the source); Dovecot stores the time of the APPEND.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startMailServer, type AnyMailServer, type MailUser } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice-vd@old.example.com', password: 'Vdate-src-pw-3Kq' };
const bob: MailUser = { user: 'bob-vd@new.example.com', password: 'Vdate-tgt-pw-8Wz' };
const FUTURE = new Date('2099-01-01T12:00:00Z');
const ORDINARY = new Date('2021-06-01T08:00:00Z');
const message = (id: string, internalDate: Date) => ({ raw: textMessage({ id, subject: id, date: internalDate }), flags: ['\\Seen'], internalDate });

describe('verify: a copy whose date the target could not keep', () => {
  let source: AnyMailServer;
  let target: AnyMailServer;
  beforeAll(async () => {
    [source, target] = await Promise.all([startMailServer('cyrus', { name: 'vd-src', users: [alice] }), startMailServer('dovecot', { name: 'vd-tgt', users: [bob] })]);
  });
  afterAll(async () => {
    await Promise.allSettled([source?.stop(), target?.stop()]);
  });

  it('is listed as a date the target imposes, not counted as a difference', async () => {
    const uids = await seedFolder(source, alice, 'INBOX', [message('vd-ordinary', ORDINARY), message('vd-future', FUTURE)]);
    const st = tempStore();
    try {
      const j = job(imapEndpoint(source, alice), imapEndpoint(target, bob));
      const pass = await migrate(j, st.store);
      expect(pass.messagesCopied).toBe(2);
      expect(pass.warnings.filter((w) => w.code === 'DATE_CHANGED')).toHaveLength(1);
      // What the target keeps, read twice (Dovecot answers the first session with the date given).
      await readFolder(target, bob, 'INBOX');
      const kept = (await readFolder(target, bob, 'INBOX')).map((m) => m.internalDate.getTime());
      expect(kept).not.toContain(FUTURE.getTime());

      const r = await verifyAccount(j, { deep: false, stateDir: st.dir });
      const inbox = r.folders.find((f) => f.source === 'INBOX')!;
      const brief = JSON.stringify({ status: r.status, totals: r.totals, changed: inbox.changed, rewritten: inbox.rewritten });
      expect(inbox.changed, brief).toEqual([]);
      expect(inbox.rewritten.map((w) => w.uid), brief).toEqual([uids[1]]);
      expect(inbox.rewritten[0]!.what, brief).toContain(FUTURE.toISOString());
      expect(r.status, brief).toBe('verified');
    } finally {
      st.cleanup();
    }
  });
});
