import { Redis } from 'ioredis';
import { redisConnectionOptions, type RedisAddress } from './redis-url';

/** Why one connection attempt to the queue's Redis failed, worded for the admin. */
export interface ProbeFailure {
  /** 'tls': the TLS handshake refused the server (its certificate, or no TLS on that port): retrying cannot help. */
  kind: 'tls' | 'other';
  message: string;
}

// node:tls verification codes (OpenSSL's X509_V_ERR_* names) for a certificate no trusted CA signed.
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

/** The sentence for a TLS failure (what is wrong and what to do), or undefined for any other error. */
export function tlsFailureText(err: Error & { code?: string }, address: RedisAddress, label: string): string | undefined {
  const code = err.code ?? '';
  if (UNTRUSTED.has(code)) {
    return address.ca
      ? `the TLS certificate of the Redis server at ${label} is not signed by the CA given with --queue-ca / MAILMOVER_QUEUE_CA (${err.message}); give the CA that signed the server's certificate`
      : `the Redis server at ${label} presented a TLS certificate this machine does not trust (${err.message}); if Redis uses a private CA, give that CA's certificate (PEM) with --queue-ca FILE or MAILMOVER_QUEUE_CA=FILE`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the TLS certificate of the Redis server at ${label} is not valid for ${address.host} (${err.message}); connect with a host name the certificate holds`;
  if (OUT_OF_DATE.has(code)) return `the TLS certificate of the Redis server at ${label} is out of date (${err.message}); renew it on the Redis server`;
  if (NOT_TLS.has(code)) return `the Redis server at ${label} does not speak TLS on port ${address.port} (${err.message}); use redis:// for a plain port, or the port Redis's tls-port names`;
  return undefined;
}

/**
 * One connection attempt and a PING, without retries (the queue's own connections retry
 * forever, as a running worker's should). ioredis rejects connect() with only "Connection is
 * closed."; the cause comes as an 'error' event, kept here to say what went wrong.
 */
export async function probeRedis(address: RedisAddress, label: string, timeoutMs = 10_000): Promise<ProbeFailure | null> {
  const redis = new Redis({ ...redisConnectionOptions(address, 'mailmover-probe'), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: timeoutMs });
  let cause: (Error & { code?: string }) | undefined;
  redis.on('error', (err: Error) => (cause ??= err));
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    const e = cause ?? (err as Error);
    const tls = address.tls ? tlsFailureText(e, address, label) : undefined;
    return tls ? { kind: 'tls', message: tls } : { kind: 'other', message: `cannot reach the queue at ${label}: ${e.message}; is Redis running there, and are the user and password right?` };
  } finally {
    redis.disconnect();
  }
}
