import { z } from 'zod';

import { UsageError } from './usage-error';

export { UsageError };

export interface ParsedEndpointUrl {
  protocol: 'imap' | 'pop3';
  security: 'tls' | 'starttls';
  host: string;
  port: number;
  user?: string;
}

const SCHEMES = {
  imap: { protocol: 'imap', security: 'starttls', port: 143 },
  imaps: { protocol: 'imap', security: 'tls', port: 993 },
  pop3: { protocol: 'pop3', security: 'starttls', port: 110 },
  pop3s: { protocol: 'pop3', security: 'tls', port: 995 },
} as const;

/**
 * The value as an error message shows it: what follows a colon in the part before the last
 * "@" (a password, which may hold "#", "/" or "?" and so break the URL) masked.
 */
function withoutPassword(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = value.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
  const colon = value.indexOf(':', start);
  return colon < 0 || colon > at ? value : `${value.slice(0, colon)}:***${value.slice(at)}`;
}

/**
 * Parses `imap://[user@]host[:port]` / `imaps://...`, and for a source (`allowPop3`)
 * `pop3://` (STLS required, port 110) / `pop3s://` (TLS, port 995). Users that contain @
 * are percent-encoded (alice%40example.com@host). A target must be IMAP: POP3 can only be read.
 */
export function parseEndpointUrl(value: string, option: string, opts: { allowPop3?: boolean } = {}): ParsedEndpointUrl {
  const expected = opts.allowPop3
    ? 'imap://, imaps://, pop3:// or pop3s://[user@]host[:port]'
    : 'imap://[user@]host[:port] or imaps://[user@]host[:port]';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const shown = withoutPassword(value);
    const hint = shown === value ? '' : ' (and no password in it: use --*-password-env or --*-password-file)';
    throw new UsageError(`${option}: "${shown}" is not a URL; expected ${expected}${hint}`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!Object.hasOwn(SCHEMES, scheme)) {
    throw new UsageError(`${option}: unsupported scheme "${scheme}://"; expected ${expected}`);
  }
  const spec = SCHEMES[scheme as keyof typeof SCHEMES];
  if (spec.protocol === 'pop3' && !opts.allowPop3) {
    throw new UsageError(`${option}: ${scheme}:// cannot be used here: POP3 can only be a source (--source); the target must be imap:// or imaps://`);
  }
  if (url.password) {
    throw new UsageError(`${option}: do not put a password in the URL (it would show in the process list); use --*-password-env or --*-password-file`);
  }
  if (url.pathname && url.pathname !== '/' && url.pathname !== '') {
    throw new UsageError(`${option}: unexpected path "${url.pathname}" in ${value}`);
  }
  const port = url.port ? Number(url.port) : spec.port;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError(`${option}: missing host in ${value}`);
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  return { protocol: spec.protocol, security: spec.security, host, port, user };
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
