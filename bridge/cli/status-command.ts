import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE_NAME } from '../../shared/bridge-defaults';
import { recordedBridge, runningBridgePort } from '../server/port-record';
import { StateStore } from '../engine/state-store';
import { openServiceDb, STATE_FILE } from '../service/db';
import { recordedFolders } from '../service/account-records';

async function bridgeVersionOn(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { name?: string; version?: string };
    return res.ok && body.name === BRIDGE_NAME ? String(body.version) : null;
  } catch {
    return null;
  }
}

/** Command-line migrations listed on the terminal; --json has them all. */
const CLI_MIGRATIONS_LISTED = 20;

interface CliMigration {
  account: string;
  copied: number;
  skipped: number;
  alreadyPresent: number;
  lastActivity: string;
}

/**
 * `mailmover-bridge status`: whether the bridge of this state dir is running (the port it
 * recorded there, else the one given), whether some other bridge answers on the port, and
 * what the state store holds: the service's jobs and accounts, and the command line's
 * migrations by their checkpoints. Exit 0 when this state dir's bridge is running, 3 when it
 * is not (like `systemctl status`).
 */
export async function runStatus(port: number, stateDir: string, out: (line: string) => void, json = false): Promise<number> {
  // The bridge of this state dir recorded its port there (port-record.ts); another bridge may answer on `port`.
  const recorded = runningBridgePort(stateDir);
  const ownVersion = recorded !== null ? await bridgeVersionOn(recorded) : null;
  const running = ownVersion !== null;
  const ownPort = recorded ?? port;
  const otherVersion = running && recorded === port ? null : await bridgeVersionOn(port);
  // A record left behind: the last bridge of this state dir ended without its clean stop (killed, crashed).
  const last = running ? null : recordedBridge(stateDir);
  const report: Record<string, unknown> = {
    running,
    url: `http://127.0.0.1:${running ? ownPort : port}`,
    version: running ? ownVersion : null,
    stateDir,
    ...(otherVersion && !running ? { otherBridgeOnPort: { url: `http://127.0.0.1:${port}`, version: otherVersion } } : {}),
    ...(last ? { lastBridge: { pid: last.pid, url: `http://127.0.0.1:${last.port}`, stoppedCleanly: false } } : {}),
  };
  if (existsSync(join(stateDir, STATE_FILE))) {
    const db = openServiceDb(stateDir);
    try {
      const jobs = db.prepare(`SELECT status, COUNT(*) AS n FROM svc_jobs GROUP BY status`).all() as Array<{ status: string; n: number }>;
      const accounts = db.prepare(`SELECT status, COUNT(*) AS n FROM svc_accounts GROUP BY status`).all() as Array<{ status: string; n: number }>;
      const tokens = db.prepare(`SELECT COUNT(*) AS n FROM svc_tokens WHERE revoked_at IS NULL`).get() as { n: number };
      report.jobs = Object.fromEntries(jobs.map((r) => [r.status, r.n]));
      report.accounts = Object.fromEntries(accounts.map((r) => [r.status, r.n]));
      report.activeTokens = tokens.n;
      report.cliMigrations = cliMigrations(stateDir, db);
    } finally {
      db.close();
    }
  }
  if (json) out(JSON.stringify(report, null, 2));
  else {
    if (running) out(`${BRIDGE_NAME} ${String(ownVersion)} is running on http://127.0.0.1:${ownPort} with this state dir`);
    // Which state dir that bridge uses cannot be asked (/health says only who listens): say what is known.
    else if (otherVersion && recorded !== port) out(`A bridge (${otherVersion}) answers on http://127.0.0.1:${port}, but this state dir records no running bridge: that one uses another state dir, or was started by a version that did not record itself`);
    else if (last && last.port !== port) out(`No bridge is running with this state dir: the last one (process ${last.pid}) listened on http://127.0.0.1:${last.port} and did not stop cleanly; none answers on http://127.0.0.1:${port} either`);
    else out(`No bridge answers on http://127.0.0.1:${port}`);
    out(`State dir: ${stateDir}${report.jobs ? '' : ' (no state store yet)'}`);
    if (report.jobs) {
      const fmt = (o: unknown) => Object.entries(o as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      out(`Jobs: ${fmt(report.jobs)}`);
      out(`Accounts: ${fmt(report.accounts)}`);
      out(`Paired tokens (active): ${String(report.activeTokens)}`);
      const cli = report.cliMigrations as CliMigration[];
      out(cli.length === 0 ? 'Command-line migrations: none' : 'Command-line migrations:');
      for (const m of cli.slice(0, CLI_MIGRATIONS_LISTED)) out(`  ${m.account}: ${m.copied} copied, ${m.alreadyPresent} already there, ${m.skipped} skipped; last run ${m.lastActivity.replace('T', ' ').replace(/Z$/, '')} UTC`);
      if (cli.length > CLI_MIGRATIONS_LISTED) out(`  … and ${cli.length - CLI_MIGRATIONS_LISTED} more (all of them with --json)`);
    }
  }
  return running ? 0 : 3;
}

/**
 * The command line's migrations in this state dir: checkpoints under keys the service does not
 * use (theirs start with "account:"). Their counts are those of the engine's rows, one per source
 * message with its outcome, over every run (recordedFolders, as the bridge's account view shows
 * an account's folders): not the counters kept beside a folder's checkpoint, which a pass that
 * starts a folder over (a resumed run of a folder no pass completed yet) begins again from 0.
 */
function cliMigrations(stateDir: string, db: ReturnType<typeof openServiceDb>): CliMigration[] {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'folders'`).get();
  if (!exists) return [];
  const accounts = db
    .prepare(`SELECT account, MAX(updated_at) AS lastActivity FROM folders WHERE account NOT LIKE 'account:%' GROUP BY account ORDER BY account`)
    .all() as Array<{ account: string; lastActivity: string }>;
  if (accounts.length === 0) return [];
  const store = StateStore.open(stateDir);
  try {
    return accounts.map(({ account, lastActivity }) => {
      const folders = recordedFolders(store, account);
      const sum = (pick: (f: (typeof folders)[number]) => number) => folders.reduce((n, f) => n + pick(f), 0);
      // SQLite's datetime('now') is UTC without a zone ("2026-12-07 22:03:04"): --json says so in ISO 8601.
      return { account, copied: sum((f) => f.copied), skipped: sum((f) => f.skipped), alreadyPresent: sum((f) => f.alreadyPresent), lastActivity: `${lastActivity.replace(' ', 'T')}Z` };
    });
  } finally {
    store.close();
  }
}
