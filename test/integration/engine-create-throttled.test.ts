/**
 * A target that refuses a CREATE for now, as providers do when they throttle ("NO Request is
 * throttled. Suggested Backoff Time: ..." from Microsoft 365, "NO [UNAVAILABLE] ... try again
 * later"). The folder is not at fault: it must be created once the server takes commands
 * again, in the same run, and its mail copied, not reported as a folder that cannot be made.
 * The refusals are given by a proxy in front of each kind of real target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../bridge/engine/migrate';
import type { MigrationError } from '../../bridge/engine/errors';
import { listFolders, readFolder, seedFolder } from '../harness/mailbox';
import { MATRIX, folderPath, startConfig, startMailServer, type AnyMailServer, type DovecotMailServer } from '../harness/servers';
import { startAnsweringProxy, type AnsweringProxy } from '../support/answering-proxy';
import { bulkMessages } from '../support/corpus';
import { identities, job, tempStore } from '../support/engine-fixtures';
import { expectedIdentities, imapEndpoint } from './matrix-engine-support';

const alice = { user: 'alice@old.example.com', password: 'CreateThrottle-src-pw-4Ld' };
const bob = { user: 'bob@new.example.com', password: 'CreateThrottle-tgt-pw-9Nc' };

/**
 * The first CREATE of each folder is refused for now: Projects+2024 has a character some
 * targets refuse in names (a refusal taken as about the name gets a look-alike name), Travel
 * has none.
 */
const REFUSALS: Record<string, string> = {
  'Projects+2024': 'NO Request is throttled. Suggested Backoff Time: 100 milliseconds',
  Travel: 'NO [UNAVAILABLE] Temporary failure, try again later',
};
const FOLDERS = Object.keys(REFUSALS);

describe.each(MATRIX.map((config) => ({ config, name: config.describe })))('CREATE throttled: $name', ({ config }) => {
  let source: DovecotMailServer;
  let target: AnyMailServer;
  let proxy: AnsweringProxy;

  beforeAll(async () => {
    [source, target] = await Promise.all([
      startMailServer('dovecot', { name: `crthrottle-src-${config.id}`, users: [alice] }),
      startConfig(config, { name: `crthrottle-tgt-${config.id}`, users: [bob] }),
    ]);
    await seedFolder(source, alice, 'INBOX', bulkMessages(6, 651));
    await seedFolder(source, alice, 'Projects+2024', bulkMessages(9, 652, { prefix: 'p' }));
    await seedFolder(source, alice, 'Travel', bulkMessages(4, 653, { prefix: 't' }));
    const refused = new Set<string>();
    proxy = await startAnsweringProxy(target.imapPort, (c) => {
      const folder = c.verb === 'CREATE' ? FOLDERS.find((f) => c.line.includes(f)) : undefined;
      if (!folder || refused.has(folder)) return undefined;
      refused.add(folder);
      return { reply: REFUSALS[folder]! };
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('each folder is made after a back-off, under its own name, and its mail arrives once', async () => {
    const state = tempStore();
    const retries: MigrationError[] = [];
    try {
      const result = await migrate(job(imapEndpoint(source, alice), imapEndpoint(target, bob, proxy.port), { concurrency: 1 }), state.store, { onRetry: (err) => retries.push(err) });
      expect(proxy.answered()).toBe(2);
      expect(result.folders.map((f) => f.error)).toEqual(result.folders.map(() => null));
      expect(result.status).toBe('done');
      expect(result.warnings.map((w) => w.code)).not.toContain('FOLDER_RENAMED');
      expect(retries.map((e) => [e.code, e.options.side])).toContainEqual(['THROTTLED', 'target']);
      const made = (await listFolders(target, bob)).map((f) => f.path);
      for (const folder of FOLDERS) {
        const path = folderPath(target, folder);
        expect(result.folders.find((f) => f.source === folder)?.target).toBe(path);
        expect(made).toContain(path);
        expect(identities(await readFolder(target, bob, path))).toEqual(expectedIdentities(await readFolder(source, alice, folder, { withRaw: true }), target));
      }
      expect(result.messagesCopied).toBe(19);
    } finally {
      state.cleanup();
    }
  });
});
