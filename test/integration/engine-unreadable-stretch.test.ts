/**
 * A stretch of messages the source server cannot read (nine of an INBOX of forty, seven of
 * them in a row: a restored backup with the wrong owner, a disk fault), in the middle of the
 * folder or at its very start (its first chunk all damaged, before any message of the
 * folder came through), on each source server, each failing in its own way: Dovecot drops
 * the session over every FETCH that includes one, Cyrus answers OK and leaves them out,
 * Courier-IMAP sends them empty. Every readable message is copied once, each damaged one is
 * skipped as SOURCE_UNREADABLE (not for good), and once repaired the next run copies exactly
 * those. The source is unchanged.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipIsFinal } from '../../bridge/engine/append-refusal';
import { migrate } from '../../bridge/engine/migrate';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder, snapshotMailbox, withImap } from '../harness/mailbox';
import { FINGERPRINT_HEADERS } from '../../bridge/engine/fingerprint';
import { startMailServer, type CourierServer, type CyrusServer } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';
import { cyrusMessageFile, maildirMessageFile, makeUnreadable, replaceWithDirectory } from '../support/message-files';
import { imapEndpoint } from './matrix-engine-support';

const owner = { user: 'stretch@old.example.com', password: 'Stretch-src-pw' };
const KINDS = ['dovecot', 'cyrus', 'courier'] as const;
/**
 * Message numbers (Message-ID <m-741-N@...>, in UID order) made unreadable, seven in a row and
 * two more, and the chunk size: in the middle (chunks of 5: the second chunk all damaged,
 * after the first came through), or from the first message on (the first chunk all damaged:
 * nothing of the folder has come through when it fails; before, the whole INBOX waited for
 * the repair), also in chunks of 2 (too small a set for the narrowing's probes).
 */
const LAYOUTS = {
  middle: { damaged: [6, 7, 8, 9, 10, 11, 12, 20, 21], chunkMessages: 5 },
  first: { damaged: [1, 2, 3, 4, 5, 6, 7, 20, 21], chunkMessages: 5 },
  first2: { damaged: [1, 2, 3, 4, 5, 6, 7, 20, 21], chunkMessages: 2 },
} as const;
type Layout = keyof typeof LAYOUTS;
const targetOf = (kind: (typeof KINDS)[number], layout: Layout) => ({ user: `from-${kind}-${layout}@new.example.com`, password: `Stretch-tgt-pw-${kind}-${layout}` });

describe('a stretch of messages the source cannot read', () => {
  let dovecot: DovecotServer;
  let cyrus: CyrusServer;
  let courier: CourierServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [dovecot, cyrus, courier, target] = await Promise.all([
      startDovecot({ name: 'stretch-dovecot', users: [owner] }),
      startMailServer('cyrus', { name: 'stretch-cyrus', users: [owner] }),
      startMailServer('courier', { name: 'stretch-courier', users: [owner] }),
      startDovecot({ name: 'stretch-tgt', users: KINDS.flatMap((kind) => (Object.keys(LAYOUTS) as Layout[]).map((layout) => targetOf(kind, layout))) }),
    ]);
    for (const server of [dovecot, cyrus, courier]) {
      await seedFolder(server, owner, 'INBOX', bulkMessages(40, 741));
      await seedFolder(server, owner, `${server.prefix}Work`, bulkMessages(5, 742, { prefix: 'w' }));
    }
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), cyrus?.stop(), courier?.stop(), target?.stop()]);
  });

  const servers = [
    ['Dovecot (drops the session over each)', 'dovecot'],
    ['Cyrus (answers OK without them)', 'cyrus'],
    ['Courier-IMAP (sends them empty)', 'courier'],
  ] as const;
  const cases = servers.flatMap(([label, kind]) => (Object.keys(LAYOUTS) as Layout[]).map((layout) => [label, layout, kind] as const));

  it.each(cases)('%s, the stretch: %s: every readable message copied once, the damaged ones skipped and copied by the run after the repair', async (_label, layout, kind) => {
    const { damaged: DAMAGED, chunkMessages } = LAYOUTS[layout];
    const server = kind === 'dovecot' ? dovecot : kind === 'cyrus' ? cyrus : courier;
    const user = targetOf(kind, layout);
    const before = await snapshotMailbox(server, owner);
    const srcInbox = await readFolder(server, owner, 'INBOX', { withRaw: true });
    const srcWork = await readFolder(server, owner, `${server.prefix}Work`);
    const uidOf = (n: number): number => srcInbox.find((m) => m.raw!.toString('latin1').includes(`Message-ID: <m-741-${n}@`))!.uid;
    const damagedUids = DAMAGED.map(uidOf).sort((a, b) => a - b);
    const fileOf = (n: number): string =>
      kind === 'cyrus'
        ? cyrusMessageFile(cyrus, `m-741-${n}`)
        : maildirMessageFile(kind === 'dovecot' ? join(dovecot.userHome(owner.user), 'Maildir') : courier.maildir(owner.user), `m-741-${n}`);
    if (kind === 'dovecot') {
      // Dovecot keeps the header fields a client asked for in its index cache: the planning
      // FETCH is then answered without opening the files, and only the bodies fail.
      await withImap(dovecot, owner, async (client) => {
        await client.mailboxOpen('INBOX', { readOnly: true });
        await client.fetchAll('1:*', { uid: true, flags: true, internalDate: true, size: true, headers: [...FINGERPRINT_HEADERS] });
      });
    }
    const files = DAMAGED.map(fileOf);
    // Courier-IMAP runs as root here, so a file's mode stops nothing: its files become directories.
    const repairs = files.map((file) => (kind === 'courier' ? replaceWithDirectory(file) : makeUnreadable(file)));
    const repair = (): void => {
      for (const r of repairs.splice(0)) r();
    };
    const state = tempStore();
    const migration = job(kind === 'dovecot' ? plainEndpoint(dovecot, owner) : imapEndpoint(kind === 'cyrus' ? cyrus : courier, owner), plainEndpoint(target, user), { concurrency: 1, fixedConcurrency: true, maxAttempts: 3, chunkMessages });
    try {
      const first = await migrate(migration, state.store);
      expect(first.error).toBeNull();
      expect(first.status).toBe('done');
      expect(first.messagesCopied).toBe(40 - DAMAGED.length + 5);
      expect(first.skipped.map((s) => s.uid).sort((a, b) => a - b)).toEqual(damagedUids);
      for (const s of first.skipped) {
        expect(s.folder).toBe('INBOX');
        expect(s.reason).toMatch(/^SOURCE_UNREADABLE: the source server could not read this message/);
        expect(skipIsFinal(s.reason)).toBe(false);
      }
      expect(identities(await readFolder(target, user, 'INBOX'))).toEqual(identities(srcInbox.filter((m) => !damagedUids.includes(m.uid))));
      expect(identities(await readFolder(target, user, 'Work'))).toEqual(identities(srcWork));

      if (layout === 'middle') {
        // Syncs of the service's window (unreadableRetryMs): the first tries the damaged
        // messages again (still damaged: skipped again); the next, after the repair but within
        // the interval, does not try them yet (each try costs about a login apiece on Dovecot):
        // they stay reported as skipped, nothing else changes.
        const sync = { ...migration, options: { ...migration.options, unreadableRetryMs: 6 * 3_600_000 } };
        const tried = await migrate(sync, state.store);
        expect(tried.error).toBeNull();
        expect(tried.messagesCopied).toBe(0);
        expect(tried.skipped.map((s) => s.uid).sort((a, b) => a - b)).toEqual(damagedUids);
        repair();
        const held = await migrate(sync, state.store);
        expect(held.error).toBeNull();
        expect(held.messagesCopied).toBe(0);
        expect(held.skipped.map((s) => s.uid).sort((a, b) => a - b)).toEqual(damagedUids);
        expect(await readFolder(target, user, 'INBOX')).toHaveLength(40 - DAMAGED.length);
      }
      repair();
      const second = await migrate(migration, state.store);
      expect(second.error).toBeNull();
      expect(second.skipped).toEqual([]);
      expect(second.messagesCopied).toBe(DAMAGED.length);
      expect(identities(await readFolder(target, user, 'INBOX'))).toEqual(identities(srcInbox));
    } finally {
      repair();
      state.cleanup();
    }
    expect(await snapshotMailbox(server, owner)).toEqual(before);
  });
});
