import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { MigrationOptionsSchema } from '../../shared/migration';
import { accountKey } from '../../bridge/engine/account-job';
import { AccountQueue } from '../../bridge/queue/account-queue';
import { handedCheckpoints } from '../../bridge/queue/handed-checkpoints';
import { InflightStore } from '../../bridge/queue/inflight-store';
import { QueueRunner } from '../../bridge/queue/queue-runner';
import { StateStore } from '../../bridge/engine/state-store';
import type { Logger } from '../../bridge/service/logger';
import { writeNewClusterKey } from '../../bridge/queue/cluster-key';
import { startQueueWorker } from '../../bridge/queue/queue-worker';
import { parseRedisUrl } from '../../bridge/queue/redis-url';
import { scratchDir } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { plainEndpoint } from '../support/engine-fixtures';

/**
 * A worker keeps the account's passwords out of what it writes to Redis. A password that is
 * also a whole word of the result's structure (a status, a folder name) must not be masked
 * there: the coordinator could not read a status of "***", and a folder named "***" in the
 * records would send the coordinator's verify and the next pass to a folder that does not exist.
 */
const inbox = bulkMessages(4, 71, { prefix: 'word-inbox' });
const projects = bulkMessages(3, 72, { prefix: 'word-projects' });
// "done" is the status of a pass that copied everything.
const SRC_DONE: DovecotUser = { user: 'word1@old.example.com', password: 'done' };
const TGT_DONE: DovecotUser = { user: 'word1@new.example.com', password: 'Word-tgt-pw-1' };
// The target password is the name of a source folder.
const SRC_FOLDER: DovecotUser = { user: 'word2@old.example.com', password: 'Word-src-pw-2' };
const TGT_FOLDER: DovecotUser = { user: 'word2@new.example.com', password: 'Projects' };
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => quiet } as unknown as Logger;

describe('queue mode: a password that is a word of the result', () => {
  let redis: RedisServer;
  let source: DovecotServer;
  let target: DovecotServer;
  const scratch = scratchDir('queue-word');

  beforeAll(async () => {
    [redis, source, target] = await Promise.all([
      startRedis({ name: 'word' }),
      startDovecot({ name: 'word-src', users: [SRC_DONE, SRC_FOLDER] }),
      startDovecot({ name: 'word-tgt', users: [TGT_DONE, TGT_FOLDER] }),
    ]);
    await seedFolder(source, SRC_DONE, 'INBOX', inbox);
    await seedFolder(source, SRC_FOLDER, 'INBOX', inbox);
    await seedFolder(source, SRC_FOLDER, 'Projects', projects);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([redis?.stop(), source?.stop(), target?.stop()]);
    scratch.cleanup();
  });

  async function runPass(name: string, src: DovecotUser, tgt: DovecotUser) {
    const key = writeNewClusterKey(scratch.path(`${name}.key`));
    const address = parseRedisUrl(redis.url);
    const queue = await AccountQueue.open(address, key);
    const verifyStore = StateStore.open(scratch.path(`coordinator-${name}`));
    const runner = new QueueRunner({ queue, inflight: new InflightStore(scratch.path(`coordinator-${name}`)), hostConnections: 8, queueLabel: `test-${name}`, log: quiet, verifyStore });
    const worker = await startQueueWorker({ redis: address, clusterKey: key, stateDir: scratch.path(`state-${name}`), concurrency: 1, name: `w-${name}`, log: () => undefined });
    const job = { source: { ...plainEndpoint(source, src), protocol: 'imap' as const }, target: { ...plainEndpoint(target, tgt), protocol: 'imap' as const }, options: MigrationOptionsSchema.parse({ concurrency: 1 }) };
    try {
      const result = await runner.run({ accountId: `acc-${name}`, job }, { onProgress: () => undefined, onRetry: () => undefined }, new AbortController().signal);
      // Read before the runner closes the coordinator's store.
      const account = accountKey(job);
      return { result, folderMap: verifyStore.folderMap(account), checkpoints: handedCheckpoints(verifyStore, account) };
    } finally {
      await worker.stop();
      await runner.close();
    }
  }

  it('the password "done": the coordinator reads the result, done with its counts', async () => {
    const { result } = await runPass('done', SRC_DONE, TGT_DONE);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    expect(result.messagesCopied).toBe(inbox.length);
    expect(await readFolder(target, TGT_DONE, 'INBOX')).toHaveLength(inbox.length);
  }, 120_000);

  it('a password that is a folder name: the coordinator records the folder under its own name', async () => {
    const { result, folderMap, checkpoints } = await runPass('folder', SRC_FOLDER, TGT_FOLDER);
    expect(result.status, JSON.stringify(result.error)).toBe('done');
    expect(result.messagesCopied).toBe(inbox.length + projects.length);
    expect(result.folders.map((f) => f.source)).toContain('Projects');
    expect(result.folders.map((f) => f.source)).not.toContain('***');
    expect(folderMap).toContainEqual({ source: 'Projects', target: 'Projects' });
    expect(folderMap.map((m) => m.source)).not.toContain('***');
    expect(checkpoints.find((c) => c.sourceFolder === 'Projects')?.lastUid).toBeGreaterThan(0);
    expect(await readFolder(target, TGT_FOLDER, 'Projects')).toHaveLength(projects.length);
  }, 120_000);
});
