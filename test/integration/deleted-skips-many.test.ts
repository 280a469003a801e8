/**
 * --deleted skip with many scattered skips: the next pass asks the source for the flags of every
 * message it left out as \Deleted (plan-folder.ts). A folder where a client marks mail deleted
 * without expunging holds thousands of them, not in ranges; asked in one UID FETCH, the command
 * line outgrows what the server accepts (Courier closes the connection on a line of about 20 KB,
 * Dovecot answers BAD "Too long argument" beyond 64 KB) and every pass failed on that folder.
 * A skipped message expunged since is not returned by that FETCH: its skip is over too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import { seedFolder, withImap } from '../harness/mailbox';
import { MATRIX, startConfig, type AnyMailServer, type MailUser } from '../harness/servers';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice-manyskips@old.example.com', password: 'Manyskips-src-pw-2Vb' };
const carol: MailUser = { user: 'carol-expunged@old.example.com', password: 'Expunged-src-pw-8Zt' };
const bob: MailUser = { user: 'bob-manyskips@new.example.com', password: 'Manyskips-tgt-pw-6Nc' };
let courier: AnyMailServer;
let dovecot: AnyMailServer;

beforeAll(async () => {
  [courier, dovecot] = await Promise.all([
    startConfig(MATRIX.find((m) => m.kind === 'courier')!, { name: 'manyskips-courier', users: [alice, carol] }),
    startConfig(MATRIX.find((m) => m.kind === 'dovecot')!, { name: 'manyskips-dovecot', users: [bob] }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([courier?.stop(), dovecot?.stop()]);
});

it('Courier source, 4,500 scattered \\Deleted skips: the next pass asks their flags and completes', async () => {
  const n = 9000;
  const raw = (i: number) => `Message-ID: <m${i}@old.example.com>\r\nFrom: a@old.example.com\r\nSubject: m${i}\r\nDate: Tue, 01 Jun 2021 08:00:00 +0000\r\n\r\nbody ${i}\r\n`;
  await seedFolder(courier, alice, 'INBOX', Array.from({ length: n }, (_, i) => ({ raw: raw(i), flags: i % 2 === 1 ? ['\\Seen', '\\Deleted'] : ['\\Seen'], internalDate: new Date('2021-06-01T08:00:00Z') })));
  const st = tempStore();
  try {
    const j = job(imapEndpoint(courier, alice), imapEndpoint(dovecot, bob), { deleted: 'skip', retryBaseMs: 10 });
    const first = await migrate(j, st.store);
    expect(first.status, JSON.stringify(first.error)).toBe('done');
    expect(first.messagesCopied).toBe(n / 2);
    const second = await migrate(j, st.store);
    expect(second.status, JSON.stringify(second.error)).toBe('done');
    expect(second.messagesCopied).toBe(0);
    expect(second.skipped).toHaveLength(n / 2);
  } finally {
    st.cleanup();
  }
}, 600_000);

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
