import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { listFolders, readFolder, seedFolder, snapshotMailbox, createFolder } from '../harness/mailbox';
import { bulkMessages, trickyMessages } from '../support/corpus';
import { identities, job, plainEndpoint, readStoredBytes, tempStore } from '../support/engine-fixtures';

/**
 * Mapped mode between two real Dovecots: an old Chinese-provider-style source
 * (no SPECIAL-USE, localized folder names) into a modern target with special-use
 * folders. Every message must arrive byte-exact with flags and internal date,
 * the source must not change, and a second run must copy nothing.
 */
const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };

// source folder -> expected target folder
const FOLDERS: Record<string, string> = {
  INBOX: 'INBOX',
  '已发送': 'Sent',
  '草稿箱': 'Drafts',
  '已删除': 'Trash',
  '垃圾邮件': 'Junk',
  'Projects/2024/Q1': 'Projects/2024/Q1',
  '项目/客户A': '项目/客户A',
  // Dovecot stores these names as they are, so they are kept exactly.
  'a+b': 'a+b',
  'c*d': 'c*d',
  'back\\slash': 'back\\slash',
};

describe('mapped migration between two Dovecots', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const state = tempStore();
  let before: Awaited<ReturnType<typeof snapshotMailbox>>;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'src-mapped', users: [alice], specialUse: false }),
      startDovecot({ name: 'tgt-mapped', users: [bob] }),
    ]);
    const tricky = trickyMessages();
    await seedFolder(source, alice, 'INBOX', [...tricky, ...bulkMessages(120, 1)]);
    await seedFolder(source, alice, '已发送', bulkMessages(30, 2, { prefix: 'sent' }));
    await seedFolder(source, alice, '草稿箱', tricky.filter((m) => m.label.startsWith('identical draft')));
    await seedFolder(source, alice, '已删除', [...bulkMessages(5, 3, { prefix: 'trash' }), { ...bulkMessages(1, 33)[0]!, flags: ['\\Deleted', '\\Seen'] }]);
    await seedFolder(source, alice, '垃圾邮件', bulkMessages(4, 4, { prefix: 'junk' }));
    await seedFolder(source, alice, 'Projects/2024/Q1', bulkMessages(25, 5, { prefix: 'q1' }));
    await seedFolder(source, alice, '项目/客户A', bulkMessages(10, 6, { prefix: 'kehu' }));
    await seedFolder(source, alice, 'a+b', bulkMessages(3, 7, { prefix: 'plus' }));
    await seedFolder(source, alice, 'c*d', bulkMessages(2, 8, { prefix: 'star' }));
    await seedFolder(source, alice, 'back\\slash', bulkMessages(2, 9, { prefix: 'bs' }));
    await createFolder(source, alice, 'Empty');
    before = await snapshotMailbox(source, alice);
  });

  afterAll(async () => {
    state.cleanup();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('copies every folder byte-exact with flags and internal dates, and leaves the source untouched', async () => {
    const progress: number[] = [];
    const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob), { concurrency: 3, chunkMessages: 40 }), state.store, {
      onProgress: (p) => progress.push(p.messagesCopied),
    });
    expect(result.error).toBeNull();
    expect(result.status).toBe('done');

    const total = Object.values(before.folders).reduce((s, f) => s + f.messages.length, 0);
    expect(result.messagesCopied).toBe(total);
    expect(result.messagesSkipped).toBe(0);
    expect(progress.length).toBeGreaterThan(1);

    for (const [src, tgt] of Object.entries(FOLDERS)) {
      const expected = identities(before.folders[src]!.messages);
      const actual = identities(await readFolder(target, bob, tgt));
      expect(actual, `${src} -> ${tgt}`).toEqual(expected);
      const folderResult = result.folders.find((f) => f.source === src);
      expect(folderResult?.target).toBe(tgt);
    }
    // The empty folder exists on the target too.
    const targetFolders = (await listFolders(target, bob)).map((f) => f.path);
    expect(targetFolders).toContain('Empty');
    // No stray copies of the localized folders next to the special-use ones.
    expect(targetFolders).not.toContain('已发送');

    // BODY[] shows a stored NUL as 0x80; the stored bytes themselves must match too.
    const withNul = (await readStoredBytes(source, alice, 'INBOX')).filter((b) => b.includes(0));
    expect(withNul).toHaveLength(1);
    const targetStored = await readStoredBytes(target, bob, 'INBOX');
    expect(targetStored.filter((b) => b.equals(withNul[0]!))).toHaveLength(1);

    const after = await snapshotMailbox(source, alice);
    expect(after).toEqual(before);
  });

  it('a second run appends nothing and downloads no bodies', async () => {
    const targetBefore = await snapshotMailbox(target, bob);
    const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
    expect(result.status).toBe('done');
    expect(result.messagesCopied).toBe(0);
    expect(result.messagesAlreadyPresent).toBe(Object.values(before.folders).reduce((s, f) => s + f.messages.length, 0));
    expect(await snapshotMailbox(target, bob)).toEqual(targetBefore);
  });

  it('a run with a fresh state store finds everything already on the target (copied by hand or lost state)', async () => {
    const fresh = tempStore();
    try {
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), fresh.store);
      expect(result.messagesCopied).toBe(0);
      expect(result.messagesAlreadyPresent).toBeGreaterThan(0);
      const drafts = await readFolder(target, bob, 'Drafts');
      // Two identical drafts on the source stay two on the target: dedup counts, it does not collapse.
      expect(drafts).toHaveLength(2);
    } finally {
      fresh.cleanup();
    }
  });

  it('new source mail is copied incrementally', async () => {
    await seedFolder(source, alice, 'INBOX', bulkMessages(7, 99, { prefix: 'new' }));
    const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
    expect(result.messagesCopied).toBe(7);
    expect(identities(await readFolder(target, bob, 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
  });
});
