import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisUrl, redisConnectionOptions } from '../../bridge/queue/redis-url';
import { startRedis, type RedisServer } from '../harness/redis';

/** The queue's Redis URL against a real server: an ACL user with its password, and a database number. */
describe('queue Redis URL: AUTH user:pass and /db', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ name: 'auth', password: 'Default-pw-Xx1', aclUser: { name: 'mailmover', password: 'Acl-pw-Yy2' } });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('logs in as the ACL user and writes into the database of the path', async () => {
    const client = new Redis(redisConnectionOptions(parseRedisUrl(`redis://mailmover:Acl-pw-Yy2@127.0.0.1:${redis.port}/5`)));
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
    const client = new Redis({ ...redisConnectionOptions(parseRedisUrl(`redis://mailmover:wrong@127.0.0.1:${redis.port}/0`)), lazyConnect: true, retryStrategy: () => null });
    const errors: string[] = [];
    client.on('error', (err: Error) => errors.push(err.message));
    await expect(client.connect()).rejects.toThrow();
    client.disconnect();
    expect(errors.join('\n')).toMatch(/WRONGPASS|invalid username-password/);
  });
});
