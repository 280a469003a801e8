import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AuthSchema, type Auth } from '../engine/endpoint';
import type { ClusterKey } from './cluster-key';
import { KEY_MISMATCH_MESSAGE, QueueRefusal, QUEUE_PROTOCOL_VERSION, type Sealed } from './protocol';

/**
 * AES-256-GCM over both sides' login secrets. The additional data binds the sealed box to
 * its job id, key id and protocol version: a box copied onto another account's job, or
 * replayed under another version, does not open.
 */
const SecretsSchema = z.object({ source: AuthSchema, target: AuthSchema });
export type Secrets = z.infer<typeof SecretsSchema>;

function aad(jobId: string, keyId: string): Buffer {
  return Buffer.from(`mailmover-queue/${QUEUE_PROTOCOL_VERSION}/${keyId}/${jobId}`, 'utf8');
}

export function sealSecrets(secrets: { source: Auth; target: Auth }, key: ClusterKey, jobId: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(jobId, key.id));
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Opens the box, or refuses: another key (by id, or a box that does not authenticate). */
export function openSecrets(sealed: Sealed, key: ClusterKey, keyId: string, jobId: string): Secrets {
  if (keyId !== key.id) throw new QueueRefusal('CLUSTER_KEY_MISMATCH', KEY_MISMATCH_MESSAGE);
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(aad(jobId, keyId));
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
