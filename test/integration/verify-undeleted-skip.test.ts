/**
 * verify and a --deleted skip the user has undone: a message left out as flagged \Deleted and
 * un-deleted on the source since is copied by the next pass (plan-folder.ts asks its flags), so
 * until then verify must count it missing, not list it as a skip the migration made on purpose
 * (from every source kind into Dovecot).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { verifyAccount } from '../../bridge/verify/verify-account';
import { seedFolder, withImap } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser, type ServerKind } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const KINDS: readonly ServerKind[] = ['dovecot', 'cyrus', 'courier'];
const alice = (k: ServerKind): MailUser => ({ user: `alice-vu-${k}@old.example.com`, password: 'Vundel-src-pw-4Rf' });
const bob = (k: ServerKind): MailUser => ({ user: `bob-vu-${k}@new.example.com`, password: 'Vundel-tgt-pw-9Lm' });
const servers = new Map<ServerKind, AnyMailServer>();
const message = (id: string, flags: string[]) => ({ raw: textMessage({ id, subject: id }), flags, internalDate: new Date('2021-06-01T08:00:00Z') });

beforeAll(async () => {
  const users = KINDS.flatMap((k) => [alice(k), bob(k)]);
  await Promise.all(KINDS.map(async (kind) => servers.set(kind, await startConfig(MATRIX.find((m) => m.kind === kind)!, { name: `vu-${kind}`, users }))));
});

afterAll(async () => {
  await Promise.allSettled([...servers.values()].map((s) => s.stop()));
});

describe.each(KINDS)('verify, --deleted skip undone: %s -> dovecot', (sk) => {
  it('a message skipped as \\Deleted and un-deleted on the source since is missing, not skipped', async () => {
    const src = servers.get(sk)!;
    const tgt = servers.get('dovecot')!;
    const uids = await seedFolder(src, alice(sk), 'INBOX', [message('kept', ['\\Seen']), message('restored', ['\\Seen', '\\Deleted']), message('gone', ['\\Deleted'])]);
    const st = tempStore();
    try {
      const j = job(imapEndpoint(src, alice(sk)), imapEndpoint(tgt, bob(sk)), { deleted: 'skip' });
      const first = await migrate(j, st.store);
      expect(first.messagesCopied).toBe(1);

      await withImap(src, alice(sk), async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageFlagsRemove(String(uids[1]), ['\\Deleted'], { uid: true });
      });
      const r = await verifyAccount(j, { deep: false, stateDir: st.dir });
      const inbox = r.folders.find((f) => f.source === 'INBOX')!;
      const brief = JSON.stringify({ status: r.status, totals: r.totals, missing: inbox.missing, skipped: inbox.skipped });
      expect(inbox.missing.map((m) => m.uid), brief).toEqual([uids[1]]);
      expect(inbox.skipped.map((m) => m.uid), brief).toEqual([uids[2]]);
      expect(r.status, brief).not.toBe('verified');

      // The next pass copies it; verify then agrees.
      const second = await migrate(j, st.store);
      expect(second.messagesCopied).toBe(1);
      const after = await verifyAccount(j, { deep: false, stateDir: st.dir });
      expect(after.status, JSON.stringify(after.totals)).toBe('verified');
    } finally {
      st.cleanup();
    }
  });
});
