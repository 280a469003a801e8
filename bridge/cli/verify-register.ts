import { Option, type Command } from 'commander';
import { addEndpointOptions } from './endpoint-options';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Registers `verify`. Its options are migrate's (endpoints, logins, mode, filters, --accounts,
 * --state-dir), so that the migrate command line with `verify` in its place checks that very
 * migration. The command's code is imported only when it runs, like migrate's.
 */
export function registerVerify(program: Command): Command {
  return addEndpointOptions(
    program
      .command('verify')
      .description(
        'Read both mailboxes again and match every message through the folder mapping: what is missing, extra or changed on the target, per folder. Never writes to either side (unless --fix). Exit 0 verified, 1 differences or failure, 2 usage error.',
      ),
    'source server as for migrate: imap:// (STARTTLS), imaps:// (TLS), pop3:// (STLS) or pop3s:// (TLS), scheme://[user@]host[:port]',
  )
    .option('--mode <mode>', 'the mode the migration ran in: mapped or unified')
    .option('--since <YYYY-MM-DD>', 'as for migrate: older source messages are not expected on the target')
    .option('--include-folder <glob>', 'only folders matching this glob (repeatable; / separates levels)', collect)
    .option('--exclude-folder <glob>', 'leave out folders matching this glob (repeatable)', collect)
    .option('--account-concurrency <n>', 'accounts verified at once with --accounts (default 2)')
    .option('--state-dir <dir>', "the migration's state dir: its folder map and skipped messages are used (default: the bridge data dir)")
    .addOption(new Option('--deleted <policy>', 'the --deleted policy the migration ran with: copy, skip or undelete').choices(['copy', 'skip', 'undelete']))
    .option('--accounts <file.csv>', 'batch: the CSV the migration ran with')
    .option('--provider <id>', 'source provider, as for migrate (folder names)')
    .option('--target-provider <id>', 'target provider, as for migrate (folder-name characters)')
    .option('--deep', 'also download both bodies and compare their SHA-256 (streamed within the byte budget)')
    .option('--fix', 'copy the messages found missing (only those), then verify again and report that')
    .option('--json', 'print one JSON document with the results on stdout')
    .action(async (opts: Record<string, unknown>) => {
      const outcome = await (await import('./verify-command')).runVerify(opts, { stdout: process.stdout, stderr: process.stderr });
      process.exitCode = outcome.exitCode;
    });
}
