import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { listFolders, readFolder, seedFolder, snapshotMailbox } from '../harness/mailbox';
import { bulkMessages, trickyMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';

/**
 * Hierarchy separators and namespace prefixes: a Courier/Cyrus-style server
 * (INBOX. prefix, '.' separator) on either side of a '/' server, and unified mode
 * (everything under a folder named after the source address).
 */
const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };
const carol = { user: 'carol@new.example.com', password: 'carol-pw' };

async function expectFoldersEqual(source: DovecotServer, target: DovecotServer, pairs: Array<[string, string]>) {
  for (const [s, t] of pairs) {
    expect(identities(await readFolder(target, bob, t)), `${s} -> ${t}`).toEqual(identities(await readFolder(source, alice, s)));
  }
}

describe('Courier-style source (INBOX. prefix, "." separator) into a "/" target', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const state = tempStore();

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'courier-src', users: [alice], prefix: 'INBOX.', separator: '.', specialUse: false }),
      startDovecot({ name: 'slash-tgt', users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', [...trickyMessages(), ...bulkMessages(20, 11)]);
    await seedFolder(source, alice, 'INBOX.Sent Messages', bulkMessages(6, 12, { prefix: 's' }));
    await seedFolder(source, alice, 'INBOX.Work.2024', bulkMessages(9, 13, { prefix: 'w' }));
    await seedFolder(source, alice, 'INBOX.项目.客户B', bulkMessages(4, 14, { prefix: 'p' }));
    await seedFolder(source, alice, 'INBOX.a+b', bulkMessages(2, 15, { prefix: 'plus' }));
  });
  afterAll(async () => {
    state.cleanup();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('strips the prefix, translates the separator and keeps names the target can hold', async () => {
    const before = await snapshotMailbox(source, alice);
    const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
    expect(result.error).toBeNull();
    const byTarget = Object.fromEntries(result.folders.map((f) => [f.source, f.target]));
    expect(byTarget['INBOX']).toBe('INBOX');
    expect(byTarget['INBOX.Sent Messages']).toBe('Sent');
    expect(byTarget['INBOX.Work.2024']).toBe('Work/2024');
    expect(byTarget['INBOX.项目.客户B']).toBe('项目/客户B');
    expect(byTarget['INBOX.a+b']).toBe('a+b');
    await expectFoldersEqual(source, target, Object.entries(byTarget).filter(([s]) => before.folders[s]) as Array<[string, string]>);
    expect(await snapshotMailbox(source, alice)).toEqual(before);
  });
});

describe('"/" source into a Courier-style target', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const state = tempStore();

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'slash-src', users: [alice] }),
      startDovecot({ name: 'courier-tgt', users: [bob], prefix: 'INBOX.', separator: '.' }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(10, 21));
    await seedFolder(source, alice, 'Sent', bulkMessages(5, 22, { prefix: 's' }));
    await seedFolder(source, alice, 'Projects/2024', bulkMessages(5, 23, { prefix: 'p' }));
    await seedFolder(source, alice, 'v1.2 release', bulkMessages(3, 24, { prefix: 'v' }));
  });
  afterAll(async () => {
    state.cleanup();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('adds the target prefix, uses "." between levels and escapes dots inside names', async () => {
    const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob)), state.store);
    expect(result.error).toBeNull();
    const byTarget = Object.fromEntries(result.folders.map((f) => [f.source, f.target]));
    expect(byTarget['INBOX']).toBe('INBOX');
    const targetSent = (await listFolders(target, bob)).find((f) => f.specialUse === '\\Sent')?.path;
    expect(byTarget['Sent']).toBe(targetSent);
    expect(byTarget['Projects/2024']).toBe('INBOX.Projects.2024');
    expect(byTarget['v1.2 release']).toBe('INBOX.v1．2 release');
    await expectFoldersEqual(source, target, Object.entries(byTarget) as Array<[string, string]>);
  });
});

describe('unified mode', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'uni-src', users: [alice] }),
      startDovecot({ name: 'uni-tgt', users: [bob, carol], prefix: 'INBOX.', separator: '.' }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(8, 31));
    await seedFolder(source, alice, 'Sent', bulkMessages(4, 32, { prefix: 's' }));
    await seedFolder(source, alice, '项目/2024', bulkMessages(3, 33, { prefix: 'p' }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('puts every folder, INBOX included, under one folder named after the source address', async () => {
    const state = tempStore();
    try {
      const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob), { mode: 'unified' }), state.store);
      expect(result.error).toBeNull();
      const byTarget = Object.fromEntries(result.folders.map((f) => [f.source, f.target]));
      // The address's dots must not become hierarchy levels on a '.' server.
      const root = 'INBOX.alice@old．example．com';
      expect(byTarget['INBOX']).toBe(`${root}.INBOX`);
      expect(byTarget['Sent']).toBe(`${root}.Sent`);
      expect(byTarget['项目/2024']).toBe(`${root}.项目.2024`);
      await expectFoldersEqual(source, target, Object.entries(byTarget).filter(([s]) => !s.includes('Trash') && !s.includes('Junk') && !s.includes('Drafts') && !s.includes('Archive')) as Array<[string, string]>);
      // Nothing landed in the target's own INBOX.
      expect(await readFolder(target, bob, 'INBOX')).toHaveLength(0);
    } finally {
      state.cleanup();
    }
  });
});
