/**
 * The commander program of `mailmover-bridge`: every subcommand and how its outcome becomes
 * an exit status. main.ts is the process entry that runs it.
 */
import { registerTestConnection } from './test-connection-register';
import { registerDnsCheck } from './dns-check-register';
import { registerVerify } from './verify-register';
import { registerWorker } from './worker-register';
import { registerCluster } from './cluster-register';
import { addEndpointOptions } from './endpoint-options';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { SqliteNativeModuleError } from '../engine/sqlite-native-error';
import { PortError, resolvePort } from '../server/port';
import { defaultStateDir } from './data-dir';
import { UsageError } from './usage-error';
import { projectRootOf } from './project-root';

// Subcommands are imported when they run: `--help` loads commander and these option
// lists only, `migrate` does not pay for the server and the service, `status` and
// `pair` not for imapflow or hono (start-up time and memory; test/unit/cli-lazy-load.test.ts).
const out = (line: string) => process.stdout.write(line + '\n');

/** --port N, else MAILMOVER_PORT, else 7878; a bad value is a usage error naming its source. */
function portOption(value: string | undefined): number {
  try {
    return value === undefined ? resolvePort([], process.env) : resolvePort(['--port', value], {});
  } catch (err) {
    if (err instanceof PortError) throw new UsageError(err.message);
    throw err;
  }
}

function count(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`${name}: "${value}" is not a positive whole number`);
    return n;
  };
}

const STATE_DIR_HELP = 'state dir (default: $MAILMOVER_HOME/state, else the per-user data folder + /state)';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function buildProgram(): Command {
  const program = new Command('mailmover-bridge')
    .description('mailmover bridge: the local service the browser extension drives, and a CLI for scripted migrations')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  addEndpointOptions(
    program
      .command('migrate')
      .description('Copy one mailbox (or a CSV batch) from a source IMAP or POP3 server to a target IMAP server. The source is never modified.'),
    'source server: imap:// (STARTTLS) or imaps:// (TLS), pop3:// (STLS) or pop3s:// (TLS): scheme://[user@]host[:port]',
  )
    .option('--mode <mode>', 'mapped (system folders matched, tree kept) or unified (all under a folder named after the source address)')
    .option('--since <YYYY-MM-DD>', 'only messages received on or after this date')
    .option('--include-folder <glob>', 'only folders matching this glob (repeatable; / separates levels)', collect)
    .option('--exclude-folder <glob>', 'leave out folders matching this glob (repeatable)', collect)
    .option('--concurrency <n>', 'parallel connections per side for one account, 1-32 (default: one per ~150 messages to copy, up to 4)')
    .option('--account-concurrency <n>', 'accounts migrated at once with --accounts (default 2)')
    .option('--state-dir <dir>', 'where checkpoints are kept (default: the bridge data dir)')
    .option('--dry-run', 'list folders, their mapping and message counts; write nothing')
    .addOption(new Option('--deleted <policy>', 'messages flagged \\Deleted on the source: copy (with the flag), skip, or undelete (copy without it)').choices(['copy', 'skip', 'undelete']))
    .option('--accounts <file.csv>', 'batch: CSV with source,target,source_password,target_password (or 待搬家账号,搬家账号,待搬家账号密码,搬家账号密码); the password columns are optional')
    .option('--provider <id>', 'source provider (aliyun, exmail, netease, ...) to recognise its folder names first')
    .option('--target-provider <id>', 'target provider (aliyun, ...): folder-name characters it is known to refuse are replaced up front')
    .option('--batch-messages <n>', 'messages per fetch/APPEND batch (default 200); smaller batches checkpoint more often')
    .option('--retries <n>', 'attempts per account for transient errors (default 5)')
    .option('--compress', 'COMPRESS=DEFLATE (RFC 4978) where a server offers it: for a link of about 100 Mbit/s or less (costs CPU, slower on a faster link)')
    .option('--pop3-retr', 'POP3 source: download with RETR where TOP cannot return the whole message (RETR marks the message read on many servers)')
    .option('--json', 'print one JSON document with the results on stdout')
    .option('--queue <url>', 'queue mode: the accounts run on the workers of this Redis queue: redis://[user:pass@]host[:port][/db] or rediss://')
    .option('--cluster-key-file <file>', 'with --queue: the key written by `cluster init` (default: $MAILMOVER_CLUSTER_KEY_FILE, else the data dir + /cluster.key)')
    .option('--host-connections <n>', 'with --queue: connections at most to one source server over all workers together (default 8)')
    .option('--queue-ca <file>', "with a rediss:// --queue: the PEM certificate of the private CA that signed Redis's certificate (default: $MAILMOVER_QUEUE_CA; none: the system's CAs)")
    .action(async (opts: Record<string, unknown>) => {
      const io = { stdout: process.stdout, stderr: process.stderr };
      if (opts.queue !== undefined) {
        process.exitCode = (await (await import('../queue/queue-batch')).runQueueMigrate(opts, io)).exitCode;
        // The workers connect with these endpoints: the run says so when it did not check a certificate.
        const { queue: _q, clusterKeyFile: _k, hostConnections: _h, queueCa: _c, ...rest } = opts;
        const unchecked = (await import('./tls-options')).tlsOptOutWarningForOptions((await import('./migrate-command')).parseMigrateOptions(rest));
        if (unchecked) process.stderr.write(`${unchecked}\n`);
        return;
      }
      if (opts.clusterKeyFile !== undefined || opts.hostConnections !== undefined || opts.queueCa !== undefined) throw new UsageError('--cluster-key-file, --host-connections and --queue-ca go with --queue');
      const outcome = await (await import('./migrate-command')).runMigrate(opts, io);
      process.exitCode = outcome.exitCode;
    });

  program
    .command('start')
    .description('Run the bridge in the foreground on 127.0.0.1 (Ctrl+C stops it; running accounts resume on the next start). Prints the address, a pairing code and the state dir.')
    .option('--port <n>', 'TCP port on 127.0.0.1 (default: $MAILMOVER_PORT or 7878; 0 = any free port)')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--log-level <level>', 'debug, info, warn or error (default info)')
    .option('--max-accounts <n>', 'accounts migrated at once over all jobs (default 4)')
    .option('--host-connections <n>', 'connections at most to one source server (default 8); providers block IPs that open too many')
    .option('--queue <url>', 'queue mode: run account passes on workers through Redis, redis://[user:pass@]host[:port][/db] or rediss:// (default: $MAILMOVER_QUEUE; none: passes run in the bridge)')
    .option('--cluster-key-file <file>', 'queue mode: the key written by `cluster init` (default: $MAILMOVER_CLUSTER_KEY_FILE, else the data dir + /cluster.key)')
    .option('--extension-help', "also print where this checkout's browser extension is built and how to load and pair it (what `npm start` shows)")
    .action(async (o: { port?: string; stateDir?: string; logLevel?: string; maxAccounts?: string; hostConnections?: string; queue?: string; clusterKeyFile?: string; extensionHelp?: boolean }) => {
      const { runStart, queueOption, extensionBanner } = await import('./start-command');
      process.exitCode = await runStart({
        port: portOption(o.port),
        stateDir: defaultStateDir(o.stateDir),
        logLevel: o.logLevel,
        maxAccounts: o.maxAccounts === undefined ? undefined : count('--max-accounts')(o.maxAccounts),
        hostConnections: o.hostConnections === undefined ? undefined : count('--host-connections')(o.hostConnections),
        queue: queueOption(o),
        ...(o.extensionHelp ? { banner: extensionBanner(join(projectRootOf(import.meta.url), '.output', 'chrome-mv3')) } : {}),
      });
    });

  program
    .command('pair')
    .description('Print a new one-time pairing code (valid 10 minutes); a running bridge on the same state dir accepts it.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .action(async (o: { stateDir?: string }) => {
      process.exitCode = (await import('./pair-command')).runPair(defaultStateDir(o.stateDir), out);
    });

  program
    .command('status')
    .description('Whether the bridge runs, and the jobs, accounts and tokens in the state store. Exit 0 running, 3 not running.')
    .option('--port <n>', 'port to look at (default: $MAILMOVER_PORT or 7878)')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--json', 'print JSON')
    .action(async (o: { port?: string; stateDir?: string; json?: boolean }) => {
      process.exitCode = await (await import('./status-command')).runStatus(portOption(o.port), defaultStateDir(o.stateDir), out, o.json);
    });

  const tokens = program.command('tokens').description('Tokens handed out by pairing: list them, revoke one (its connections are closed).');
  tokens
    .command('list')
    .description('List the tokens pairing handed out: id, state, origin, when created and last used.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--json', 'print JSON')
    .action(async (o: { stateDir?: string; json?: boolean }) => {
      process.exitCode = (await import('./tokens-command')).runTokens(defaultStateDir(o.stateDir), 'list', undefined, out, o.json);
    });
  tokens
    .command('revoke')
    .description('Revoke one token (or all with --all); its open connections are closed.')
    .argument('[id]', 'token id from `tokens list`')
    .option('--all', 'revoke every token (not together with an id)')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .action(async (id: string | undefined, o: { stateDir?: string; all?: boolean }) => {
      // Cutting every extension off cannot be undone (each has to pair again), so it takes
      // the flag alone: an id next to --all leaves it unclear which was meant.
      if (o.all && id !== undefined) throw new UsageError(`tokens revoke: give a token id or --all, not both (got "${id}" and --all)`);
      const target = o.all ? ({ all: true } as const) : id === undefined ? undefined : { id };
      process.exitCode = (await import('./tokens-command')).runTokens(defaultStateDir(o.stateDir), 'revoke', target, out);
    });

  const service = program
    .command('service')
    .description('Run the bridge in the background: a systemd user unit (Linux), a launchd agent (macOS), a logon task (Windows).');
  const serviceActions = {
    install: 'Install and start the background service (the bridge, or a queue worker with --worker); it starts again at every logon.',
    uninstall: 'Stop the background service and remove it; the state dir (jobs, checkpoints, tokens) is kept.',
    status: 'Whether the background service is installed and running (asks systemd, launchd or the Task Scheduler).',
  } as const;
  for (const action of ['install', 'uninstall', 'status'] as const) {
    service
      .command(action)
      .description(serviceActions[action])
      .option('--port <n>', 'port the service listens on, a fixed one (default: $MAILMOVER_PORT or 7878; not with --worker, which listens on none)')
      .option('--state-dir <dir>', STATE_DIR_HELP)
      .option('--dry-run', 'print the files and commands instead of carrying them out')
      .option('--unit-dir <dir>', 'Linux: where the user unit goes (default ~/.config/systemd/user)')
      .option('--worker', 'a queue worker (`worker`) instead of the bridge; its --state-dir defaults to the data dir + /worker-state')
      .option('--queue <url>', 'with --worker: the Redis URL (default: $MAILMOVER_QUEUE); kept in a file only you can read, not on the command line')
      .option('--cluster-key-file <file>', 'with --worker: the key written by `cluster init` (default: $MAILMOVER_CLUSTER_KEY_FILE, else the data dir + /cluster.key)')
      .option('--queue-ca <file>', "with --worker and a rediss:// URL: the PEM certificate of the private CA that signed Redis's certificate (default: $MAILMOVER_QUEUE_CA)")
      .option('--concurrency <n>', 'with --worker: accounts migrated at once (default 2)')
      .option('--name <name>', 'with --worker: its name in the workers panel (default: host name + pid)')
      .option('--host-connections <n>', "with --worker: this worker's cap of connections to one source server (default 8)")
      .action(async (o: { port?: string; stateDir?: string; dryRun?: boolean; unitDir?: string; worker?: boolean; queue?: string; clusterKeyFile?: string; queueCa?: string; concurrency?: string; name?: string; hostConnections?: string }) => {
        const workerOnly = o.queue !== undefined || o.clusterKeyFile !== undefined || o.queueCa !== undefined || o.concurrency !== undefined || o.name !== undefined || o.hostConnections !== undefined;
        if (workerOnly && !o.worker) throw new UsageError('--queue, --cluster-key-file, --queue-ca, --concurrency, --name and --host-connections go with --worker');
        // A worker takes its work from the queue and listens on no port: a --port would be dropped.
        if (o.worker && o.port !== undefined) throw new UsageError('--port does not go with --worker: a worker listens on no port (it takes its accounts from the queue)');
        const port = portOption(o.port);
        // Port 0 picks another free port at every start (every logon), where the extension,
        // which looks on the port it paired with, would not find the bridge.
        if (action === 'install' && !o.worker && port === 0) {
          const given = o.port !== undefined ? '--port 0' : 'MAILMOVER_PORT=0';
          throw new UsageError(`service install needs a fixed port (${given} would pick another free port at every start, where the extension does not look): give --port N, 1-65535`);
        }
        const worker = o.worker
          ? {
              queue: o.queue,
              clusterKeyFile: o.clusterKeyFile,
              queueCa: o.queueCa,
              stateDir: o.stateDir,
              concurrency: o.concurrency === undefined ? undefined : count('--concurrency')(o.concurrency),
              name: o.name,
              hostConnections: o.hostConnections === undefined ? undefined : count('--host-connections')(o.hostConnections),
            }
          : undefined;
        process.exitCode = (await import('./service-command')).runService(action, { port, stateDir: defaultStateDir(o.stateDir), dryRun: o.dryRun, unitDir: o.unitDir, worker }, out);
      });
  }
  registerTestConnection(program);
  registerDnsCheck(program);
  registerVerify(program);
  registerWorker(program);
  registerCluster(program);
  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the script) and resolves to its exit status;
 * never calls process.exit, so tests can run usage errors in their own process.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`mailmover-bridge: ${err.message}\n`);
      return 2;
    }
    if (err instanceof SqliteNativeModuleError) {
      // An install problem with its fix in the message: the stack would only bury it.
      process.stderr.write(`mailmover-bridge: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`mailmover-bridge: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
