import { getErrorText, getStatusCode, isServerRefusal } from 'imapflow/lib/tools.js';

/** What imapflow hands its AUTHENTICATE command (imap-flow's authenticate()). */
export interface AuthenticateArgs {
  password?: string;
  accessToken?: string;
  loginMethod?: string;
  authzid?: string;
}

interface SaslClient {
  capabilities: Map<string, unknown>;
  authCapabilities: Map<string, unknown>;
  exec(command: string, attributes: unknown[]): Promise<{ next: () => void }>;
}

/** Whether imapflow would log in with AUTH=PLAIN, and the server takes the response on the command line (SASL-IR). */
export function plainWithInitialResponse(client: SaslClient, args: AuthenticateArgs): boolean {
  if (!args.password || args.accessToken || !client.capabilities.has('SASL-IR')) return false;
  const method = (args.loginMethod ?? '').toUpperCase();
  return method === 'AUTH=PLAIN' || (!method && client.capabilities.has('AUTH=PLAIN'));
}

/**
 * AUTHENTICATE PLAIN with the credentials on the command line (SASL-IR, RFC 4959), one round
 * trip instead of imapflow's two (it always waits for an empty "+" first). The result and
 * the errors are imapflow's own: the identity logged in as; a refusal carries its response
 * code and `authenticationFailed`, as imapflow's PLAIN sets them.
 */
export async function authenticatePlain(client: SaslClient, user: string, args: AuthenticateArgs): Promise<string> {
  const payload = Buffer.from([args.authzid ?? '', user, args.password ?? ''].join('\x00')).toString('base64');
  try {
    // sensitive: imapflow's command logging shows "(* value hidden *)" instead
    const response = await client.exec('AUTHENTICATE', [{ type: 'ATOM', value: 'PLAIN' }, { type: 'ATOM', value: payload, sensitive: true }]);
    response.next();
  } catch (err) {
    const e = err as { response?: unknown; serverResponseCode?: string; authenticationFailed?: boolean };
    const code = getStatusCode(e.response as Parameters<typeof getStatusCode>[0]);
    if (code) e.serverResponseCode = code;
    if (isServerRefusal(err as Parameters<typeof isServerRefusal>[0])) e.authenticationFailed = true;
    e.response = await getErrorText(e.response as Parameters<typeof getErrorText>[0]);
    throw err;
  }
  client.authCapabilities.set('AUTH=PLAIN', true);
  return args.authzid || user;
}
