import type { FolderCheckpoint, StateStore, UnplacedCopy } from './state-store';

/**
 * Where a survey of a target folder starts reading, and our copies there
 * whose target UID the server never said (StateStore.unplacedCopies). From UID 1 when no
 * complete pass into this folder is known, when its UIDVALIDITY changed, or when such copies
 * exist (they may sit anywhere in it); otherwise at the UIDNEXT of the last complete pass.
 */
export function surveyStart(
  store: StateStore,
  account: string,
  sourceFolder: string,
  cp: FolderCheckpoint,
  scanWholeTarget: boolean,
  targetStatus: { uidValidity?: bigint | number },
): { from: number; unplaced: UnplacedCopy[] } {
  const unplaced = store.unplacedCopies(account, sourceFolder, cp.uidValidity);
  const targetValidity = targetStatus.uidValidity !== undefined ? Number(targetStatus.uidValidity) : null;
  const from = scanWholeTarget || unplaced.length > 0 || targetValidity !== cp.targetUidValidity ? 1 : (cp.targetUidNext ?? 1);
  return { from, unplaced };
}
