/**
 * A pass stopped before it planned every folder (paused from the monitor, the bridge shutting
 * down) reports as each unplanned folder's total the count the listing gave, as its progress
 * did. It used to report 0 for them: the account's total in the monitor dropped by the
 * folders not reached (3,000 to 2,000 here) while their mail was still to copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { AccountProgress } from '../../shared/migration';
import { seedFolder } from '../harness/mailbox';
import { folderPath, MATRIX, startConfig, type AnyMailServer } from '../harness/servers';
import { bulkMessages } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'Stop-src-pw-4Kq' };
const bob = { user: 'bob@new.example.com', password: 'Stop-tgt-pw-8Rn' };
const FOLDERS = ['INBOX', 'Alpha', 'Beta', 'Gamma', 'Delta'];
const pathOf = (server: AnyMailServer, folder: string): string => (folder === 'INBOX' ? folder : folderPath(server, folder));
const PER_FOLDER = 120;

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('a pass stopped part-way: $name', ({ config }) => {
  let source: AnyMailServer;
  let target: AnyMailServer;

  beforeAll(async () => {
    [source, target] = await Promise.all([startConfig(config, { name: `stop-src-${config.id}`, users: [alice] }), startConfig(config, { name: `stop-tgt-${config.id}`, users: [bob] })]);
    for (const [i, folder] of FOLDERS.entries()) await seedFolder(source, alice, pathOf(source, folder), bulkMessages(PER_FOLDER, 700 + i, { prefix: folder }));
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('reports every listed folder in its total, planned or not', async () => {
    const state = tempStore();
    const stop = new AbortController();
    let last: AccountProgress | undefined;
    try {
      const result = await migrate(job(imapEndpoint(source, alice), imapEndpoint(target, bob), { concurrency: 1, fixedConcurrency: true, chunkMessages: 10 }), state.store, {
        signal: stop.signal,
        onProgress: (p) => {
          last = p;
          // Stopped once the first chunk is in: the other folders are not planned yet.
          if (p.messagesCopied > 0) stop.abort();
        },
      });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('CANCELLED');
      const planned = last!.folders.map((f) => f.source);
      expect(planned.length).toBeLessThan(FOLDERS.length);
      const byFolder = new Map(result.folders.map((f) => [f.source, f.total]));
      for (const folder of FOLDERS) expect(byFolder.get(pathOf(source, folder)), folder).toBe(PER_FOLDER);
      expect(result.folders.reduce((s, f) => s + f.total, 0)).toBe(last!.messagesTotal);
    } finally {
      state.cleanup();
    }
  });
});
