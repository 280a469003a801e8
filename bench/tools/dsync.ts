/**
 * Dovecot's dsync: `doveadm backup -R -u <target user> imapc:` run with the TARGET server's
 * configuration, so the target's own storage code writes the mail (with its mail_fsync
 * setting) and imapc pulls it from the source over IMAP (-R: the remote is the source).
 */
import { DOVEADM_BIN } from '../../test/harness/system-deps';
import { measureProcess, type ProcessMeasure } from '../measure';
import { tail, withServerCpu, type AccountPair, type BenchServers, type ToolRun } from './common';

export interface DsyncOptions {
  /** imapc_features (Dovecot 2.3): rfc822.size and fetch-headers save a FETCH per message */
  features?: string;
  /** mail_prefetch_count: messages imapc fetches ahead */
  prefetch?: number;
  timeoutMs?: number;
}

/** doveadm's arguments for one account: the target server's configuration, imapc pointed at the source. */
export function dsyncArgs(servers: BenchServers, pair: AccountPair, opts: DsyncOptions = {}): string[] {
  const src = servers.source;
  const settings: Record<string, string> = {
    imapc_host: src.host,
    imapc_port: String(src.imapPort),
    imapc_user: pair.source.user,
    imapc_password: pair.source.password,
    // STARTTLS like every tool here (a migration between providers is encrypted); the
    // harness's certificate is self-signed.
    imapc_ssl: 'starttls',
    imapc_ssl_verify: 'no',
    imapc_features: opts.features ?? 'rfc822.size fetch-headers modseq',
    mail_prefetch_count: String(opts.prefetch ?? 20),
  };
  const args = ['-c', servers.target.confPath];
  for (const [k, v] of Object.entries(settings)) args.push('-o', `${k}=${v}`);
  args.push('backup', '-R', '-u', pair.target.user, 'imapc:');
  return args;
}

const DSYNC_ENV = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };

export async function runDsync(servers: BenchServers, pair: AccountPair, opts: DsyncOptions = {}): Promise<ToolRun> {
  return withServerCpu(servers, async () => {
    const m = await measureProcess(DOVEADM_BIN, dsyncArgs(servers, pair, opts), { timeoutMs: opts.timeoutMs, env: DSYNC_ENV });
    // doveadm backup: 0 = done, 2 = done but changes happened meanwhile (try again)
    const ok = m.exitCode === 0;
    return { tool: 'dsync' as const, measure: m, ok, error: ok ? undefined : `doveadm backup exit ${m.exitCode}: ${tail(m.stderr)}`, mapping: new Map() };
  });
}

/**
 * dsync for many accounts, one `doveadm backup` per account, `concurrency` at a time (what an
 * admin scripts around it). One measurement for the whole batch: wall time from the first
 * start to the last exit, CPU summed over the processes, peak RSS the largest one's.
 */
export async function runDsyncBatch(servers: BenchServers, pairs: AccountPair[], concurrency: number, opts: DsyncOptions = {}): Promise<ToolRun & { failed: number }> {
  let failed = 0;
  const errors: string[] = [];
  const run = await withServerCpu(servers, async () => {
    const t0 = performance.now();
    const total: ProcessMeasure = { wallS: 0, userS: 0, sysS: 0, cpuS: 0, peakRssMB: 0, exitCode: 0, signal: null, stdout: '', stderr: '', method: 'gnu-time' };
    const queue = [...pairs];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const m = await measureProcess(DOVEADM_BIN, dsyncArgs(servers, p, opts), { timeoutMs: opts.timeoutMs, env: DSYNC_ENV });
        total.userS += m.userS;
        total.sysS += m.sysS;
        total.cpuS += m.cpuS;
        total.peakRssMB = Math.max(total.peakRssMB, m.peakRssMB);
        total.method = m.method;
        if (m.exitCode !== 0) {
          failed++;
          if (errors.length < 3) errors.push(`${p.target.user}: exit ${m.exitCode}: ${tail(m.stderr, 3)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pairs.length)) }, worker));
    total.wallS = (performance.now() - t0) / 1000;
    total.exitCode = failed ? 1 : 0;
    const ok = failed === 0;
    return { tool: 'dsync' as const, measure: total, ok, error: ok ? undefined : `${failed} of ${pairs.length} doveadm backup runs failed: ${errors.join('; ')}`, mapping: new Map() };
  });
  return { ...run, failed };
}
