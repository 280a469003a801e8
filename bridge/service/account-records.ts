import type { FolderSummary, SkippedRecord, StateStore } from '../engine/state-store';

/**
 * What the engine recorded for an account, as account.get (folders) and account.skipped show
 * it. A local pass writes its checkpoints and rows into this store; a pass a queue worker ran
 * has them in the worker's store, and the coordinator keeps the worker's per-folder figures
 * and skips as reported (StateStore.keepWorkerReport, bridge/queue/verify-record.ts). A
 * folder shows the newer of the two (a bridge may run an account locally, then in queue mode,
 * or back): its local checkpoint's last write against the time its report arrived, both by
 * this machine's clock.
 */
export function recordedFolders(store: StateStore, account: string): FolderSummary[] {
  const reported = reportedWinners(store, account);
  if (reported.size === 0) return store.folderSummaries(account);
  const local = store.folderSummaries(account).filter((f) => !reported.has(f.source));
  return [...local, ...reported.values()].sort((a, b) => byName(a.source, b.source));
}

/** The account's skipped messages, each folder's from the record recordedFolders shows. */
export function recordedSkips(store: StateStore, account: string): SkippedRecord[] {
  const reported = reportedWinners(store, account);
  if (reported.size === 0) return store.skipped(account);
  const local = store.skipped(account).filter((s) => !reported.has(s.sourceFolder));
  const fromReport = store.reportedSkipped(account).filter((s) => reported.has(s.sourceFolder));
  return [...local, ...fromReport].sort((a, b) => byName(a.sourceFolder, b.sourceFolder) || a.uid - b.uid);
}

/** The reported folders newer than this store's own checkpoint of them (or without one). */
function reportedWinners(store: StateStore, account: string): Map<string, FolderSummary> {
  const out = new Map<string, FolderSummary>();
  const reported = store.reportedFolders(account);
  if (reported.length === 0) return out;
  const localAt = new Map(store.folderSummaries(account).map((f) => [f.source, f.updatedAt]));
  for (const { reportedAt, ...folder } of reported) {
    const at = localAt.get(folder.source);
    // Both 'YYYY-MM-DD HH:MM:SS' (SQLite datetime('now'), UTC): compared as strings.
    if (!at || reportedAt >= at) out.set(folder.source, folder);
  }
  return out;
}

/** The order SQLite's ORDER BY gives these names (BINARY: their UTF-8 bytes). */
function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
