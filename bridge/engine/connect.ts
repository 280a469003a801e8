import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import { ImapClient } from './imap-client';
import { legacyTlsAllowed, verifiesCertificate, type Endpoint } from './endpoint';
import { MigrationError, classifyError, stoppedError } from './errors';

export interface ConnectOptions {
  side: 'source' | 'target';
  /** Name for this connection in logs (never a credential). */
  id?: string;
  /** No byte moved for this long while a command runs: the connection is given up (MigrationOptions.stallTimeoutMs). */
  stallTimeoutMs?: number;
  /** COMPRESS=DEFLATE (RFC 4978) when the server offers it (MigrationOptions.compress). */
  compress?: boolean;
  /** A logged-in connection to the same account whose NAMESPACE answer this one takes (ImapClient.siblingNamespaces). */
  sibling?: ImapFlow;
  /** The run's stop: a connection still being made is closed at once instead of waiting out its timeouts. */
  signal?: AbortSignal;
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

/** No byte moved while a command ran: the link is dead (MigrationOptions.stallTimeoutMs). */
const DEFAULT_STALL_MS = 30_000;
/** Idle connections: servers keep an idle IMAP session at least 30 minutes (RFC 9051 5.4). */
const IDLE_TIMEOUT_MS = 25 * 60_000;

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
    // 'plain' (--allow-plaintext) allows an unencrypted session as a fallback only: imapflow's
    // opportunistic mode (undefined) still upgrades whenever the server offers STARTTLS.
    doSTARTTLS: ep.security === 'starttls' ? true : undefined,
    auth: authOptions(ep),
    tls: {
      rejectUnauthorized: verifiesCertificate(ep),
      ...legacyTlsAllowed(ep),
      ...(ep.ca ? { ca: ep.ca } : {}),
      // The certificate is checked against the name the user typed, also for IP addresses.
      servername: /^[\d.]+$|:/.test(ep.host) ? undefined : ep.host,
    },
    logger: false,
    disableAutoIdle: true,
    // Compression costs CPU on both ends of a fast link and gains nothing on loopback/LAN
    // (MigrationOptions.compress says where it paid); asked for, it is transparent to the
    // bytes stored.
    disableCompression: opts.compress !== true,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    // Dead links are caught by ImapClient's stall watchdog while a command runs; this
    // only bounds a connection left idle (imapflow closes it, the next command reconnects).
    socketTimeout: IDLE_TIMEOUT_MS,
    clientInfo: { name: 'mailmover' },
    id: opts.id,
  };
}

/** Opens an authenticated imapflow connection or throws a classified MigrationError. */
export async function connectImap(ep: Endpoint, opts: ConnectOptions): Promise<ImapClient> {
  const client = new ImapClient(imapFlowOptions(ep, opts));
  client.stallTimeoutMs = opts.stallTimeoutMs ?? DEFAULT_STALL_MS;
  client.siblingNamespaces = opts.sibling?.namespaces;
  client.origin = { side: opts.side, account: ep.user, host: ep.host, port: ep.port };
  // An 'error' event without a listener would crash the process; the failing command
  // rejects too, and is handled there, with this as its cause when it only says "no connection".
  client.on('error', (err: unknown) => {
    client.lastError = err;
  });
  if (opts.signal?.aborted) throw stoppedError();
  const onStop = (): void => client.close();
  opts.signal?.addEventListener('abort', onStop, { once: true });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    if (opts.signal?.aborted) throw stoppedError();
    throw classifyError(err, { side: opts.side, account: ep.user, host: ep.host, port: ep.port });
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
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
