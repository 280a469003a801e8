import type { AccountResult } from '../../shared/migration';
import { UidlIds } from '../engine/pop3/uidl-ids';
import type { StateStore } from '../engine/state-store';
import { checkpointRecords, keepHandedCheckpoints, reopenedRecords } from './handed-checkpoints';
import { keepPop3Handover } from './handed-pop3';
import type { VerifyRecord } from './protocol';

/**
 * In queue mode a pass runs on a worker and records its folder map, its skips, its per-folder
 * outcomes and (POP3) the ids it gave each UIDL in the worker's own state store, while the
 * verify and the account view (account.get, account.skipped) read the coordinator's store.
 * Without those records the coordinator's verify calls a message skipped on purpose missing
 * and looks for a renamed folder under its planned name, and the admin's drawer shows no
 * folders and no skipped messages. The worker sends them with its result and the coordinator
 * writes them into its store before the verify starts.
 *
 * Sized by folders and skipped messages: the skips themselves travel once, in
 * `result.skipped`; the record adds each folder's UIDVALIDITY (the skips' key in verify) and
 * figures (counted from the worker's rows, as a local account.get counts them) and, for a
 * POP3 source, the UIDL of each skipped message only.
 */
export function verifyRecordOf(store: StateStore, account: string, result: AccountResult, pop3: boolean): VerifyRecord {
  const uidls: VerifyRecord['uidls'] = [];
  if (pop3 && result.skipped.length > 0) {
    const ids = UidlIds.forStore(store);
    try {
      for (const s of result.skipped) {
        const uidl = ids.uidlOf(account, s.uid);
        if (uidl !== undefined) uidls.push({ id: s.uid, uidl });
      }
    } finally {
      ids.close();
    }
  }
  return {
    folderMap: store.folderMap(account),
    uidValidity: store.checkpoints(account).map((cp) => ({ folder: cp.sourceFolder, uidValidity: cp.uidValidity })),
    uidls,
    folders: store.folderSummaries(account),
    checkpoints: checkpointRecords(store, account),
    reopened: reopenedRecords(store, account),
  };
}

/**
 * The coordinator's side: the worker's records written into the coordinator's engine state
 * store under the same account key, where verify reads them (verify/recorded-state.ts,
 * verify/pop3-meta.ts) and the account view too (service/account-records.ts: account.get's
 * folders, account.skipped). The skips of each folder the worker has a checkpoint for
 * replace that folder's earlier ones: a worker reports every skip its store knows, and one
 * that a later pass copied must not stay listed.
 */
export function storeVerifyRecord(store: StateStore, account: string, result: AccountResult, record: VerifyRecord): void {
  for (const m of record.folderMap) store.recordFolderMap(account, m.source, m.target, null);
  const validity = new Map(record.uidValidity.map((v) => [v.folder, v.uidValidity]));
  const skips = result.skipped.flatMap((s) => {
    const uidValidity = validity.get(s.folder);
    return uidValidity === undefined ? [] : [{ sourceFolder: s.folder, uidValidity, uid: s.uid, reason: s.reason }];
  });
  store.keepWorkerReport(account, { folders: record.uidValidity, skips, summaries: record.folders });
  if (record.checkpoints || record.reopened) keepHandedCheckpoints(store, account, [...(record.checkpoints ?? []), ...(record.reopened ?? [])]);
  if (record.pop3) keepPop3Handover(store, account, record.pop3);
  if (record.uidls.length > 0) {
    const ids = UidlIds.forStore(store);
    try {
      ids.remember(account, record.uidls);
    } finally {
      ids.close();
    }
  }
}
