import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import { ImapClient } from './imap-client';
import type { Endpoint } from './endpoint';
import { MigrationError, classifyError } from './errors';

export interface ConnectOptions {
  side: 'source' | 'target';
  /** Name for this connection in logs (never a credential). */
  id?: string;
}

function authOptions(ep: Endpoint): NonNullable<ImapFlowOptions['auth']> {
  switch (ep.auth.kind) {
    case 'password':
      return { user: ep.user, pass: ep.auth.password };
    case 'oauth2':
      return { user: ep.user, accessToken: ep.auth.accessToken };
    case 'master':
      return ep.auth.form === 'separator'
        ? { user: `${ep.user}${ep.auth.separator}${ep.auth.adminUser}`, pass: ep.auth.password }
        : { user: ep.auth.adminUser, pass: ep.auth.password, authzid: ep.user, loginMethod: 'AUTH=PLAIN' };
  }
}

export function imapFlowOptions(ep: Endpoint, opts: ConnectOptions): ImapFlowOptions {
  if (ep.security === 'plain' && !ep.allowPlaintext) {
    throw new MigrationError(
      'PLAINTEXT_REFUSED',
      `Refusing to send the ${opts.side} password for ${ep.user} unencrypted to ${ep.host}:${ep.port}. Use imaps:// or STARTTLS, or pass --allow-plaintext for a trusted network.`,
      { side: opts.side },
    );
  }
  return {
    host: ep.host,
    port: ep.port,
    secure: ep.security === 'tls',
    doSTARTTLS: ep.security === 'starttls' ? true : ep.security === 'plain' ? false : undefined,
    auth: authOptions(ep),
    tls: {
      rejectUnauthorized: !ep.insecureTls,
      ...(ep.ca ? { ca: ep.ca } : {}),
      // The certificate is checked against the name the user typed, also for IP addresses.
      servername: /^[\d.]+$|:/.test(ep.host) ? undefined : ep.host,
    },
    logger: false,
    disableAutoIdle: true,
    // Compression costs CPU on both ends of a fast link and gains nothing on loopback/LAN;
    // the byte-exact check is also simpler to reason about without it.
    disableCompression: true,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 300_000,
    clientInfo: { name: 'mailmover' },
    id: opts.id,
  };
}

/** Opens an authenticated imapflow connection or throws a classified MigrationError. */
export async function connectImap(ep: Endpoint, opts: ConnectOptions): Promise<ImapClient> {
  const client = new ImapClient(imapFlowOptions(ep, opts));
  // An 'error' event without a listener would crash the process; the failing command
  // rejects with the same error, which is where it is handled.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw classifyError(err, { side: opts.side, account: ep.user, host: ep.host, port: ep.port });
  }
  return client;
}

export async function closeQuietly(client: ImapFlow | undefined): Promise<void> {
  if (!client) return;
  try {
    if (client.usable) await client.logout();
  } catch {
    // already gone
  } finally {
    client.close();
  }
}
