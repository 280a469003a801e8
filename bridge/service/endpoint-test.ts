import { performance } from 'node:perf_hooks';
import { findPreset } from '../../shared/providers';
import type { RequestParams, RequestResult } from '../../shared/protocol/requests';
import { testConnection } from '../diagnose/test-connection';
import type { Auth, Endpoint } from '../engine/endpoint';
import { classifyError } from '../engine/errors';
import { classified } from './views';

/** The engine's login for a verification account: its own password, or an admin's on its behalf. */
export function verificationAuth(p: { password: string; adminUser?: string; adminForm?: 'authzid' | 'separator' }): Auth {
  return p.adminUser ? { kind: 'master', adminUser: p.adminUser, password: p.password, form: p.adminForm ?? 'authzid', separator: '*' } : { kind: 'password', password: p.password };
}

/**
 * 原邮箱系统验证: connect and log in with one account to prove the server
 * settings before any account is imported, with the full connection test of
 * bridge/diagnose (certificate, folders with counts and dates, quota, the "only the last
 * 30 days" warning). Read-only: IMAP runs behind the read-only guard (EXAMINE, STATUS,
 * FETCH of UID / INTERNALDATE); a POP3 source gets STAT and QUIT only.
 */
export async function testEndpoint(p: RequestParams<'endpoint.test'>, opts: { dnsTimeoutMs?: number } = {}): Promise<RequestResult<'endpoint.test'>> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const ep: Endpoint = {
    protocol: p.server.protocol,
    host: p.server.host,
    port: p.server.port,
    security: p.server.security,
    user: p.user,
    auth: verificationAuth(p),
    allowPlaintext: p.server.allowPlaintext,
    insecureTls: p.server.insecureTls,
  };
  try {
    const report = await testConnection(ep, {
      // The wizard tests the old and the new mailbox: errors and remedies are about the one tested.
      side: p.side,
      ...(p.provider && findPreset(p.provider) ? { provider: p.provider } : {}),
      detect: p.detect,
      // The POP3 comparison is for an IMAP source whose provider is known; the wizard tests one side at a time.
      ...(p.side === 'target' ? { pop3: false as const } : {}),
      timeoutMs: 20_000,
    });
    const folders = report.totals?.folders ?? report.folders?.length ?? (report.pop3 || p.server.protocol === 'pop3' ? (report.authenticated ? 1 : null) : null);
    const error = report.error ? classified({ code: report.error.code, message: report.error.message, side: p.side, ...(report.error.facts ? { facts: report.error.facts } : {}) }) : null;
    return { ok: report.ok, error, folders: report.ok ? folders : null, ms: ms(), report };
  } catch (err) {
    const e = classifyError(err, { side: p.side, account: p.user, host: p.server.host, port: p.server.port, protocol: p.server.protocol });
    return { ok: false, error: classified(e.toInfo()), folders: null, ms: ms(), report: null };
  }
}
