import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AuthSchema, type Auth } from '../engine/endpoint';
import type { ClusterKey } from './cluster-key';
import { KEY_MISMATCH_MESSAGE, QueueRefusal, QUEUE_PROTOCOL_VERSION, type Sealed } from './protocol';

/**
 * AES-256-GCM over both sides' login secrets. The additional data binds the sealed box to
 * its job id, key id, protocol version and both sides' server settings (serversBinding): a
 * box copied onto another account's job, replayed under another version, or beside altered
 * server settings, does not open.
 */
const SecretsSchema = z.object({ source: AuthSchema, target: AuthSchema });
export type Secrets = z.infer<typeof SecretsSchema>;

function aad(jobId: string, keyId: string, servers: string): Buffer {
  return Buffer.from(`mailmover-queue/${QUEUE_PROTOCOL_VERSION}/${keyId}/${jobId}${servers ? `/${servers}` : ''}`, 'utf8');
}

/** What decides where a login goes and how: the fields of an endpoint besides its secret. */
export interface ServerFields {
  protocol?: string;
  host: string;
  port: number;
  security: string;
  user: string;
  allowPlaintext?: boolean;
  insecureTls?: boolean;
  ca?: string;
}

/**
 * A digest of both sides' server settings, bound into the additional data: the endpoints
 * travel in clear beside the box, and someone able to write to Redis must not be able to
 * point a worker (and the passwords it opens) at another server, drop TLS or trust a CA.
 */
export function serversBinding(source: ServerFields, target: ServerFields): string {
  const one = (e: ServerFields) =>
    [e.protocol ?? 'imap', e.security, e.host, e.port, e.user, e.allowPlaintext === true, e.insecureTls === true, e.ca ? createHash('sha256').update(e.ca).digest('hex') : ''].join('|');
  return createHash('sha256').update(`${one(source)}\n${one(target)}`, 'utf8').digest('hex').slice(0, 32);
}

export function sealSecrets(secrets: { source: Auth; target: Auth }, key: ClusterKey, jobId: string, servers = ''): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(jobId, key.id, servers));
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Opens the box, or refuses: another key (by id, or a box that does not authenticate). */
export function openSecrets(sealed: Sealed, key: ClusterKey, keyId: string, jobId: string, servers = ''): Secrets {
  if (keyId !== key.id) throw new QueueRefusal('CLUSTER_KEY_MISMATCH', KEY_MISMATCH_MESSAGE);
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(aad(jobId, keyId, servers));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    // Same key id but the box does not authenticate: altered in Redis, or moved to another job.
    throw new QueueRefusal('CLUSTER_KEY_MISMATCH', `${KEY_MISMATCH_MESSAGE} (the sealed credentials did not authenticate)`);
  }
  const parsed = SecretsSchema.safeParse(JSON.parse(plain));
  if (!parsed.success) throw new QueueRefusal('PAYLOAD_INVALID', 'the sealed credentials are not in the expected form');
  return parsed.data;
}
