import type { Command } from 'commander';

/** Adds `dns-check`; its code (DNS client, provider tables) is imported only when it runs. */
export function registerDnsCheck(program: Command): void {
  program
    .command('dns-check')
    .description('Cut-over DNS check: MX, SPF, DKIM, DMARC and client autoconfig records of DOMAIN against what the target provider expects. Exit 0 ready, 1 something to fix, 2 usage error.')
    .argument('<domain>', 'the mail domain, e.g. example.com')
    // commander's help does not mark a required option: the usage line and the option's text say it.
    .usage('<domain> --target-provider <id> [options]')
    .requiredOption('--target-provider <id>', 'required: the new provider: tencent (exmail), aliyun, netease, 263, outlook (m365), gmail (google-workspace)')
    .option('--old-provider <id>', 'the provider being replaced (its SPF include is flagged after the MX switch)')
    .option('--dkim-selector <name>', 'the DKIM selector the target console shows (default: the provider\'s known selectors)')
    .option('--dns-server <host:port>', 'send every query to this DNS server only (default: the system resolvers)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (domain: string, opts: Record<string, unknown>) => {
      process.exitCode = await (await import('./dns-check-command')).runDnsCheckCommand(domain, opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
