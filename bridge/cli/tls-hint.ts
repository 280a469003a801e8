import type { AccountJob } from '../engine/account-job';
import { endpointUrl } from '../engine/endpoint';

/** The engine's TLS advice fits the extension too; on the command line the choice is a flag. */
export function tlsHint(side: 'source' | 'target', job: AccountJob): string {
  const ep = side === 'target' ? job.target : job.source;
  // The login as this run makes it: an admin's on behalf of the user, or a token.
  const login = ep.auth.kind === 'master' ? ` --auth-user ${ep.auth.adminUser} --password-env NAME` : ep.auth.kind === 'oauth2' ? ' --oauth-token-env NAME' : ' --password-env NAME';
  return `  To accept a self-signed certificate you trust: --insecure-tls. \`./mailmover-bridge test-connection ${endpointUrl(ep)}${login}\` shows its SHA-256 fingerprint, to check with the server's administrator first.`;
}
