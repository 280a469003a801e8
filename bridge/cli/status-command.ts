import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { openServiceDb, STATE_FILE } from '../service/db';

/**
 * `mailmover-bridge status`: whether a bridge answers on the port, and what the
 * state store holds (jobs, accounts per status, tokens). Exit 0 when the bridge
 * is running, 3 when it is not (like `systemctl status`).
 */
export async function runStatus(port: number, stateDir: string, out: (line: string) => void, json = false): Promise<number> {
  let running: { version: string } | null = null;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { name?: string; version?: string };
    if (res.ok && body.name === BRIDGE_NAME) running = { version: String(body.version) };
  } catch {
    running = null;
  }
  const report: Record<string, unknown> = { running: running !== null, url: `http://127.0.0.1:${port}`, version: running?.version ?? null, stateDir };
  if (existsSync(join(stateDir, STATE_FILE))) {
    const db = openServiceDb(stateDir);
    try {
      const jobs = db.prepare(`SELECT status, COUNT(*) AS n FROM svc_jobs GROUP BY status`).all() as Array<{ status: string; n: number }>;
      const accounts = db.prepare(`SELECT status, COUNT(*) AS n FROM svc_accounts GROUP BY status`).all() as Array<{ status: string; n: number }>;
      const tokens = db.prepare(`SELECT COUNT(*) AS n FROM svc_tokens WHERE revoked_at IS NULL`).get() as { n: number };
      report.jobs = Object.fromEntries(jobs.map((r) => [r.status, r.n]));
      report.accounts = Object.fromEntries(accounts.map((r) => [r.status, r.n]));
      report.activeTokens = tokens.n;
    } finally {
      db.close();
    }
  }
  if (json) out(JSON.stringify(report, null, 2));
  else {
    out(running ? `${BRIDGE_NAME} ${running.version} is running on http://127.0.0.1:${port}` : `No bridge answers on http://127.0.0.1:${port}`);
    out(`State dir: ${stateDir}${report.jobs ? '' : ' (no state store yet)'}`);
    if (report.jobs) {
      const fmt = (o: unknown) => Object.entries(o as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      out(`Jobs: ${fmt(report.jobs)}`);
      out(`Accounts: ${fmt(report.accounts)}`);
      out(`Paired tokens (active): ${String(report.activeTokens)}`);
    }
  }
  return running ? 0 : 3;
}
