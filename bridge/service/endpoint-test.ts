import { performance } from 'node:perf_hooks';
import type { RequestParams, RequestResult } from '../../shared/protocol/requests';
import { closeQuietly, connectImap } from '../engine/connect';
import type { Endpoint } from '../engine/endpoint';
import { MigrationError, classifyError } from '../engine/errors';
import { classified } from './views';

/**
 * 原邮箱系统验证 (seed 001): connect and log in with one account to prove the
 * server settings before any account is imported. Only LIST is sent after the
 * login (to count folders); the mailbox is not opened.
 */
export async function testEndpoint(p: RequestParams<'endpoint.test'>): Promise<RequestResult<'endpoint.test'>> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  if (p.server.protocol === 'pop3') {
    const err = new MigrationError('UNSUPPORTED', 'POP3 sources are not supported by this bridge yet; use the IMAP server of the old system.');
    return { ok: false, error: classified(err.toInfo()), folders: null, ms: ms() };
  }
  const ep: Endpoint = {
    host: p.server.host,
    port: p.server.port,
    security: p.server.security,
    user: p.user,
    auth: p.adminUser ? { kind: 'master', adminUser: p.adminUser, password: p.password, form: 'authzid', separator: '*' } : { kind: 'password', password: p.password },
    allowPlaintext: p.server.allowPlaintext,
    insecureTls: p.server.insecureTls,
  };
  let client;
  try {
    client = await connectImap(ep, { side: p.side, id: 'endpoint-test' });
    const folders = await client.list();
    return { ok: true, error: null, folders: folders.length, ms: ms() };
  } catch (err) {
    const e = classifyError(err, { side: p.side, account: p.user, host: p.server.host, port: p.server.port });
    return { ok: false, error: classified(e.toInfo()), folders: null, ms: ms() };
  } finally {
    await closeQuietly(client);
  }
}
