import type { AccountJob } from '../engine/account-job';
import { endpointUrl } from '../engine/endpoint';

/**
 * The engine's TLS advice fits the extension too; on the command line the choice is a flag,
 * for the side that failed only: trusting the certificate (--<side>-ca) first, not checking it
 * (--<side>-insecure-tls) as the last resort.
 */
export function tlsHint(side: 'source' | 'target', job: AccountJob): string {
  const ep = side === 'target' ? job.target : job.source;
  // The login as this run makes it: an admin's on behalf of the user, or a token.
  const login = ep.auth.kind === 'master' ? ` --auth-user ${ep.auth.adminUser} --password-env NAME` : ep.auth.kind === 'oauth2' ? ' --oauth-token-env NAME' : ' --password-env NAME';
  const test = `\`./mailmover-bridge test-connection ${endpointUrl(ep)}${login}`;
  if (ep.ca) {
    // A CA file was given and did not do: say what it must hold; the connection test says why it failed.
    return `  The certificate did not verify against the --${side}-ca file: it must hold the server's own certificate or the CA that signed it, and the certificate must be valid and name the server as --${side} gives it. ${test} --ca FILE\` says why.`;
  }
  return (
    `  To trust a self-signed certificate: --${side}-ca FILE (its PEM certificate, or the CA that signed it); or, without checking it at all, --${side}-insecure-tls.` +
    ` ${test}\` shows its SHA-256 fingerprint, to check with the server's administrator first.`
  );
}
