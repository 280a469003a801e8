import { z } from 'zod';

/**
 * One side of a migration: where to connect and how to log in.
 * `security`: 'tls' = implicit TLS (993), 'starttls' = upgrade required,
 * 'plain' = plaintext allowed (only with allowPlaintext) as a fallback: STARTTLS/STLS is
 * still used whenever the server offers it.
 */
export const AuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password'), password: z.string().min(1) }),
  // An admin (master user) logs in on behalf of the account with the admin's password.
  // 'separator' sends LOGIN user*admin (Dovecot's auth_master_user_separator);
  // 'authzid' uses SASL PLAIN with authzid=user, authcid=admin (RFC 4616).
  z.object({
    kind: z.literal('master'),
    adminUser: z.string().min(1),
    password: z.string().min(1),
    form: z.enum(['authzid', 'separator']).default('authzid'),
    separator: z.string().min(1).default('*'),
  }),
  z.object({ kind: z.literal('oauth2'), accessToken: z.string().min(1) }),
]);
export type Auth = z.infer<typeof AuthSchema>;

/** What the endpoint speaks. POP3 is a source only: a target is always IMAP. */
export const ProtocolSchema = z.enum(['imap', 'pop3']);
export type Protocol = z.infer<typeof ProtocolSchema>;

export const EndpointSchema = z.object({
  /** 'imap' when left out, so endpoints written before POP3 existed keep their meaning. */
  protocol: ProtocolSchema.default('imap'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls', 'plain']),
  user: z.string().min(1),
  auth: AuthSchema,
  allowPlaintext: z.boolean().default(false),
  insecureTls: z.boolean().default(false),
  /** Extra CA certificates (PEM) to trust, e.g. a company CA. */
  ca: z.string().optional(),
});
// `protocol` stays optional in the type (undefined = 'imap'), so code that builds an
// endpoint by hand without it keeps compiling; read it through endpointProtocol().
export type Endpoint = Omit<z.infer<typeof EndpointSchema>, 'protocol'> & { protocol?: Protocol };

export function endpointProtocol(ep: Pick<Endpoint, 'protocol'>): Protocol {
  return ep.protocol ?? 'imap';
}

/** A description of the endpoint safe to print: never a password or token. */
export function describeEndpoint(ep: Endpoint): string {
  const via = ep.auth.kind === 'master' ? ` (as admin ${ep.auth.adminUser})` : ep.auth.kind === 'oauth2' ? ' (OAuth2)' : '';
  return `${endpointUrl(ep)}${via}`;
}

/** The endpoint as a URL the CLI takes back (`test-connection <url>`): scheme, user, host and port. */
export function endpointUrl(ep: Endpoint): string {
  const base = endpointProtocol(ep);
  const scheme = ep.security === 'tls' ? `${base}s` : base;
  const host = ep.host.includes(":") ? `[${ep.host}]` : ep.host;
  return `${scheme}://${encodeURIComponent(ep.user)}@${host}:${ep.port}`;
}

/**
 * Whether the server's certificate must verify. Always, unless the user opted out with
 * insecureTls, or allowed plaintext: then the opportunistic STARTTLS upgrade only has to
 * keep passive listeners out (an active attacker could strip STARTTLS anyway), so a
 * self-signed certificate is better than sending the password in clear.
 */
export function verifiesCertificate(ep: Pick<Endpoint, 'security' | 'insecureTls'>): boolean {
  return !ep.insecureTls && ep.security !== 'plain';
}

/**
 * TLS settings beyond the certificate check. With plaintext allowed, the STARTTLS upgrade
 * is opportunistic: an old server that only speaks TLS 1.0 or weak ciphers still gets
 * an encrypted session rather than failing (or the password going in clear).
 */
export function legacyTlsAllowed(ep: Pick<Endpoint, 'security'>): { minVersion?: 'TLSv1'; ciphers?: string } {
  return ep.security === 'plain' ? { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } : {};
}
