import { ImapFlow } from 'imapflow';
import type { ErrorCode } from '../../../shared/errors';
import { matchResponse, type ConnectionStage } from '../../../shared/providers';
import { classifyError } from '../../engine/errors';
import { guardReadOnly } from '../../engine/read-only-guard';
import type { FlowOptions } from './config';
import type { StageContext } from './context';

const THROTTLE_TEXT = /maximum number of connections|too many (simultaneous |concurrent )?(connections|logins|sessions)|connection limit|rate limit|登录频繁|连接数/i;

export function serverTextOf(err: unknown): string | null {
  const t = (err as { responseText?: string })?.responseText;
  return typeof t === 'string' && t.trim() ? t.trim() : null;
}

/**
 * IMAP login with imapflow and the engine's TLS policy; every command of the session goes through
 * the read-only guard. Resolves with the logged-in client (the caller closes it), or null when the
 * login failed.
 */
export async function loginImap(ctx: StageContext, flowOptions: FlowOptions): Promise<ImapFlow | null> {
  const { endpoint, account, side, where, timeoutMs, report } = ctx;
  const client = guardReadOnly(
    new ImapFlow({
      ...flowOptions,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: Math.max(timeoutMs * 3, 60_000),
    }),
  );
  client.on('error', () => undefined);
  const t = performance.now();
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const text = serverTextOf(err);
    const e = classifyError(err, { side, account, host: endpoint.host, port: endpoint.port });
    const known = matchResponse(report.preset, text);
    let code: ErrorCode = e.code;
    let message = e.message;
    if (known) {
      code = known.code;
      message = `${e.message} ${known.meaning.en}`;
    } else if (THROTTLE_TEXT.test(`${text ?? ''} ${(err as Error).message ?? ''}`)) {
      code = 'THROTTLED';
      message = `The ${side} server ${where} refused more sessions for ${account}${text ? `: "${text}"` : ''}. Close other mail clients of this account or wait, then try again.`;
    }
    const stage: ConnectionStage = code === 'TLS_FAILED' ? 'tls' : code === 'CONNECT_FAILED' || code === 'TIMEOUT' ? 'greeting' : 'auth';
    report.fail(code, message, stage, text, known?.pitfalls ?? []);
    return null;
  }
  report.fields.authenticated = true;
  report.step('auth', 'ok', performance.now() - t, endpoint.auth.kind === 'master' ? `as ${endpoint.auth.adminUser} for ${account}` : account);
  return client;
}

/** What the server says about itself after login: capabilities, ID (which may name the provider), STATUS=SIZE. */
export function readServerIdentity(ctx: StageContext, client: ImapFlow): void {
  const { report } = ctx;
  report.fields.capabilities.postAuth = [...client.capabilities.keys()];
  const info = client.serverInfo;
  if (info) {
    const id: Record<string, string> = {};
    for (const [k, v] of Object.entries(info)) if (typeof v === 'string') id[k] = v;
    report.fields.serverId = Object.keys(id).length ? id : null;
    report.recognizeFromServerText(Object.values(id).join(' '));
  }
  report.fields.statusSize = client.capabilities.has('STATUS=SIZE') || client.capabilities.has('IMAP4rev2');
}
