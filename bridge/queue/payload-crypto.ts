import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuthSchema, type Auth } from '../engine/endpoint';
import type { ClusterKey } from './cluster-key';
import {
  CheckpointRecordSchema,
  KEY_MISMATCH_MESSAGE,
  Pop3HandoverSchema,
  QueueRefusal,
  QUEUE_PROTOCOL_VERSION,
  ReopenedCheckpointSchema,
  type Sealed,
} from './protocol';

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

/**
 * What an account's passes hand each other through Redis besides the passwords: the folder
 * checkpoints, the reopened ones with their rows, the POP3 rows. They decide what a worker
 * leaves out (a checkpoint's lastUid), so they are authenticated too: an HMAC under a key
 * derived from the cluster key, bound to the job id and the account (handoverMac). Someone
 * able to write to Redis without the key cannot raise a checkpoint, copy one onto another
 * account's job, or mark a skip final; a handover that does not authenticate is ignored, and
 * the pass plans from the worker's own store and the target as it does without one.
 */
const HandedStateSchema = z.object({
  checkpoints: z.array(CheckpointRecordSchema).optional(),
  reopened: z.array(ReopenedCheckpointSchema).optional(),
  pop3: Pop3HandoverSchema.optional(),
});
export type HandedState = z.input<typeof HandedStateSchema>;

/** JSON with every object's keys sorted: the same bytes on both sides whatever order a parse left them in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The MAC of a handover: left out and empty lists are the same handover. */
export function handoverMac(key: ClusterKey, jobId: string, account: string, state: HandedState): string {
  const s = HandedStateSchema.parse({ checkpoints: state.checkpoints, reopened: state.reopened, pop3: state.pop3 });
  const body = canonical({ checkpoints: s.checkpoints ?? [], reopened: s.reopened ?? [], pop3: s.pop3 ?? null });
  const macKey = createHmac('sha256', key.key).update('mailmover queue handover mac').digest();
  return createHmac('sha256', macKey).update(`mailmover-queue-handover/${QUEUE_PROTOCOL_VERSION}/${key.id}/${jobId}\0${account}\0`).update(body).digest('hex');
}

/** Whether a handover is empty or carries a MAC of this key, job and account. */
export function handoverAuthentic(key: ClusterKey, jobId: string, account: string, state: HandedState, mac: string | undefined): boolean {
  if (!state.checkpoints?.length && !state.reopened?.length && !state.pop3) return true;
  if (!mac) return false;
  try {
    const want = Buffer.from(handoverMac(key, jobId, account, state), 'hex');
    const got = Buffer.from(mac, 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  } catch {
    // A handover out of its schema authenticates nothing.
    return false;
  }
}
