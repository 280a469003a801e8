import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAccount } from '../../bridge/engine/migrate-account';
import { startDovecot, type DovecotServer } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { bigMessage, bulkMessages } from '../support/corpus';
import { identities, job, plainEndpoint, tempStore } from '../support/engine-fixtures';

const alice = { user: 'alice@old.example.com', password: 'alice-pw' };
const bob = { user: 'bob@new.example.com', password: 'bob-pw' };

describe('volume: a 5,000+ message folder and a 20 MB message', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  const state = tempStore();

  beforeAll(async () => {
    [source, target] = await Promise.all([startDovecot({ name: 'vol-src', users: [alice] }), startDovecot({ name: 'vol-tgt', users: [bob] })]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(5200, 71, { minBody: 100, maxBody: 1500 }));
    await seedFolder(source, alice, 'Attachments', [
      ...bulkMessages(3, 72, { prefix: 'att' }),
      { raw: bigMessage(20 * 1024 * 1024, 'twenty-mb'), flags: ['\\Seen', '\\Answered'], internalDate: new Date('2021-02-05T10:00:00Z') },
    ]);
  });
  afterAll(async () => {
    state.cleanup();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('copies everything exactly, big folder split across workers', async () => {
    const folderTotals = new Map<string, number>();
    const result = await migrateAccount(job(plainEndpoint(source, alice), plainEndpoint(target, bob), { concurrency: 4 }), state.store, {
      onProgress: (p) => p.folders.forEach((f) => folderTotals.set(f.source, f.total)),
    });
    expect(result.error).toBeNull();
    expect(result.messagesCopied).toBe(5204);
    expect(folderTotals.get('INBOX')).toBe(5200);
    for (const folder of ['INBOX', 'Attachments']) {
      expect(identities(await readFolder(target, bob, folder)), folder).toEqual(identities(await readFolder(source, alice, folder)));
    }
    const big = (await readFolder(target, bob, 'Attachments')).find((m) => m.size > 20_000_000);
    expect(big?.flags).toEqual(['\\Answered', '\\Seen']);
  });
});
