/**
 * --deleted skip: the next pass asks the source for the flags of every message it left out as
 * \Deleted (plan-folder.ts; the UID sets stay within what servers accept, uid-sets.test.ts).
 * A skipped message expunged since is not returned by that FETCH: its skip is over too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { seedFolder, withImap } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const carol: MailUser = { user: 'carol-expunged@old.example.com', password: 'Expunged-src-pw-8Zt' };
const bob: MailUser = { user: 'bob-manyskips@new.example.com', password: 'Manyskips-tgt-pw-6Nc' };
let courier: AnyMailServer;
let dovecot: AnyMailServer;

beforeAll(async () => {
  [courier, dovecot] = await Promise.all([
    startConfig(MATRIX.find((m) => m.kind === 'courier')!, { name: 'expunged-skip-courier', users: [carol] }),
    startConfig(MATRIX.find((m) => m.kind === 'dovecot')!, { name: 'expunged-skip-dovecot', users: [bob] }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([courier?.stop(), dovecot?.stop()]);
});

it('a message left out by --deleted skip and expunged on the source since is no longer listed as skipped', async () => {
  const a = carol;
  const raw = (id: string) => `Message-ID: <${id}@old.example.com>\r\nFrom: a@old.example.com\r\nSubject: ${id}\r\nDate: Tue, 01 Jun 2021 08:00:00 +0000\r\n\r\nbody\r\n`;
  const folder = 'INBOX.Expunged';
  const uids = await seedFolder(courier, a, folder, [
    { raw: raw('kept'), flags: ['\\Seen'], internalDate: new Date('2021-06-01T08:00:00Z') },
    { raw: raw('gone'), flags: ['\\Seen', '\\Deleted'], internalDate: new Date('2021-06-01T08:00:00Z') },
  ]);
  const st = tempStore();
  try {
    const j = job(imapEndpoint(courier, a), imapEndpoint(dovecot, bob), { deleted: 'skip', retryBaseMs: 10 });
    const first = await migrate(j, st.store);
    expect(first.skipped.filter((s) => s.folder === folder).map((s) => s.uid)).toEqual([uids[1]]);
    await withImap(courier, a, async (c) => {
      await c.mailboxOpen(folder);
      await c.messageDelete(String(uids[1]), { uid: true });
    });
    const second = await migrate(j, st.store);
    expect(second.status, JSON.stringify(second.error)).toBe('done');
    expect(second.skipped.filter((s) => s.folder === folder), JSON.stringify(second.skipped.filter((s) => s.folder === folder))).toEqual([]);
  } finally {
    st.cleanup();
  }
});
