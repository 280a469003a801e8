#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './endpoint-url';
import { runMigrate } from './migrate-command';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function buildProgram(): Command {
  const program = new Command('mailmover-bridge')
    .description('mailmover bridge: migrate mailboxes from the command line')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('migrate')
    .description('Copy one mailbox (or a CSV batch) from a source IMAP server to a target IMAP server. The source is never modified.')
    .requiredOption('--source <url>', 'source server: imap://[user@]host[:port] (STARTTLS) or imaps://[user@]host[:port] (TLS)')
    .requiredOption('--target <url>', 'target server, same form as --source')
    .option('--source-user <user>', 'source login (instead of user@ in the URL)')
    .option('--target-user <user>', 'target login (instead of user@ in the URL)')
    .option('--source-password-env <name>', 'read the source password from this environment variable')
    .option('--target-password-env <name>', 'read the target password from this environment variable')
    .option('--source-password-file <file>', 'read the source password from this file')
    .option('--target-password-file <file>', 'read the target password from this file')
    .option('--source-auth-user <admin>', 'log in as this admin (master) user on behalf of the source account; the password is the admin\'s')
    .option('--target-auth-user <admin>', 'log in as this admin (master) user on behalf of the target account')
    .addOption(new Option('--source-auth-form <form>', 'how the admin login is sent: SASL PLAIN authzid, or user*admin').choices(['authzid', 'separator']))
    .addOption(new Option('--target-auth-form <form>', 'how the admin login is sent on the target').choices(['authzid', 'separator']))
    .option('--source-oauth-token-env <name>', 'OAuth2 access token for the source (XOAUTH2) from this environment variable')
    .option('--target-oauth-token-env <name>', 'OAuth2 access token for the target (XOAUTH2) from this environment variable')
    .option('--allow-plaintext', 'allow imap:// without TLS (only on a trusted network)')
    .option('--insecure-tls', 'accept self-signed or otherwise unverifiable TLS certificates')
    .option('--mode <mode>', 'mapped (system folders matched, tree kept) or unified (all under a folder named after the source address)')
    .option('--since <YYYY-MM-DD>', 'only messages received on or after this date')
    .option('--include-folder <glob>', 'only folders matching this glob (repeatable; / separates levels)', collect)
    .option('--exclude-folder <glob>', 'leave out folders matching this glob (repeatable)', collect)
    .option('--concurrency <n>', 'parallel connections per side for one account (default 4)')
    .option('--account-concurrency <n>', 'accounts migrated at once with --accounts (default 2)')
    .option('--state-dir <dir>', 'where checkpoints are kept (default: the bridge data dir)')
    .option('--dry-run', 'list folders, their mapping and message counts; write nothing')
    .addOption(new Option('--deleted <policy>', 'messages flagged \\Deleted on the source: copy (with the flag), skip, or undelete (copy without it)').choices(['copy', 'skip', 'undelete']))
    .option('--accounts <file.csv>', 'batch: CSV with source,target,source_password,target_password (or 待搬家账号,搬家账号,待搬家账号密码)')
    .option('--provider <id>', 'source provider (aliyun, exmail, netease, ...) to recognise its folder names first')
    .option('--batch-messages <n>', 'messages per fetch/APPEND batch (default 200); smaller batches checkpoint more often')
    .option('--retries <n>', 'attempts per account for transient errors (default 5)')
    .option('--json', 'print one JSON document with the results on stdout')
    .action(async (opts: Record<string, unknown>) => {
      const outcome = await runMigrate(opts, { stdout: process.stdout, stderr: process.stderr });
      process.exitCode = outcome.exitCode;
    });
  return program;
}

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
    process.stderr.write(`mailmover-bridge: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
