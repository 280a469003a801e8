import type { Command } from 'commander';

/** Adds `cluster init`; the key code is imported only when it runs. */
export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('Queue mode (several machines over Redis): the key shared by the coordinator and its workers.');
  cluster
    .command('init')
    .description('Write a new 32-byte cluster key (mode 600) that encrypts the credentials in queued jobs; copy it to every worker.')
    .option('--out <file>', 'where to write it (default: the bridge data dir + /cluster.key); an existing file is never overwritten')
    .action(async (o: { out?: string }) => {
      process.exitCode = (await import('./cluster-command')).runClusterInit(o.out, (line) => process.stdout.write(line + '\n'));
    });
}
