import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';

/**
 * The cluster key: 32 random bytes that encrypt the credentials in queue payloads. The
 * coordinator (or CLI) and every worker hold the same file, readable by its owner only.
 */
export const CLUSTER_KEY_BYTES = 32;

export class ClusterKeyError extends Error {}

const KeyFileSchema = z.object({
  path: z.string(),
  size: z.literal(CLUSTER_KEY_BYTES, { error: (i) => `is ${String(i.input)} bytes; a cluster key is exactly ${CLUSTER_KEY_BYTES} bytes (written by \`mailmover-bridge cluster init\`)` }),
  // Group or others may read it: the key would decrypt every password in the queue.
  mode: z.number().refine((m) => process.platform === 'win32' || (m & 0o077) === 0, {
    error: (i) => `has mode ${((i.input as number) & 0o777).toString(8)}; it must be readable by its owner only (chmod 600)`,
  }),
});

export interface ClusterKey {
  key: Buffer;
  /** Names the key without revealing it: payloads carry it so a worker can tell a wrong key at once. */
  id: string;
}

export function clusterKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('mailmover cluster key id').digest('hex').slice(0, 16);
}

/** Writes a new key to `path` (mode 0600); an existing file is never overwritten. */
export function writeNewClusterKey(path: string): ClusterKey {
  const key = randomBytes(CLUSTER_KEY_BYTES);
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') throw new ClusterKeyError(`${path} exists; a cluster key is not overwritten (the workers hold copies of it). Remove it first to start a new cluster.`);
    throw new ClusterKeyError(`cannot write ${path}: ${e.message}`);
  }
  try {
    writeSync(fd, key);
  } finally {
    closeSync(fd);
  }
  return { key, id: clusterKeyId(key) };
}

export function loadClusterKey(path: string): ClusterKey {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ClusterKeyError(`cluster key ${path}: ${(err as Error).message}; write one with \`mailmover-bridge cluster init\` and copy it to every worker`);
  }
  try {
    const st = fstatSync(fd);
    const checked = KeyFileSchema.safeParse({ path, size: st.size, mode: st.mode });
    if (!checked.success) throw new ClusterKeyError(`cluster key ${path} ${checked.error.issues[0]!.message}`);
    const key = readFileSync(fd);
    if (key.length !== CLUSTER_KEY_BYTES) throw new ClusterKeyError(`cluster key ${path} changed while it was read`);
    return { key, id: clusterKeyId(key) };
  } finally {
    closeSync(fd);
  }
}
