import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The queue's Redis address: redis://[user:pass@]host[:port][/db] or rediss:// (TLS).
 * Parsed once here into ioredis options; the password never leaves this object except
 * towards Redis (describeRedis() is what logs and messages show).
 */
export const RedisUrlSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a URL; expected redis://[user:pass@]host[:port][/db] or rediss://...' });
      return z.NEVER;
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      ctx.addIssue({ code: 'custom', message: `scheme ${url.protocol.replace(/:$/, '')}:// is not redis:// or rediss://` });
      return z.NEVER;
    }
    if (!url.hostname) {
      ctx.addIssue({ code: 'custom', message: 'has no host' });
      return z.NEVER;
    }
    const dbText = url.pathname.replace(/^\//, '');
    if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) {
      ctx.addIssue({ code: 'custom', message: `database "${dbText}" is not a number 0-99` });
      return z.NEVER;
    }
    if (url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'takes no ?query or #fragment' });
      return z.NEVER;
    }
    const port = url.port ? Number(url.port) : 6379;
    return {
      tls: url.protocol === 'rediss:',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: dbText === '' ? 0 : Number(dbText),
    };
  });
export type RedisAddress = z.output<typeof RedisUrlSchema> & {
  /** rediss:// only: PEM of the private CA trusted instead of the system's (queue-ca.ts). */
  ca?: string;
};

export class RedisUrlError extends Error {}

/** Parses the URL; the error names what is wrong, never the password. */
export function parseRedisUrl(text: string, source = '--queue'): RedisAddress {
  const r = RedisUrlSchema.safeParse(text);
  if (!r.success) throw new RedisUrlError(`${source}: ${r.error.issues[0]!.message}`);
  return r.data;
}

/** What logs show: scheme, user, host, port, db, and whether a password is set. */
export function describeRedis(a: RedisAddress): string {
  const cred = a.username || a.password ? `${a.username ?? ''}${a.password ? ':***' : ''}@` : '';
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.tls ? 'rediss' : 'redis'}://${cred}${host}:${a.port}/${a.db}`;
}

/**
 * Connection options for BullMQ and ioredis. maxRetriesPerRequest null: BullMQ workers
 * require it (a blocking command must wait through a Redis restart rather than fail);
 * ioredis then reconnects on its own with its default back-off. TLS (rediss://) goes to
 * node:tls as given, so the server's certificate is verified against the system's CAs (or
 * `ca`, queue-ca.ts) and the host name; the SNI name is sent for a host name only (RFC 6066 forbids an
 * IP address there, and Node warns about one).
 */
export function redisConnectionOptions(a: RedisAddress, connectionName?: string) {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    ...(a.tls ? { tls: { ...(isIP(a.host) ? {} : { servername: a.host }), ...(a.ca ? { ca: a.ca } : {}) } } : {}),
    ...(connectionName ? { connectionName } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}
