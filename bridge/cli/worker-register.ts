import type { Command } from 'commander';

/** Adds `worker`; the queue's code is imported only when it runs. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('Queue mode: take accounts from the Redis queue and migrate them with the same engine as `migrate`. Runs until SIGINT/SIGTERM.')
    .option('--queue <url>', 'redis://[user:pass@]host[:port][/db] or rediss:// (TLS) (default: $MAILMOVER_QUEUE)')
    .option('--concurrency <n>', 'accounts migrated at once by this worker (default 2)')
    .option('--name <name>', 'name shown in the workers panel and in results (default: host name + pid)')
    .option('--state-dir <dir>', 'where checkpoints are kept (default: the bridge data dir + /state)')
    .option('--cluster-key-file <file>', 'the key written by `mailmover-bridge cluster init` (default: $MAILMOVER_CLUSTER_KEY_FILE, else the data dir + /cluster.key)')
    .option('--queue-ca <file>', "with a rediss:// URL: the PEM certificate of the private CA that signed Redis's certificate (default: $MAILMOVER_QUEUE_CA; none: the system's CAs)")
    .option('--host-connections <n>', "this worker's cap of connections to one source server (default 8); the coordinator sets the cluster-wide one")
    .action(async (o: Record<string, unknown>) => {
      process.exitCode = await (await import('./worker-command')).runWorker(o);
    });
}
