/**
 * Dovecot's dsync: `doveadm backup -R -u <target user> imapc:` run with the TARGET server's
 * configuration, so the target's own storage code writes the mail (with its mail_fsync
 * setting) and imapc pulls it from the source over IMAP (-R: the remote is the source).
 */
import { DOVEADM_BIN } from '../../test/harness/system-deps';
import { measureProcess } from '../measure';
import { tail, withServerCpu, type AccountPair, type BenchServers, type ToolRun } from './common';

export interface DsyncOptions {
  /** imapc_features (Dovecot 2.3): rfc822.size and fetch-headers save a FETCH per message */
  features?: string;
  /** mail_prefetch_count: messages imapc fetches ahead */
  prefetch?: number;
  timeoutMs?: number;
}

export async function runDsync(servers: BenchServers, pair: AccountPair, opts: DsyncOptions = {}): Promise<ToolRun> {
  const src = servers.source;
  const settings: Record<string, string> = {
    imapc_host: src.host,
    imapc_port: String(src.imapPort),
    imapc_user: pair.source.user,
    imapc_password: pair.source.password,
    imapc_ssl: 'no',
    imapc_features: opts.features ?? 'rfc822.size fetch-headers modseq',
    mail_prefetch_count: String(opts.prefetch ?? 20),
  };
  const args = ['-c', servers.target.confPath];
  for (const [k, v] of Object.entries(settings)) args.push('-o', `${k}=${v}`);
  args.push('backup', '-R', '-u', pair.target.user, 'imapc:');
  return withServerCpu(servers, async () => {
    const m = await measureProcess(DOVEADM_BIN, args, { timeoutMs: opts.timeoutMs, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
    // doveadm backup: 0 = done, 2 = done but changes happened meanwhile (try again)
    const ok = m.exitCode === 0;
    return { tool: 'dsync' as const, measure: m, ok, error: ok ? undefined : `doveadm backup exit ${m.exitCode}: ${tail(m.stderr)}`, mapping: new Map() };
  });
}
