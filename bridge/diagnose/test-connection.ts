/**
 * Connection test (连接测试) of one verification account: DNS, TCP, TLS (certificate reported even
 * when self-signed), greeting and capabilities, login, folders with counts / sizes / oldest and
 * newest dates, quota, an optional POP3 STAT comparison, and warnings such as "only the last 30
 * days are visible". Every failure is classified with the engine's codes and a remedy for the
 * detected provider.
 *
 * Read-only: the IMAP session runs behind guardReadOnly (EXAMINE, STATUS, FETCH of UID and
 * INTERNALDATE, GETQUOTAROOT only); POP3 goes through the engine's client and its read-only
 * allowlist (login, STAT, QUIT). Never throws for a failing server: the failure is the report's
 * `error`.
 *
 * Each stage is its own module under stages/, writing to one ReportBuilder; a stage that returns
 * false (or null) ends the test, and the report says why.
 */
import type { ConnectionReport } from '../../shared/providers';
import { closeQuietly } from '../engine/connect';
import { classifyError } from '../engine/errors';
import type { Endpoint } from '../engine/endpoint';
import type { TestConnectionOptions } from './options';
import { ReportBuilder } from './report-builder';
import { checkConfig, type FlowOptions } from './stages/config';
import type { StageContext } from './stages/context';
import { resolveServerName } from './stages/dns';
import { surveyFolders } from './stages/folders';
import { loginImap, readServerIdentity, serverTextOf } from './stages/login';
import { comparePop3 } from './stages/pop3-compare';
import { loginPop3 } from './stages/pop3-login';
import { detectProviderStage } from './stages/provider';
import { quotaStage } from './stages/quota';
import { probeTransport } from './stages/tls';
import { checkRecentWindow } from './stages/window-check';

export type { Pop3Target, TestConnectionOptions } from './options';

/** Login, folders and quota of an IMAP account, on one read-only session. */
async function testImapSession(ctx: StageContext, flowOptions: FlowOptions, maxFolders: number): Promise<void> {
  const client = await loginImap(ctx, flowOptions);
  if (!client) return;
  try {
    readServerIdentity(ctx, client);
    if (!(await surveyFolders(ctx, client, maxFolders))) return;
    await quotaStage(ctx, client);
  } catch (err) {
    const { endpoint } = ctx;
    const e = classifyError(err, { side: ctx.side, account: ctx.account, host: endpoint.host, port: endpoint.port });
    ctx.report.fail(e.code, e.message, 'folders', serverTextOf(err));
  } finally {
    await closeQuietly(client);
  }
}

/** The stages up to and including login, folders and quota; each may end the test. */
async function runStages(ctx: StageContext, maxFolders: number): Promise<void> {
  const flowOptions = checkConfig(ctx);
  if (flowOptions === false) return;
  await detectProviderStage(ctx);
  if (!(await resolveServerName(ctx))) return;
  if (!(await probeTransport(ctx))) return;
  if (ctx.protocol === 'pop3' || !flowOptions) await loginPop3(ctx);
  else await testImapSession(ctx, flowOptions, maxFolders);
}

/** Runs the connection test. Resolves with the report in every case (ok or not). */
export async function testConnection(endpoint: Endpoint, opts: TestConnectionOptions = {}): Promise<ConnectionReport> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const side = opts.side ?? 'source';
  const ctx: StageContext = {
    endpoint,
    protocol: endpoint.protocol === 'pop3' ? 'pop3' : 'imap',
    where: `${endpoint.host}:${endpoint.port}`,
    account: endpoint.user,
    side,
    opts,
    timeoutMs: opts.timeoutMs ?? 20_000,
    now,
    report: new ReportBuilder(endpoint, now, side, opts.onStep),
  };
  try {
    await runStages(ctx, opts.maxFolders ?? 500);
  } catch (err) {
    // A bug, not a server answer: still a report.
    ctx.report.fail('INTERNAL', `Connection test failed unexpectedly: ${(err as Error).message ?? String(err)}`, 'config');
  }
  await comparePop3(ctx);
  checkRecentWindow(ctx);
  return ctx.report.build(Date.now() - started);
}
