import { z } from 'zod';

/** A CLI usage or configuration error: exit status 2, the message names the option. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedEndpointUrl {
  security: 'tls' | 'starttls';
  host: string;
  port: number;
  user?: string;
}

const DEFAULT_PORTS = { imap: 143, imaps: 993 } as const;

/**
 * Parses `imap://[user@]host[:port]` / `imaps://...`. Users that contain @ are
 * percent-encoded (alice%40example.com@host). POP3 sources come with their own
 * issue; until then they are refused with a message saying so.
 */
export function parseEndpointUrl(value: string, option: string): ParsedEndpointUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option}: "${value}" is not a URL; expected imap://[user@]host[:port] or imaps://[user@]host[:port]`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme === 'pop3' || scheme === 'pop3s') {
    throw new UsageError(`${option}: POP3 sources (${scheme}://) are not supported yet; use an IMAP URL (imap:// or imaps://)`);
  }
  if (scheme !== 'imap' && scheme !== 'imaps') {
    throw new UsageError(`${option}: unsupported scheme "${scheme}://"; expected imap:// or imaps://`);
  }
  if (url.password) {
    throw new UsageError(`${option}: do not put a password in the URL (it would show in the process list); use --*-password-env or --*-password-file`);
  }
  if (url.pathname && url.pathname !== '/' && url.pathname !== '') {
    throw new UsageError(`${option}: unexpected path "${url.pathname}" in ${value}`);
  }
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError(`${option}: missing host in ${value}`);
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  return { security: scheme === 'imaps' ? 'tls' : 'starttls', host, port, user };
}

export const DateOptionSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  // Date() rolls impossible days over (2023-02-29 becomes 2023-03-01): the date must read back the same.
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a valid date')
  .transform((s) => new Date(`${s}T00:00:00Z`));
