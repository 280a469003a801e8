import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClusterKeyError, writeNewClusterKey } from '../queue/cluster-key';
import { defaultDataDir } from './data-dir';
import { UsageError } from './endpoint-url';

/** Where `cluster init` writes the key and where workers look for it without --cluster-key-file. */
export function defaultClusterKeyFile(): string {
  return join(defaultDataDir(), 'cluster.key');
}

export function runClusterInit(out: string | undefined, print: (line: string) => void): number {
  const path = out ?? defaultClusterKeyFile();
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const key = writeNewClusterKey(path);
    print(`Wrote a new cluster key to ${path} (mode 600, key id ${key.id}).`);
    print('Copy this file to every worker (same mode) and pass it with --cluster-key-file or MAILMOVER_CLUSTER_KEY_FILE;');
    print('it encrypts the mailbox passwords in the queue, so keep it as secret as the passwords.');
    return 0;
  } catch (err) {
    if (err instanceof ClusterKeyError) throw new UsageError(err.message);
    throw err;
  }
}
