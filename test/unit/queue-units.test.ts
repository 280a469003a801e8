import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPayload } from '../../bridge/queue/account-processor';
import { ClusterKeyError, loadClusterKey, writeNewClusterKey, type ClusterKey } from '../../bridge/queue/cluster-key';
import { LocalHostCap } from '../../bridge/queue/host-cap';
import { openSecrets, sealSecrets } from '../../bridge/queue/payload-crypto';
import { KEY_MISMATCH_MESSAGE, QueueRefusal, QUEUE_PROTOCOL_VERSION } from '../../bridge/queue/protocol';
import { accountJobId } from '../../bridge/queue/queue-config';
import { describeRedis, parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { scrub, scrubResult } from '../../bridge/queue/secret-scrub';
import { handoverAuthentic, handoverMac } from '../../bridge/queue/payload-crypto';
import type { AccountResult } from '../../shared/migration';
import { queueCaFile, withQueueCa } from '../../bridge/queue/queue-ca';
import { queueOption } from '../../bridge/cli/start-command';

const dir = mkdtempSync(join(tmpdir(), 'mm-queue-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cluster key file', () => {
  it('is 32 bytes, mode 600, never overwritten; loading checks size and mode', () => {
    const path = join(dir, 'k1');
    const written = writeNewClusterKey(path);
    expect(written.key).toHaveLength(32);
    expect(loadClusterKey(path)).toEqual(written);
    expect(() => writeNewClusterKey(path)).toThrow(/not overwritten/);
    chmodSync(path, 0o640);
    expect(() => loadClusterKey(path)).toThrow(/mode 640.*owner only/);
    const short = join(dir, 'k2');
    writeFileSync(short, Buffer.alloc(16), { mode: 0o600 });
    expect(() => loadClusterKey(short)).toThrow(/16 bytes; a cluster key is exactly 32 bytes/);
    expect(() => loadClusterKey(join(dir, 'missing'))).toThrow(ClusterKeyError);
  });
});

describe('sealed credentials', () => {
  const a = writeNewClusterKey(join(dir, 'ka'));
  const b = writeNewClusterKey(join(dir, 'kb'));
  const secrets = { source: { kind: 'password' as const, password: 'Src-secret-1' }, target: { kind: 'oauth2' as const, accessToken: 'tok-secret-2' } };

  it('open with the same key and job id; the ciphertext holds no secret', () => {
    const sealed = sealSecrets(secrets, a, 'acct-1');
    expect(JSON.stringify(sealed)).not.toContain('secret');
    expect(openSecrets(sealed, a, a.id, 'acct-1')).toEqual(secrets);
  });

  it('another key is refused with the message the account shows', () => {
    const sealed = sealSecrets(secrets, a, 'acct-1');
    expect(() => openSecrets(sealed, b, a.id, 'acct-1')).toThrow(KEY_MISMATCH_MESSAGE);
    try {
      openSecrets(sealed, b, a.id, 'acct-1');
    } catch (err) {
      expect((err as QueueRefusal).code).toBe('CLUSTER_KEY_MISMATCH');
    }
  });

  it('a box moved to another job, or altered, does not open', () => {
    const sealed = sealSecrets(secrets, a, 'acct-1');
    expect(() => openSecrets(sealed, a, a.id, 'acct-2')).toThrow(/did not authenticate/);
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = data[0]! ^ 1;
    expect(() => openSecrets({ ...sealed, data: data.toString('base64') }, a, a.id, 'acct-1')).toThrow(/did not authenticate/);
  });
});

describe('payload protocol version', () => {
  it('a payload of another version is refused naming both versions, before its shape is checked', () => {
    expect(() => readPayload({ protocol: QUEUE_PROTOCOL_VERSION + 1, whatever: true })).toThrow(
      new RegExp(`version ${QUEUE_PROTOCOL_VERSION + 1}, this worker speaks version ${QUEUE_PROTOCOL_VERSION}`),
    );
    expect(() => readPayload({})).toThrow(/unknown version/);
    expect(() => readPayload({ protocol: QUEUE_PROTOCOL_VERSION })).toThrow(/not in the expected form/);
  });
});

describe('job ids', () => {
  it('same account, same id; no ":" (BullMQ refuses it in custom ids)', () => {
    const k = 'a@old.example:993 -> a@new.example:993';
    expect(accountJobId(k)).toBe(accountJobId(k));
    expect(accountJobId(k)).not.toBe(accountJobId(k + ' '));
    expect(accountJobId(k)).toMatch(/^acct-[0-9a-f]{32}$/);
  });
});

describe('Redis URL', () => {
  it('redis:// and rediss:// with user:pass and /db; the description hides the password', () => {
    const a = parseRedisUrl('rediss://mm:p%40ss@redis.example:6380/3');
    expect(a).toEqual({ tls: true, host: 'redis.example', port: 6380, username: 'mm', password: 'p@ss', db: 3 });
    expect(describeRedis(a)).toBe('rediss://mm:***@redis.example:6380/3');
    expect(redisConnectionOptions(a)).toMatchObject({ host: 'redis.example', port: 6380, username: 'mm', password: 'p@ss', db: 3, tls: { servername: 'redis.example' }, maxRetriesPerRequest: null });
    expect(parseRedisUrl('redis://127.0.0.1')).toEqual({ tls: false, host: '127.0.0.1', port: 6379, username: undefined, password: undefined, db: 0 });
    expect(describeRedis(parseRedisUrl('redis://:only-pw@h/0'))).toBe('redis://:***@h:6379/0');
  });

  it('rediss:// to an IP address sends no SNI name (RFC 6066); a private CA from --queue-ca or MAILMOVER_QUEUE_CA goes to TLS', () => {
    const ip = redisConnectionOptions(parseRedisUrl('rediss://10.0.0.5:6380/0'));
    expect(ip.tls).toEqual({});
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(queueOption({ queue: 'rediss://h:6380/0', queueCa: ca, clusterKeyFile: 'k' }, {})).toEqual({ url: 'rediss://h:6380/0', urlSource: '--queue', clusterKeyFile: 'k', ca: { file: ca, source: '--queue-ca' } });
    expect(queueOption({ clusterKeyFile: 'k' }, { MAILMOVER_QUEUE: 'rediss://h/0', MAILMOVER_QUEUE_CA: ca })?.ca).toEqual({ file: ca, source: 'MAILMOVER_QUEUE_CA' });
    expect(() => queueOption({ queueCa: ca }, {})).toThrow('--cluster-key-file and --queue-ca go with --queue');
    const withCa = withQueueCa(parseRedisUrl('rediss://redis.example/0'), queueCaFile(undefined, { MAILMOVER_QUEUE_CA: ca }));
    expect(redisConnectionOptions(withCa).tls).toEqual({ servername: 'redis.example', ca: readFileSync(ca, 'utf8') });
    expect(() => withQueueCa(parseRedisUrl('rediss://h/0'), { file: join(dir, 'missing.pem'), source: '--queue-ca' })).toThrow(/--queue-ca: cannot read .*missing\.pem: ENOENT/);
  });

  it('refuses other schemes, a non-numeric db, a query; the error never shows the password', () => {
    expect(() => parseRedisUrl('http://h')).toThrow(/not redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('redis://:sekrit@h/abc')).toThrow(/database "abc"/);
    expect(() => parseRedisUrl('redis://h/0?x=1')).toThrow(/no \?query/);
    for (const bad of ['redis://:sekrit@h/abc', 'redis://:sekrit@h/0?x']) {
      try {
        parseRedisUrl(bad);
      } catch (err) {
        expect((err as Error).message).not.toContain('sekrit');
      }
    }
  });
});

describe('per-host connection cap (the rule shared by the worker and the Redis cap)', () => {
  it('grants what fits, narrows an account alone on its host to the cap, frees on release', async () => {
    const cap = new LocalHostCap();
    expect(await cap.tryAcquire('Mail.Example', 'a', 4, 8)).toBe(4);
    expect(await cap.tryAcquire('mail.example', 'b', 4, 8)).toBe(4);
    expect(await cap.tryAcquire('mail.example', 'c', 2, 8)).toBe(0);
    expect(await cap.tryAcquire('other.example', 'c', 2, 8)).toBe(2);
    await cap.release('mail.example', 'a');
    expect(await cap.tryAcquire('mail.example', 'c', 2, 8)).toBe(2);
    const alone = new LocalHostCap();
    expect(await alone.tryAcquire('h', 'wide', 12, 8)).toBe(8);
  });
});

describe('scrub', () => {
  it('replaces every occurrence of a secret', () => {
    expect(scrub('LOGIN a pw-1234 pw-1234', ['pw-1234'])).toBe('LOGIN a *** ***');
  });

  it('over a result: in its messages and skip reasons only; a status, codes, folder names and counts stay as they are', () => {
    const result: AccountResult = {
      source: 'done', target: 'b@x', status: 'done', messagesCopied: 2024, messagesSkipped: 1, messagesAlreadyPresent: 0, bytesCopied: 120245,
      folders: [{ source: 'done', target: 'done', total: 1, copied: 0, skipped: 1, alreadyPresent: 0, bytesCopied: 0, error: { code: 'TARGET_REFUSED', message: 'NO done refused' } }],
      skipped: [{ folder: 'done', uid: 2024, reason: 'target said done' }],
      warnings: [{ code: 'DATE_CHANGED', message: 'kept as done', side: 'target' }],
      error: null,
    };
    const before = JSON.stringify(result);
    const out = scrubResult(result, ['done']);
    expect(out).toEqual({
      ...result,
      folders: [{ ...result.folders[0]!, error: { code: 'TARGET_REFUSED', message: 'NO *** refused' } }],
      skipped: [{ folder: 'done', uid: 2024, reason: 'target said ***' }],
      warnings: [{ code: 'DATE_CHANGED', message: 'kept as ***', side: 'target' }],
    });
    expect(JSON.stringify(result)).toBe(before);
  });
});

describe('handover MAC', () => {
  const key: ClusterKey = { id: 'k1', key: Buffer.alloc(32, 7) };
  const other: ClusterKey = { id: 'k2', key: Buffer.alloc(32, 8) };
  const cp = { sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: 9, lastUid: 40, filterKey: 'f', targetUidValidity: 3, targetUidNext: 41, copied: 40, skipped: 0, alreadyPresent: 0 };
  const state = { checkpoints: [cp] };
  const mac = handoverMac(key, 'job-1', 'acc', state);

  it('authenticates the handover it was made for, whatever order its keys come in', () => {
    const reordered = Object.fromEntries(Object.entries(cp).reverse()) as typeof cp;
    expect(handoverAuthentic(key, 'job-1', 'acc', { checkpoints: [reordered], reopened: [] }, mac)).toBe(true);
  });

  it('refuses a raised lastUid, another job, another account, another key, a missing MAC', () => {
    expect(handoverAuthentic(key, 'job-1', 'acc', { checkpoints: [{ ...cp, lastUid: 1_000_000 }] }, mac)).toBe(false);
    expect(handoverAuthentic(key, 'job-2', 'acc', state, mac)).toBe(false);
    expect(handoverAuthentic(key, 'job-1', 'acc-2', state, mac)).toBe(false);
    expect(handoverAuthentic(other, 'job-1', 'acc', state, mac)).toBe(false);
    expect(handoverAuthentic(key, 'job-1', 'acc', state, undefined)).toBe(false);
  });

  it('an empty handover needs none', () => {
    expect(handoverAuthentic(key, 'job-1', 'acc', { checkpoints: [] }, undefined)).toBe(true);
  });
});
