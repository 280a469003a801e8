import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNewClusterKey } from '../../bridge/queue/cluster-key';
import { withQueueCa } from '../../bridge/queue/queue-ca';
import { probeRedis } from '../../bridge/queue/redis-probe';
import { parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { startBridge } from '../../bridge/server/bridge';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { readFolder, seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { describeRun, leakedSecrets, runCliInProcess, scratchDir, serverUrl, spawnCli, type CliResult } from '../support/cli-runner';
import { bulkMessages } from '../support/corpus';
import { identities } from '../support/engine-fixtures';

/**
 * The queue's Redis over TLS (rediss://) against a real redis-server that speaks TLS only, its
 * certificate signed by a CA made for the test (so no system store trusts it): an ACL user with
 * its password and a database number; the certificate verified by default, refused with a
 * sentence that says what to do, trusted through --queue-ca / MAILMOVER_QUEUE_CA; and a CLI
 * batch with a worker process completing an account over it.
 */
const DEFAULT_PW = 'Default-pw-Xx1';
const SRC: DovecotUser = { user: 'tls-src@old.example.com', password: 'Tls-src-pw-Ab3' };
const TGT: DovecotUser = { user: 'tls-tgt@new.example.com', password: 'Tls-tgt-pw-Cd4' };

describe('queue Redis over TLS: AUTH user:pass, /db, the certificate verified', () => {
  let redis: RedisServer;
  let mail: DovecotServer;
  const scratch = scratchDir('queue-tls');
  let keyFile = '';
  const trusted = (url: string) => withQueueCa(parseRedisUrl(url), { file: redis.caFile!, source: '--queue-ca' });
  const aclUrl = (db: number, pw = 'Acl-pw-Yy2') => redis.url.replace(`:${DEFAULT_PW}@`, `mailmover:${pw}@`).replace(/\/0$/, `/${db}`);

  beforeAll(async () => {
    [redis, mail] = await Promise.all([
      startRedis({ name: 'auth', password: DEFAULT_PW, aclUser: { name: 'mailmover', password: 'Acl-pw-Yy2' }, tls: true }),
      startDovecot({ name: 'queue-tls', users: [SRC, TGT] }),
    ]);
    await seedFolder(mail, SRC, 'INBOX', bulkMessages(6, 77, { prefix: 'tls' }));
    keyFile = scratch.path('cluster.key');
    writeNewClusterKey(keyFile);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([redis?.stop(), mail?.stop()]);
    scratch.cleanup();
  });

  it('logs in as the ACL user over rediss:// (the CA given) and writes into the database of the path', async () => {
    expect(redis.url).toMatch(/^rediss:\/\//);
    const client = new Redis(redisConnectionOptions(trusted(aclUrl(5))));
    try {
      expect(await client.acl('WHOAMI')).toBe('mailmover');
      await client.set('probe', 'x');
    } finally {
      await client.quit();
    }
    expect(redis.cli(['-n', '5', 'GET', 'probe']).trim()).toBe('x');
    expect(redis.cli(['-n', '0', 'EXISTS', 'probe']).trim()).toBe('0');
  });

  it('a wrong password is refused by Redis', async () => {
    const client = new Redis({ ...redisConnectionOptions(trusted(aclUrl(0, 'wrong'))), lazyConnect: true, retryStrategy: () => null });
    const errors: string[] = [];
    client.on('error', (err: Error) => errors.push(err.message));
    await expect(client.connect()).rejects.toThrow();
    client.disconnect();
    expect(errors.join('\n')).toMatch(/WRONGPASS|invalid username-password/);
  });

  it('a certificate from a CA this machine does not trust is refused, saying to give the CA; a CA file is checked', async () => {
    const untrusted = /presented a TLS certificate this machine does not trust \(self-signed certificate in certificate chain\); if Redis uses a private CA, give that CA's certificate \(PEM\) with --queue-ca FILE or MAILMOVER_QUEUE_CA=FILE/;
    expect(await probeRedis(parseRedisUrl(redis.url), 'the queue')).toMatchObject({ kind: 'tls', message: expect.stringMatching(untrusted) });
    expect(await probeRedis(trusted(redis.url), 'the queue')).toBeNull();
    // The coordinator does not start.
    await expect(startBridge({ port: 0, stateDir: scratch.path('coordinator-untrusted'), stderr: null, queue: { url: redis.url, clusterKeyFile: keyFile, hostConnections: 8 } })).rejects.toThrow(untrusted);
    // The worker and the CLI batch stop at once with exit 2 and the same sentence (no retrying forever).
    const env = { MAILMOVER_QUEUE: redis.url, MAILMOVER_CLUSTER_KEY_FILE: keyFile };
    const worker = await runCliInProcess(['--state-dir', scratch.path('state-untrusted')], { command: 'worker', env });
    expect(worker.code, describeRun(worker)).toBe(2);
    expect(worker.stderr).toMatch(untrusted);
    const hosts = ['--source', serverUrl(mail), '--target', serverUrl(mail), '--allow-plaintext'];
    const csv = scratch.write('one.csv', `source,target,source_password,target_password\n${SRC.user},${TGT.user},${SRC.password},${TGT.password}\n`);
    const batch = await runCliInProcess([...hosts, '--accounts', csv, '--queue', redis.url, '--cluster-key-file', keyFile, '--json']);
    expect(batch.code, describeRun(batch)).toBe(2);
    expect(batch.stderr).toMatch(untrusted);
    // Another CA than the one that signed the server's certificate (the system's bundle here).
    const otherCa = await runCliInProcess(['--state-dir', scratch.path('state-other')], { command: 'worker', env: { ...env, MAILMOVER_QUEUE_CA: '/etc/ssl/certs/ca-certificates.crt' } });
    expect(otherCa.code, describeRun(otherCa)).toBe(2);
    expect(otherCa.stderr).toContain('is not signed by the CA given with --queue-ca / MAILMOVER_QUEUE_CA');
    // A key instead of a certificate, and a CA for a plain redis:// URL: usage errors before any connection.
    const keyAsCa = await runCliInProcess(['--queue-ca', `${redis.dir}/server.key`, '--state-dir', scratch.path('state-key')], { command: 'worker', env });
    expect(keyAsCa.code).toBe(2);
    expect(keyAsCa.stderr).toContain('holds a private key: give only the CA certificate');
    const plain = await runCliInProcess(['--queue', 'redis://127.0.0.1:1/0', '--queue-ca', redis.caFile!], { command: 'worker', env });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--queue-ca goes with a rediss:// (TLS) queue URL');
  }, 60_000);

  it('over rediss:// with the CA trusted: a worker process (MAILMOVER_QUEUE_CA) and the CLI batch (--queue-ca) migrate an account; the coordinator starts and lists the worker', async () => {
    const worker = spawnCli(['--name', 'tls-w1', '--concurrency', '1', '--state-dir', scratch.path('state-w1')], {
      command: 'worker',
      env: { MAILMOVER_QUEUE: redis.url, MAILMOVER_QUEUE_CA: redis.caFile, MAILMOVER_CLUSTER_KEY_FILE: keyFile },
      timeoutMs: 90_000,
    });
    let batch: CliResult;
    let workerEnd: CliResult;
    const stateDir = scratch.path('coordinator');
    try {
      const hosts = ['--source', serverUrl(mail), '--target', serverUrl(mail), '--allow-plaintext'];
      const csv = scratch.write('ok.csv', `source,target,source_password,target_password\n${SRC.user},${TGT.user},${SRC.password},${TGT.password}\n`);
      batch = await runCliInProcess([...hosts, '--accounts', csv, '--queue', redis.url, '--queue-ca', redis.caFile!, '--cluster-key-file', keyFile, '--json'], { timeoutMs: 80_000 });
      const bridge = await startBridge({ port: 0, stateDir, stderr: null, queue: { url: redis.url, clusterKeyFile: keyFile, ca: { file: redis.caFile!, source: '--queue-ca' }, hostConnections: 8 } });
      try {
        const list = await bridge.service.workers();
        expect(list.queue).toMatch(/^rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0$/);
        expect(list.workers.map((w) => w.name)).toEqual(['tls-w1']);
      } finally {
        await bridge.close();
      }
    } finally {
      worker.child.kill('SIGTERM');
      workerEnd = await worker.done;
      rmSync(stateDir, { recursive: true, force: true });
    }
    expect(batch.code, describeRun(batch)).toBe(0);
    const doc = JSON.parse(batch.stdout) as { accounts: Array<{ source: string; status: string; worker: string | null; messagesCopied: number }> };
    expect(doc.accounts).toMatchObject([{ source: SRC.user, status: 'done', worker: 'tls-w1', messagesCopied: 6 }]);
    expect(workerEnd.code, workerEnd.stderr).toBe(0);
    expect(workerEnd.stderr).toMatch(/takes up to 1 account\(s\) at once from rediss:\/\/:\*\*\*@127\.0\.0\.1/);
    // Node warns when the SNI name is an IP address (RFC 6066): none is sent for 127.0.0.1.
    expect(workerEnd.stderr).not.toContain('DeprecationWarning');
    expect(leakedSecrets(batch, [SRC.password, TGT.password, DEFAULT_PW]), describeRun(batch)).toEqual([]);
    expect(leakedSecrets(workerEnd, [SRC.password, TGT.password, DEFAULT_PW])).toEqual([]);
    expect(identities(await readFolder(mail, TGT, 'INBOX'))).toEqual(identities(await readFolder(mail, SRC, 'INBOX')));
  }, 90_000);
});
