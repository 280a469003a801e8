import type { Pop3Report } from '../../../shared/providers';
import type { Endpoint } from '../../engine/endpoint';
import type { Pop3Target } from '../options';
import { Pop3CheckError, pop3InboxStat } from '../pop3-inbox-stat';
import type { StageContext } from './context';

/**
 * Where to count the inbox over POP3: the server given, else the provider's own POP3 server when
 * the IMAP server is the provider's (then it is the same mailbox).
 */
function pop3TargetFor(ctx: StageContext): Pop3Target | undefined {
  const { endpoint, opts, report } = ctx;
  if (opts.pop3 === false) return undefined;
  if (opts.pop3) return opts.pop3;
  const preset = report.preset;
  const via = report.fields.provider?.via;
  if (!preset || !(via === 'host' || via === 'cname' || via === 'manual') || !preset.pop3[0]) return undefined;
  if (!preset.imap.some((s) => s.host === endpoint.host.toLowerCase()) && via !== 'cname') return undefined;
  const s = preset.pop3[0];
  return { host: s.host, port: s.port, security: s.security };
}

/**
 * The IMAP login, for the POP3 server. What the user allowed for the IMAP server (an
 * unchecked certificate, a private CA, plaintext) holds for that host only: another
 * host, the provider's POP3 server, gets the password only over TLS it can verify.
 */
export function pop3Endpoint(endpoint: Endpoint, pop3: { host: string; port: number; security: Endpoint['security'] }): Endpoint {
  const sameHost = pop3.host.toLowerCase() === endpoint.host.toLowerCase();
  const { ca, ...rest } = endpoint;
  return sameHost ? { ...endpoint, protocol: 'pop3', ...pop3 } : { ...rest, protocol: 'pop3', ...pop3, insecureTls: false, allowPlaintext: false };
}

async function countOverPop3(ctx: StageContext, target: Pop3Target, imapOk: boolean): Promise<Pop3Report> {
  const { endpoint } = ctx;
  const host = target.host ?? endpoint.host;
  const base = { host, port: target.port, security: target.security };
  if (!imapOk) return { ...base, status: 'skipped', messages: null, octets: null, error: null, detail: 'not checked: the IMAP test failed' };
  if (endpoint.auth.kind === 'oauth2') return { ...base, status: 'skipped', messages: null, octets: null, error: null, detail: 'not checked: OAuth2 login' };
  try {
    // a supplementary check: a wrong POP3 transport (STLS on a TLS port) must not hold the test long
    const st = await pop3InboxStat(pop3Endpoint(endpoint, base), Math.min(ctx.timeoutMs, 10_000), ctx.side);
    return { ...base, status: 'ok', messages: st.messages, octets: st.octets, error: null, detail: null };
  } catch (err) {
    const e = err instanceof Pop3CheckError ? err : new Pop3CheckError('INTERNAL', (err as Error).message);
    return { ...base, status: 'failed', messages: null, octets: null, error: { code: e.code, message: e.message }, detail: e.serverText };
  }
}

/**
 * The inbox count over POP3 of an IMAP account, to compare with IMAP's (only after a successful
 * IMAP login with a password). A failure here is a note, never the test's error.
 */
export async function comparePop3(ctx: StageContext): Promise<void> {
  const { report } = ctx;
  const target = ctx.protocol === 'pop3' ? undefined : pop3TargetFor(ctx);
  const pop3 = target ? await countOverPop3(ctx, target, !report.failed && report.fields.authenticated) : null;
  report.fields.pop3 = pop3;
  if (!pop3) return;
  report.step('pop3', pop3.status === 'ok' ? 'ok' : pop3.status === 'failed' ? 'warning' : 'skipped', null, pop3.status === 'ok' ? `STAT ${pop3.messages} messages` : pop3.detail);
  if (pop3.status === 'failed') {
    report.warn({
      code: 'POP3_CHECK_FAILED',
      severity: 'info',
      message: {
        en: `The POP3 comparison could not be made: ${pop3.error?.message ?? pop3.detail ?? 'unknown error'}`,
        zh: `无法进行 POP3 数量对比：${pop3.error?.message ?? pop3.detail ?? '未知错误'}`,
      },
      hints: [],
    });
  }
}
