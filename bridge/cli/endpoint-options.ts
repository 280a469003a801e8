import { Option, type Command } from 'commander';

/**
 * The options that say where both mailboxes are and how to log in, shared by `migrate`
 * and `verify`: the migrate command line with `verify` in its place checks that very
 * migration. `sourceHelp` names the URL forms the command takes.
 */
export function addEndpointOptions(command: Command, sourceHelp: string): Command {
  return command
    .requiredOption('--source <url>', sourceHelp)
    .requiredOption('--target <url>', 'target server, same form as --source')
    .option('--source-user <user>', 'source login (instead of user@ in the URL)')
    .option('--target-user <user>', 'target login (instead of user@ in the URL)')
    .option('--source-password-env <name>', 'read the source password from this environment variable')
    .option('--target-password-env <name>', 'read the target password from this environment variable')
    .option('--source-password-file <file>', 'read the source password from this file')
    .option('--target-password-file <file>', 'read the target password from this file')
    .option('--source-auth-user <admin>', "log in as this admin (master) user on behalf of the source account; the password is the admin's")
    .option('--target-auth-user <admin>', 'log in as this admin (master) user on behalf of the target account')
    .addOption(new Option('--source-auth-form <form>', 'how the admin login is sent: SASL PLAIN authzid, or user*admin').choices(['authzid', 'separator']))
    .addOption(new Option('--target-auth-form <form>', 'how the admin login is sent on the target').choices(['authzid', 'separator']))
    .option('--source-oauth-token-env <name>', 'OAuth2 access token for the source (XOAUTH2) from this environment variable')
    .option('--target-oauth-token-env <name>', 'OAuth2 access token for the target (XOAUTH2) from this environment variable')
    .option('--allow-plaintext', 'allow imap:// / pop3:// without TLS as a fallback (only on a trusted network); STARTTLS is still used when offered')
    .option('--source-ca <file>', "trust this PEM certificate for the source: its own self-signed certificate, or the private CA that signed it (the certificate is still checked, name included)")
    .option('--target-ca <file>', 'the same for the target')
    .option('--source-insecure-tls', "do not check the source's TLS certificate: any certificate is accepted (self-signed, expired, other name), the session stays encrypted; prefer --source-ca")
    .option('--target-insecure-tls', "do not check the target's TLS certificate (as --source-insecure-tls); prefer --target-ca")
    .option('--insecure-tls', 'do not check the TLS certificates of either server (both --source-insecure-tls and --target-insecure-tls)');
}
