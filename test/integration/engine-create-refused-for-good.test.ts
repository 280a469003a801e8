/**
 * A folder whose CREATE the target refuses every time in words that read like throttling
 * ("NO [UNAVAILABLE] ... try again later"). Taking that for throttling alone failed every
 * pass at the folder creation, before any folder was copied: the run gave up with nothing
 * copied, and in the service the account retried so for as long as it was retried, its other
 * folders never copied either. On the run's last chance only that folder is left for the
 * retry (THROTTLED, transient), and every other folder is copied. The refusals are given by
 * a proxy in front of each kind of real target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationError } from '../../bridge/engine/errors';
import { migrate } from '../../bridge/engine/migrate';
import { REMEDIES } from '../../shared/errors';
import { listFolders, readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, folderPath, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'CreateForGood-src-pw-6Tb' };
const bob = { user: 'bob@new.example.com', password: 'CreateForGood-tgt-pw-1Vz' };

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('a CREATE refused every time in words of throttling: $name', ({ config }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `crgood-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `crgood-tgt-${config.id}`, users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(6, 751));
    await seedFolder(source, alice, 'Projects', bulkMessages(9, 752, { prefix: 'p' }));
    await seedFolder(source, alice, 'Travel', bulkMessages(4, 753, { prefix: 't' }));
    proxy = await startAnsweringProxy(target.imapPort, (c) =>
      c.verb === 'CREATE' && c.line.includes('Travel') ? { reply: 'NO [UNAVAILABLE] Temporary failure, try again later' } : undefined,
    );
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('the other folders are copied; the account fails THROTTLED, to be retried, for that folder only', async () => {
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const result = await migrate(job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { concurrency: 1, maxAttempts: 3 }), state.store, {
        onRetry: (err) => retries.push(err),
      });
      expect(retries.map((e) => e.code)).toContain('THROTTLED');
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('THROTTLED');
      // Retried by the service after a back-off, as THROTTLED is.
      expect(REMEDIES[result.error!.code].transient).toBe(true);
      expect(result.error?.side).toBe('target');
      const travel = result.folders.find((f) => f.source === 'Travel');
      expect(travel?.error?.code).toBe('THROTTLED');
      const others = result.folders.filter((f) => f.source !== 'Travel');
      expect(others.map((f) => f.source)).toEqual(expect.arrayContaining(['INBOX', 'Projects']));
      expect(others.map((f) => f.error)).toEqual(others.map(() => null));
      expect(result.warnings.map((w) => w.code)).not.toContain('FOLDER_RENAMED');
      expect(result.messagesCopied).toBe(15);
      const made = (await listFolders(target, bob)).map((f) => f.path);
      expect(made).not.toContain(folderPath(target, 'Travel'));
      for (const folder of ['INBOX', 'Projects']) {
        const path = folderPath(target, folder);
        expect(identities(await readFolder(target, bob, path))).toEqual(expectedIdentities(await readFolder(source, alice, folder, { withRaw: true }), target));
      }
    } finally {
      state.cleanup();
    }
  });
});
