import { isExtensionOrigin, type TrustedOrigins } from '../service/trusted-origins';

/**
 * The two checks every request except GET /health passes before anything else.
 *
 * Host: a web page can make its own domain resolve to 127.0.0.1 (DNS rebinding)
 * and then talk to the bridge as "same origin"; its requests still carry its own
 * name in Host. So only the loopback names with the bridge's own port are accepted.
 *
 * Origin: any web page can open a WebSocket or send a form to localhost, and a
 * content script's requests carry the page's origin. Only an extension origin the
 * bridge trusts (the stable id, or one that paired) is accepted.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.trim().toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/**
 * /health's check: a loopback name, with the given port when known. /health takes no Origin
 * (discovery must work before pairing), but a rebinding page's request names its own domain.
 */
export function isLoopbackHost(host: string | undefined, port?: number): boolean {
  if (!host) return false;
  const m = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!m) return false;
  return port === undefined || m[2] === String(port);
}

export type GuardFailure = { status: 403 | 421; code: 'BAD_HOST' | 'BAD_ORIGIN'; message: string };

export function checkRequest(
  headers: { host?: string; origin?: string },
  port: number,
  origins: TrustedOrigins,
  opts: { pairing?: boolean } = {},
): GuardFailure | undefined {
  if (!isAllowedHost(headers.host, port)) {
    return { status: 421, code: 'BAD_HOST', message: `The bridge answers only to 127.0.0.1:${port}, localhost:${port} or [::1]:${port}.` };
  }
  const origin = headers.origin;
  // Pairing is how a new extension origin (Firefox's is random per install) becomes trusted:
  // it must be an extension origin, and the one-time code proves the user wants it.
  const ok = opts.pairing ? origin !== undefined && isExtensionOrigin(origin) : origins.has(origin);
  if (!ok) {
    return {
      status: 403,
      code: 'BAD_ORIGIN',
      message: origin
        ? `Origin ${origin} may not use the bridge: only the paired mailmover extension may (web pages and content scripts may not).`
        : 'A request without an Origin header is refused: only the paired mailmover extension may use the bridge.',
    };
  }
  return undefined;
}
