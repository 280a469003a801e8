import type { FolderMapping } from '../../shared/folders/map-folders';
import type { AccountJob } from '../engine/account-job';
import type { MailboxLayout } from '../engine/discover';
import { planMappings } from '../engine/plan-mappings';
import type { MessageMeta } from './folder-meta';
import { matchMessages } from './match-messages';

/**
 * The source folders the job's folder filters (--include-folder / --exclude-folder) leave out,
 * each with the target folder it would go to. Their target folders are not checked, yet they
 * are still the user's mail on the new system: a message filed into one there is `elsewhere`
 * (verify-account.ts). What each also holds, the copies of its own source folder's messages
 * (an earlier run without the filter, another tool), must not stand in for another folder's
 * lost message: notCopiesOf leaves those out.
 */
export function filteredOutMappings(source: MailboxLayout, target: MailboxLayout, job: AccountJob, checked: readonly FolderMapping[]): FolderMapping[] {
  const unfiltered = planMappings(source, target, { ...job, options: { ...job.options, includeFolders: [], excludeFolders: [] } });
  const kept = new Set(checked.map((m) => m.source));
  return unfiltered.filter((m) => m.selectable && !kept.has(m.source));
}

/**
 * The messages of `target` that no message of `source` accounts for: paired by fingerprint as
 * multisets (matchMessages, every source message expected whatever its flags or date), as a
 * checked folder leaves only its unpaired copies to be found elsewhere. Among messages without a
 * Message-ID that share a fingerprint the pairing is by count, so the copy left over may not be
 * the one whose body a missing message has: it is then reported missing (copied again by --fix,
 * at worst a double), never taken for found.
 */
export function notCopiesOf(source: readonly MessageMeta[], target: readonly MessageMeta[]): MessageMeta[] {
  return matchMessages([...source], [...target], { deleted: 'copy', keywordOk: () => true, recordedSkips: new Map() }).extra;
}
