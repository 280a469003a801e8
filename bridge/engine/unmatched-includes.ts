import type { ErrorInfo } from '../../shared/errors';
import { MAX_FOLDERS_NAMED } from '../../shared/warning-facts';
import { globName, unmatchedGlobs } from '../../shared/glob';
import type { AccountJob } from './account-job';
import type { MailboxLayout } from './discover';


/**
 * One FOLDER_FILTER_UNMATCHED warning per include filter that matches no folder of the source:
 * without it a mistyped or wrongly-mapped name ("Sent" for a source whose sent folder is
 * 已发送) copies nothing of that folder and the run still ends "done".
 */
export function unmatchedIncludeWarnings(source: MailboxLayout, job: AccountJob): ErrorInfo[] {
  const globs = unmatchedGlobs(job.options.includeFolders, source.folders, source.delimiter, source.prefix);
  if (globs.length === 0) return [];
  // As a filter would name them ('Projects/2024', not Cyrus's 'INBOX.Projects.2024'): copied into a filter, they match.
  const names = source.folders.map((f) => globName(f.path, f.delimiter ?? source.delimiter, source.prefix));
  const named = names.slice(0, MAX_FOLDERS_NAMED);
  const more = names.length - named.length;
  const listed = named.join(', ') + (more > 0 ? `, … (${names.length} in all)` : '');
  return globs.map((glob) => ({
    code: 'FOLDER_FILTER_UNMATCHED' as const,
    side: 'source' as const,
    message: `The folder filter "${glob}" (include) matches no folder of ${job.source.user}: nothing was copied for it. Its folders are: ${listed}. Filters name the source's folders, with / between levels.`,
    facts: { kind: 'filter-unmatched' as const, glob, folders: named, more },
  }));
}
