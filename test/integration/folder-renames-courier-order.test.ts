/**
 * A folder renamed on a Courier source whose messages change places in the rename
 * (folder-renames.ts).
 *
 * Courier stores a message as `<seconds>.M<microseconds>P<pid>…` and numbers the messages of a
 * folder in the order they arrive. Its RENAME writes a new UID list (and a new UIDVALIDITY) in the
 * order of the file names compared as text, so three messages stored in one second whose
 * microseconds cross a power of ten (M99990, M100010, M100020) come out as 2, 3, 1. Seen as an
 * intermittent failure of the rename cases in matrix-source-changes: the renamed folder was not
 * recognised and all its mail was copied a second time under the new name.
 *
 * Its INBOX stays empty, and Courier gives an empty folder it keeps no UID list for a new
 * UIDVALIDITY on every EXAMINE: that is no change to warn about.
 *
 * The test gives the three files such names on disk after the first pass, as a store in that
 * instant would have named them (Courier's UID list still holds them in arrival order until the
 * RENAME rewrites it), then renames the folder over IMAP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../../bridge/engine/migrate';
import { seedFolder, withImap } from '../harness/mailbox';
import { folderPath, startMailServer, type CourierServer, type DovecotMailServer, type MailUser } from '../harness/servers';
import { textMessage } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { idsByFolder, passSummary } from '../support/folder-ids';
import { imapEndpoint } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Order-src-pw-4Jd' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Order-tgt-pw-6Kp' };
let courier: CourierServer;
let dovecot: DovecotMailServer;

const message = (id: string) => ({ raw: textMessage({ id, subject: id }), flags: ['\\Seen'], internalDate: new Date('2021-06-01T08:00:00Z') });

/** Gives the folder's files, in arrival order, microseconds that sort otherwise as text. */
function crossPowerOfTen(folderDir: string): void {
  const cur = join(folderDir, 'cur');
  const arrival = (name: string) => /^(\d+)\.M(\d+)P/.exec(name)!.slice(1).map(Number) as [number, number];
  const names = readdirSync(cur).sort((x, y) => arrival(x)[0] - arrival(y)[0] || arrival(x)[1] - arrival(y)[1]);
  expect(names).toHaveLength(3);
  // One second for all three (seeding may straddle a second boundary, and the seconds come first
  // in the name), so only the microseconds decide the order as text.
  const oneSecond = /^\d+/.exec(names[0]!)![0];
  const crossing = ['M99990P', 'M100010P', 'M100020P'];
  names.forEach((name, i) => renameSync(join(cur, name), join(cur, name.replace(/^\d+\.M\d+P/, `${oneSecond}.${crossing[i]!}`))));
}

beforeAll(async () => {
  [courier, dovecot] = await Promise.all([
    startMailServer('courier', { name: 'order-src', users: [alice] }),
    startMailServer('dovecot', { name: 'order-tgt', users: [bob] }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([courier?.stop(), dovecot?.stop()]);
});

describe('folder renamed on Courier, its messages renumbered in another order', () => {
  it('is recognised: its copy on the target follows and only its new mail is copied', async () => {
    const p = (name: string) => folderPath(courier, name);
    const t = (name: string) => folderPath(dovecot, name);
    const state = tempStore();
    try {
      const j = job(imapEndpoint(courier, alice), imapEndpoint(dovecot, bob));
      await seedFolder(courier, alice, p('Projects'), ['p1', 'p2', 'p3'].map(message));
      const first = await migrate(j, state.store);
      expect(first.messagesCopied, passSummary(first)).toBe(3);

      crossPowerOfTen(join(courier.maildir(alice.user), '.Projects'));
      const order = await withImap(courier, alice, async (c) => {
        await c.mailboxRename(p('Projects'), p('Work'));
        const m = message('w1');
        await c.append(p('Work'), m.raw, m.flags, m.internalDate);
        await c.mailboxOpen(p('Work'), { readOnly: true });
        return (await c.fetchAll('1:*', { uid: true, envelope: true }, { uid: true })).map((f) => `${f.uid}:${f.envelope?.subject}`);
      });
      // The premise: the rename gave the recorded messages other UIDs than the first pass saw.
      expect(order).toEqual(['1:p2', '2:p3', '3:p1', '4:w1']);

      const second = await migrate(j, state.store);
      expect(second.status, passSummary(second)).toBe('done');
      expect(second.messagesCopied, passSummary(second)).toBe(1);
      expect(second.warnings.map((w) => w.code), passSummary(second)).toContain('FOLDER_RENAMED');
      // The empty INBOX gets a new UIDVALIDITY from Courier on every EXAMINE: nothing changed there.
      expect(second.warnings.filter((w) => w.message.includes('"INBOX"')), passSummary(second)).toEqual([]);
      expect(await idsByFolder(dovecot, bob), passSummary(second)).toEqual({ [t('Work')]: ['p1', 'p2', 'p3', 'w1'] });

      const third = await migrate(j, state.store);
      expect(third.messagesCopied, passSummary(third)).toBe(0);
    } finally {
      state.cleanup();
    }
  });
});
