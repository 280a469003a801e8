import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RedisAddress } from './redis-url';

/**
 * The CA that signed a rediss:// server's certificate, when it is a private one (a CA of the
 * company's, or the one Redis's own gen-test-certs.sh makes): `--queue-ca FILE` or
 * MAILMOVER_QUEUE_CA. The queue's connections then trust the certificates of that file instead
 * of the system's CAs, as `redis-cli --cacert` does (the mail servers keep their own trust
 * settings). Certificates are always verified: there is no switch that turns the check off.
 */
const PemCertificatesSchema = z
  .string()
  .refine((text) => !/PRIVATE KEY-----/.test(text), 'holds a private key: give only the CA certificate')
  .refine((text) => /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text), 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)');

export class QueueCaError extends Error {
  override name = 'QueueCaError';
}

/** The PEM text of the CA file; throws QueueCaError naming the option and the file. */
export function loadQueueCa(file: string, source = '--queue-ca'): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new QueueCaError(`${source}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const r = PemCertificatesSchema.safeParse(text);
  if (!r.success) throw new QueueCaError(`${source}: ${file} ${r.error.issues[0]!.message}`);
  return r.data;
}

/** The option or, when it is not given, the environment variable (with the name to blame). */
export function queueCaFile(option: unknown, env: NodeJS.ProcessEnv = process.env): { file: string; source: string } | undefined {
  if (typeof option === 'string' && option !== '') return { file: option, source: '--queue-ca' };
  const fromEnv = env.MAILMOVER_QUEUE_CA;
  return fromEnv ? { file: fromEnv, source: 'MAILMOVER_QUEUE_CA' } : undefined;
}

/** The address with the CA to trust; a CA for a plain redis:// URL is refused (it would be ignored). */
export function withQueueCa(address: RedisAddress, ca: { file: string; source: string } | undefined): RedisAddress {
  if (!ca) return address;
  if (!address.tls) throw new QueueCaError(`${ca.source} goes with a rediss:// (TLS) queue URL; this one is redis://`);
  return { ...address, ca: loadQueueCa(ca.file, ca.source) };
}
