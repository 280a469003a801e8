import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { listFolders, readFolder, seedFolder, snapshotMailbox, type FolderInfo } from '../harness/mailbox';
import { bulkMessages, textMessage } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const users = ['views', 'views-explicit', 'since', 'glob', 'del-copy', 'del-skip', 'del-undelete', 'dry', 'since-widen'].map((n) => ({ user: `${n}@new.example.com`, password: 'pw' }));
const u = (name: string) => users.find((x) => x.user.startsWith(name + '@'))!;

describe('filters, \\Deleted policy, dry run', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'opt-src', users: [alice] }),
      startDovecot({ name: 'opt-tgt', users }),
    ]);
    const old = new Date('2019-06-01T00:00:00Z');
    const recent = new Date('2025-06-01T00:00:00Z');
    await seedFolder(source, alice, 'INBOX', [
      { raw: textMessage({ id: 'old-1', date: old }), flags: ['\\Seen'], internalDate: old },
      { raw: textMessage({ id: 'new-1', date: recent }), flags: [], internalDate: recent },
      { raw: textMessage({ id: 'deleted-1', date: recent }), flags: ['\\Deleted', '\\Seen'], internalDate: recent },
      { raw: textMessage({ id: 'new-2', date: recent }), flags: ['\\Flagged'], internalDate: new Date('2025-07-01T00:00:00Z') },
    ]);
    await seedFolder(source, alice, 'Work/2024', bulkMessages(3, 61));
    await seedFolder(source, alice, 'Work/2024/Q1', bulkMessages(2, 62));
    await seedFolder(source, alice, 'Private', bulkMessages(2, 63));
    await seedFolder(source, alice, '[Gmail]/All Mail', bulkMessages(2, 64));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('--since copies only messages received on or after the date; widening it later copies the rest', async () => {
    const state = tempStore();
    try {
      const since = new Date('2025-01-01T00:00:00Z');
      const first = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, u('since-widen')), { since, includeFolders: ['INBOX'] }), state.store);
      expect(first.status).toBe('done');
      const inbox = await readFolder(target, u('since-widen'), 'INBOX');
      expect(inbox).toHaveLength(3);
      expect(inbox.every((m) => m.internalDate >= since)).toBe(true);
      // The checkpoint must not have moved past the filtered-out message for good.
      const second = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, u('since-widen')), { includeFolders: ['INBOX'] }), state.store);
      expect(second.messagesCopied).toBe(1);
      expect(identities(await readFolder(target, u('since-widen'), 'INBOX'))).toEqual(identities(await readFolder(source, alice, 'INBOX')));
    } finally {
      state.cleanup();
    }
  });

  it('include and exclude globs select folders ("*" one level, "**" any depth, exclude wins)', async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(
        job(plainEndpoint(source, alice), plainEndpoint(target, u('glob')), { includeFolders: ['Work/**', 'Work', 'INBOX'], excludeFolders: ['Work/*/Q1'] }),
        state.store,
      );
      expect(result.folders.map((f) => f.source).sort()).toEqual(['INBOX', 'Work', 'Work/2024']);
      expect(result.messagesCopied).toBe(4 + 3);
      const paths = (await listFolders(target, u('glob'))).map((f) => f.path);
      expect(paths).toContain('Work/2024');
      expect(paths).not.toContain('Private');
      expect(paths).not.toContain('Work/2024/Q1');
    } finally {
      state.cleanup();
    }
  });

  it.each([
    ['copy', 4, true],
    ['skip', 3, false],
    ['undelete', 4, false],
  ] as const)('messages flagged \\Deleted: policy %s', async (policy, expectedCount, keepsFlag) => {
    const state = tempStore();
    const user = u(`del-${policy}`);
    try {
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, user), { deleted: policy, includeFolders: ['INBOX'] }), state.store);
      expect(result.status).toBe('done');
      const inbox = await readFolder(target, user, 'INBOX');
      expect(inbox).toHaveLength(expectedCount);
      expect(inbox.some((m) => m.flags.includes('\\Deleted'))).toBe(keepsFlag);
      if (policy === 'skip') {
        expect(result.skipped).toHaveLength(1);
        expect(result.skipped[0]!.reason).toMatch(/Deleted/);
      }
    } finally {
      state.cleanup();
    }
  });

  it("virtual views such as Gmail's All Mail are left out unless explicitly included", async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, u('views'))), state.store);
      expect(result.status).toBe('done');
      expect(result.folders.map((f) => f.source)).not.toContain('[Gmail]/All Mail');
      expect((await listFolders(target, u('views'))).map((f) => f.path).some((p) => p.includes('All Mail'))).toBe(false);
      const explicit = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, u('views-explicit')), { includeFolders: ['[Gmail]/**'] }), state.store);
      expect(explicit.folders.map((f) => f.source)).toContain('[Gmail]/All Mail');
      expect(explicit.messagesCopied).toBe(2);
    } finally {
      state.cleanup();
    }
  });

  it('--dry-run lists folders and counts and writes nothing', async () => {
    const state = tempStore();
    try {
      const before = await snapshotMailbox(target, u('dry'));
      const foldersBefore = withoutMarks(await listFolders(target, u('dry')));
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, u('dry')), { dryRun: true }), state.store);
      expect(result.status).toBe('done');
      expect(result.folders.find((f) => f.source === 'INBOX')?.total).toBe(4);
      expect(result.folders.find((f) => f.source === 'Work/2024/Q1')?.total).toBe(2);
      expect(result.messagesCopied).toBe(0);
      expect(await snapshotMailbox(target, u('dry'))).toEqual(before);
      expect(withoutMarks(await listFolders(target, u('dry')))).toEqual(foldersBefore);
    } finally {
      state.cleanup();
    }
  });
});

/**
 * Folders without \Marked/\UnMarked: Dovecot's LIST adds \UnMarked to a folder once it
 * has not seen new mail for a while (RFC 3501 7.2.2), so on a slow machine the second
 * LIST can differ from the first without anyone writing to the target.
 */
function withoutMarks(folders: FolderInfo[]): FolderInfo[] {
  return folders.map((f) => ({ ...f, flags: f.flags.filter((x) => !/^\\(Un)?Marked$/i.test(x)) }));
}
