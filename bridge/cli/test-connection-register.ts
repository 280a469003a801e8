import { Option, type Command } from 'commander';
import type { TestConnectionCliOptions } from './test-connection-command';

/**
 * Adds the `test-connection` subcommand to a commander program (program.ts wires it in);
 * the diagnosis code is imported only when it runs.
 */
export function registerTestConnection(program: Command): Command {
  return program
    .command('test-connection')
    .description('Test one mailbox (the verification account): DNS, TLS certificate, login, folders with counts and sizes, oldest/newest dates, quota, POP3 comparison. Never changes the mailbox.')
    .argument('<url>', 'imap://[user@]host[:port] (STARTTLS), imaps://[user@]host[:port] (TLS), pop3:// or pop3s://')
    .option('--user <user>', 'login (instead of user@ in the URL)')
    .option('--password-env <name>', 'read the password (or authorization code) from this environment variable')
    .option('--password-file <file>', 'read the password from this file')
    .option('--auth-user <admin>', "log in as this admin (master) user on behalf of the account; the password is the admin's")
    .addOption(new Option('--auth-form <form>', 'how the admin login is sent: SASL PLAIN authzid, or user*admin').choices(['authzid', 'separator']))
    .option('--oauth-token-env <name>', 'OAuth2 access token (XOAUTH2) from this environment variable')
    .option('--allow-plaintext', 'allow imap:// without TLS (only on a trusted network)')
    .option('--ca <file>', "trust this PEM certificate: the server's own self-signed certificate, or the private CA that signed it (the certificate is still checked, name included)")
    .option('--insecure-tls', 'do not check the certificate: any certificate is accepted (self-signed, expired, other name); it is still reported, with a warning; prefer --ca')
    .option('--side <side>', 'which mailbox of the migration this is: source (the old one, default) or target (the new one: no old-mailbox checks, no provider guess from MX)')
    .option('--provider <id>', 'the provider (tencent, aliyun, netease, 263, gmail, outlook, ...) instead of detecting it')
    .option('--no-detect', 'no DNS lookups (MX, CNAME) to recognise the provider')
    .option('--pop3-port <n>', 'also count the inbox over POP3 on this port, to spot an IMAP view limited to recent mail')
    .option('--pop3-host <host>', 'POP3 server (default: the IMAP host)')
    .addOption(new Option('--pop3-security <mode>', 'POP3 transport (default: tls on 995, else starttls)').choices(['tls', 'starttls', 'plain']))
    .option('--no-pop3', 'skip the POP3 comparison even when the provider\'s POP3 server is known')
    .option('--timeout <seconds>', 'per network step (default 20)')
    .option('--max-folders <n>', 'folders examined in detail (default 500)')
    .option('--json', 'print the report as one JSON document on stdout')
    .action(async (url: string, opts: TestConnectionCliOptions) => {
      process.exitCode = await (await import('./test-connection-command')).runTestConnection(url, opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
