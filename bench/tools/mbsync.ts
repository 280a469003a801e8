/**
 * mbsync (Debian package isync): an IMAP -> IMAP channel pulling every folder from the source
 * (Far) into the target (Near), creating folders, with the arrival date (INTERNALDATE) copied.
 * mbsync adds an X-TUID header to every message it copies (it finds its own APPENDs by it);
 * the correctness check reports that instead of hiding it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureProcess } from '../measure';
import { tail, withServerCpu, type AccountPair, type BenchServers, type ToolRun } from './common';

export const MBSYNC_BIN = 'mbsync';

function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Every tool talks to both servers over STARTTLS, as a migration between providers does.
 * mbsync trusts a certificate listed in CertificateFile as it is ("directly matched peer
 * certificates are always trusted", mbsync(1)): the harness's self-signed ones are written
 * there. mbsync compresses (COMPRESS=DEFLATE) whenever a server offers it; the bench servers
 * do, for mailmover's --compress runs, so it is switched off here: every tool's default run
 * moves the same bytes.
 */
export function mbsyncConfig(servers: BenchServers, pair: AccountPair, stateDir: string, certFiles: Record<'source' | 'target', string>): string {
  const account = (name: string, side: 'source' | 'target') => {
    const s = servers[side];
    const u = pair[side];
    return [
      `IMAPAccount ${name}`,
      `Host ${s.host}`,
      `Port ${s.imapPort}`,
      `User ${quote(u.user)}`,
      `Pass ${quote(u.password)}`,
      'SSLType STARTTLS',
      `CertificateFile ${certFiles[side]}`,
      'AuthMechs LOGIN',
      // The bench servers offer COMPRESS=DEFLATE for mailmover's --compress runs; mbsync would
      // use it by itself and no longer be compared like with like with the other tools.
      'DisableExtension COMPRESS=DEFLATE',
      '',
      `IMAPStore ${name}-store`,
      `Account ${name}`,
      '',
    ].join('\n');
  };
  return [
    account('far', 'source'),
    account('near', 'target'),
    'Channel bench',
    'Far :far-store:',
    'Near :near-store:',
    'Patterns *',
    'Create Near',
    'Sync Pull',
    'Expunge None',
    'Remove None',
    'CopyArrivalDate yes',
    `SyncState ${stateDir}/`,
    '',
  ].join('\n');
}

export async function runMbsync(servers: BenchServers, pair: AccountPair, scratchDir: string, opts: { timeoutMs?: number } = {}): Promise<ToolRun> {
  const stateDir = join(scratchDir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const rc = join(scratchDir, 'mbsyncrc');
  const certFiles = { source: join(scratchDir, 'source-cert.pem'), target: join(scratchDir, 'target-cert.pem') };
  for (const side of ['source', 'target'] as const) writeFileSync(certFiles[side], servers[side].caPem);
  writeFileSync(rc, mbsyncConfig(servers, pair, stateDir, certFiles), { mode: 0o600 });
  return withServerCpu(servers, async () => {
    const m = await measureProcess(MBSYNC_BIN, ['-c', rc, '-q', 'bench'], { timeoutMs: opts.timeoutMs });
    const ok = m.exitCode === 0;
    return { tool: 'mbsync' as const, measure: m, ok, error: ok ? undefined : `mbsync exit ${m.exitCode}: ${tail(m.stderr)}`, mapping: new Map() };
  });
}
